package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Tracker;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Ffmpeg;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.testing.Jvm;
import io.inpainterz.util.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code remove} and {@code track} end to end with the parity checkpoints (DeAOT-T, E2FGVI with 2
 * blocks at 432x240, tiny SAM; random weights, so the tracked masks and the fills are noise and
 * the tests check structure, not quality), on a generated clip: a moving box over a textured,
 * panning background, with audio, larger than the working size so that a whole-frame composite
 * would show.
 */
class RemoveCommandTest {
    static final int W = 640, H = 352, T = 12, WW = 432, WH = 240;
    static final Box START = new Box(120, 120, 96, 80);
    static final int SPEED = 16, PROMPT = 6;
    static final String DEAOT = Fixtures.file("deaot/deaott/weights.pth").toString(), E2FGVI = Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth").toString(),
            SAM = Fixtures.file("sam/tiny/weights.pth").toString();
    /**
     * Pixels this far from a dilated mask count as outside for the PSNR check: 4:2:0 chroma and
     * the encoder's 16x16 blocks straddle the mask's edge, and random-weight fills are noise, the
     * worst case for both (the composite itself is checked pixel by pixel, losslessly, in
     * RemovePipelineTest).
     */
    static final int CODEC_MARGIN = 16;

    @TempDir
    static Path shared;
    static Path clip, promptMask;
    static byte[][] source;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, START, SPEED);
        source = Clips.frames(clip, W, H);
        assertEquals(T, source.length);
        promptMask = shared.resolve("box6.png");
        Clips.writePng(promptMask, Clips.movingBox(START, SPEED, PROMPT).mask(W, H), W, H);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    static List<String> files(Path dir) throws Exception {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static List<String> names(int from, int to) {
        List<String> n = new ArrayList<>();
        for (int t = from; t <= to; t++) n.add(String.format("%06d.png", t));
        return n;
    }

    /** The region the pipeline may change at frame t, grown by the codec margin. */
    static byte[] outsideMargin(byte[] labels) {
        return Clips.dilate(Clips.changedRegion(labels, W, H, WW, WH, 4), W, H, CODEC_MARGIN);
    }

    @Test
    void removeKeepsTheVideoAndChangesOnlyTheDilatedMasks() throws Exception {
        Path output = tmp.resolve("out.mp4"), masks = tmp.resolve("masks"), temp = Files.createDirectory(tmp.resolve("temp"));
        long start = System.nanoTime();
        assertEquals(0, run("remove", clip.toString(), "-o", output.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT,
                "--e2fgvi", E2FGVI, "--masks-out", masks.toString(), "--temp", temp.toString(), "--progress", "json", "--crop", "off"), err.toString());
        System.out.printf("RemoveCommandTest: remove of %d frames at %dx%d took %.1f s%n", T, W, H, (System.nanoTime() - start) / 1e9);
        Object report = Json.parse(out.toString());
        assertEquals((long) T, Json.at(report, "frames"));
        assertEquals((long) PROMPT + 1, Json.at(report, "backward_frames"));
        assertEquals("432x240", Json.at(report, "working_size"));
        List<Object> lines = err.toString().lines().map(Json::parse).toList();
        assertTrue(Json.at(lines.get(0), "notice").toString().contains("non-commercial"), err.toString());
        assertEquals("done", Json.at(lines.get(lines.size() - 1), "event"), err.toString());
        List<Object> stages = lines.stream().map(l -> Json.at(l, "stage")).filter(s -> s != null).distinct().toList();
        assertTrue(stages.containsAll(List.of("segment", "track.backward", "remove")), stages.toString());
        assertEquals(List.of(), files(temp), "the temporary masks are gone");

        // The source's size, frames, timestamps and audio.
        assertEquals(W + "x" + H, Clips.size(output));
        assertEquals(T, Clips.packets(output, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(output));
        assertEquals(Clips.packets(clip, "a:0"), Clips.packets(output, "a:0"));
        assertEquals(Ffmpeg.audioSamples(clip), Ffmpeg.audioSamples(output));

        // Masks for every frame, the prompt frame's exactly the given mask, the backward pass's before it.
        assertEquals(names(0, T - 1), files(masks));
        byte[] given = Clips.movingBox(START, SPEED, PROMPT).mask(W, H);
        byte[][] labels = new byte[T][];
        for (int t = 0; t < T; t++) {
            labels[t] = Clips.readPng(masks.resolve(String.format("%06d.png", t)));
            for (byte b : labels[t]) assertTrue(b == 0 || b == 1, "frame " + t + ": one object, id 1");
        }
        for (int i = 0; i < given.length; i++) assertEquals(given[i] != 0, labels[PROMPT][i] != 0, "the prompt frame's mask is the given one");
        for (int t = 0; t < PROMPT; t++) assertTrue(Clips.count(labels[t]) > 0, "the backward pass tracked frame " + t);

        // Outside the dilated masks the source (up to codec error), inside the fill.
        byte[][] got = Clips.frames(output, W, H);
        for (int t = 0; t < T; t++) {
            byte[] region = Clips.changedRegion(labels[t], W, H, WW, WH, 4);
            byte[] near = outsideMargin(labels[t]);
            assertTrue(Clips.count(near) < (long) W * H * 0.9, "frame " + t + " keeps pixels to compare");
            double outside = Clips.psnr(source[t], got[t], near, false);
            assertTrue(outside >= 40, "frame " + t + ": outside the dilated masks PSNR " + outside + " dB");
            double inside = Clips.meanAbs(source[t], got[t], region, true);
            assertTrue(inside > 20, "frame " + t + ": inside the masks the pixels changed, by " + inside + " on average");
        }
    }

    /**
     * The reference app's loop end to end: the E2FGVI fixture's clip (12 frames at 432x240, the
     * model's own size, so {@code --crop off} resizes nothing) as a lossless video, its undilated
     * masks as {@code --masks-in}, and the default dilation (the app's 4 of the 3x3 cross) must
     * give the app's final frames ({@code comp_frames.npy}: every window, sequential 0.5 blending)
     * up to the output codec. Even at {@code --crf 0} the writer encodes 4:2:0 at this even size
     * (x264 lossless on YUV, but the chroma is subsampled), so the output is compared with
     * {@code codec(comp_frames)}: the app's frames through the same writer and decoder, what the
     * output is when the composite is exactly the app's. Its bound is the fixture's own float
     * noise (at most 1 level on 1 % of the values, case.json) as the codec spreads it. A bound
     * taken from the codec's cost would be far looser: on these random-weight fills (noise, the
     * codec's worst case) 4:2:0 costs 5.6 levels on average against comp_frames, 2.1 on the
     * untouched background, while {@code --dilate 5}, a wrong run, differs by only 2.5.
     */
    @Test
    void cropOffIsTheAppsLoopOnAFixtureSizedClip() throws Exception {
        Path dir = Fixtures.file("e2fgvi/e2fgvi_d2"), masks = Files.createDirectory(tmp.resolve("masks")), output = tmp.resolve("out.mp4");
        byte[][] frames, comp, masksIn, dilated;
        try (Arena arena = Arena.ofConfined()) {
            frames = planes(Npy.read(dir.resolve("frames.npy"), arena));
            comp = planes(Npy.read(dir.resolve("comp_frames.npy"), arena));
            masksIn = planes(Npy.read(dir.resolve("masks.npy"), arena));
            dilated = planes(Npy.read(dir.resolve("masks_dilated.npy"), arena));
        }
        int n = frames.length;
        assertEquals(12, n);
        assertEquals(WW * WH * 3, frames[0].length, "the fixture is at E2FGVI's 432x240");
        for (int t = 0; t < n; t++) Clips.writePng(masks.resolve(String.format("%06d.png", t)), masksIn[t], WW, WH);
        // The input: lossless RGB H.264, read back exactly as the pipeline reads it.
        Path raw = tmp.resolve("frames.rgb"), input = tmp.resolve("app.mkv");
        try (var o = Files.newOutputStream(raw)) {
            for (byte[] f : frames) o.write(f);
        }
        Ffmpeg.run("ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", WW + "x" + WH, "-framerate", "25", "-i", raw.toString(),
                "-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast", input.toString());
        try (VideoReader r = VideoReader.open(input); Frame f = r.allocateFrame()) {
            byte[] got = new byte[WW * WH * 3];
            for (int t = 0; t < n; t++) {
                assertTrue(r.read(f));
                f.copyTo(got);
                assertArrayEquals(frames[t], got, "the input video holds the fixture's frame " + t + " exactly");
            }
        }

        long start = System.nanoTime();
        assertEquals(0, run("remove", input.toString(), "-o", output.toString(), "--crop", "off", "--inpainter", "neural", "--e2fgvi",
                dir.resolve("weights.pth").toString(), "--masks-in", masks.toString(), "--crf", "0"), err.toString());
        System.out.printf("RemoveCommandTest: remove --crop off of the app's %d frames at %dx%d took %.1f s%n", n, WW, WH, (System.nanoTime() - start) / 1e9);
        assertEquals("432x240", Json.at(Json.parse(out.toString()), "working_size"));
        byte[][] got = Clips.frames(output, WW, WH);
        assertEquals(n, got.length);

        // Wrong references that must fail the same check: nothing inpainted (the input), the app's frames one frame late, and
        // the app's fill composited with one dilation less (the masks' outer ring left as the source).
        byte[][] late = new byte[n][], thinner = new byte[n][];
        for (int t = 0; t < n; t++) {
            assertArrayEquals(dilated[t], binary(Clips.dilate(masksIn[t], WW, WH, 4)), "the app's dilation is 4 of the 3x3 cross, frame " + t);
            late[t] = comp[(t + 1) % n];
            byte[] ring = binary(Clips.dilate(masksIn[t], WW, WH, 3));
            thinner[t] = frames[t].clone();
            for (int p = 0; p < ring.length; p++) if (ring[p] != 0) System.arraycopy(comp[t], 3 * p, thinner[t], 3 * p, 3);
        }
        byte[][] want = codec(comp);
        for (int t = 0; t < n; t++) {
            // What the codec costs on these pixels, for the message: far more than the difference allowed below, which is
            // only the fixture's float noise (a flipped level on at most 1 % of the values) as the 4:2:0 conversion spreads it.
            Diff cost = Diff.of(want[t], comp[t], dilated[t]), got0 = Diff.of(got[t], want[t], dilated[t]);
            assertTrue(got0.within(), "frame " + t + ": inside the dilated mask the output differs from codec(comp_frames) by " + got0
                    + " (the codec itself costs " + cost + " against comp_frames)");
            Diff whole = Diff.of(got[t], want[t], null);
            assertTrue(whole.max() <= Diff.MAX, "frame " + t + ": over the whole frame the output differs from codec(comp_frames) by " + whole);
        }
        for (var wrong : java.util.Map.of("the input", frames, "the app's frames one late", late, "one dilation less", thinner).entrySet()) {
            byte[][] ref = codec(wrong.getValue());
            long fail = java.util.stream.IntStream.range(0, n).filter(t -> !Diff.of(got[t], ref[t], dilated[t]).within()).count();
            assertEquals(n, fail, "a wrong reference (" + wrong.getKey() + ") must fail the check on every frame");
        }
    }

    /** Differences of two RGB frames over the values of the pixels where {@code select} is nonzero (every pixel when null). */
    record Diff(double mean, int p999, int max) {
        /** The check's bounds: the fixture's float noise (1 level) through RGB -> 4:2:0 -> RGB, whose chroma gains reach 1.86. */
        static final double MEAN = 0.05;
        static final int P999 = 1, MAX = 4;

        static Diff of(byte[] a, byte[] b, byte[] select) {
            long[] hist = new long[256];
            long count = 0, sum = 0;
            for (int p = 0; p < a.length / 3; p++) {
                if (select != null && select[p] == 0) continue;
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs((a[3 * p + c] & 0xff) - (b[3 * p + c] & 0xff));
                    hist[d]++;
                    sum += d;
                    count++;
                }
            }
            long need = (long) Math.ceil(0.999 * count), seen = 0;
            int p999 = 0, max = 0;
            for (int d = 0; d < hist.length; d++) {
                if (seen < need) p999 = d;
                seen += hist[d];
                if (hist[d] > 0) max = d;
            }
            return new Diff((double) sum / count, p999, max);
        }

        boolean within() {
            return mean <= MEAN && p999 <= P999 && max <= MAX;
        }

        @Override
        public String toString() {
            return String.format("mean %.3f, 99.9th percentile %d, max %d", mean, p999, max);
        }
    }

    static byte[] binary(byte[] m) {
        byte[] out = new byte[m.length];
        for (int i = 0; i < m.length; i++) out[i] = (byte) (m[i] != 0 ? 1 : 0);
        return out;
    }

    /** Axis 0 of a uint8 array, each a byte array. */
    static byte[][] planes(NdArray a) {
        int n = (int) a.shape()[0];
        long size = a.numElements() / n;
        byte[][] out = new byte[n][];
        for (int t = 0; t < n; t++) out[t] = a.data().asSlice(t * size, size).toArray(ValueLayout.JAVA_BYTE);
        return out;
    }

    /** RGB frames at 432x240 through the output's writer at {@code --crf 0} and back through ffmpeg: what the codec alone does to them. */
    byte[][] codec(byte[][] frames) throws Exception {
        Path file = Files.createTempFile(tmp, "codec", ".mp4");
        Files.delete(file);
        try (VideoWriter w = VideoWriter.open(file, WW, WH, VideoWriter.Options.defaults().withCrf(0).withFps(25)); Frame f = Frame.allocate(WW, WH)) {
            for (int t = 0; t < frames.length; t++) {
                f.copyFrom(frames[t]);
                w.write(f, t * 40_000L);
            }
            w.finish();
        }
        return Clips.frames(file, WW, WH);
    }

    @Test
    void theDefaultCropInpaintsARectangleAroundTheObjectAtTheSourcesResolution() throws Exception {
        // The weight-free engine's whole-frame working size at 1920x360 is 1280x240 (two thirds): the crop mode takes a
        // 1280x240 crop instead, at the source's resolution, since the object's run is far smaller.
        int w = 1920, h = 360, frames = 8, prompt = 4, speed = 16;
        Box start = new Box(600, 140, 96, 80);
        Path wide = Clips.make(tmp, "wide.mp4", w, h, frames, start, speed), mask = tmp.resolve("box.png");
        Clips.writePng(mask, Clips.movingBox(start, speed, prompt).mask(w, h), w, h);
        Path output = tmp.resolve("out.mp4"), masks = tmp.resolve("masks"), matte = tmp.resolve("matte.mp4");
        assertEquals(0, run("remove", wide.toString(), "-o", output.toString(), "--mask", prompt + ":" + mask, "--engine", "classical",
                "--masks-out", masks.toString(), "--matte-out", matte.toString()), err.toString());
        Object report = Json.parse(out.toString());
        assertEquals("1280x240", Json.at(report, "working_size"));
        assertEquals("0:7", Json.at(report, "crops", 0, "frames"), "one run, the whole clip");
        assertEquals("1280x240", Json.at(report, "crops", 0, "working_size"), "the crop's own size: no resize");
        int cx = ((Long) Json.at(report, "crops", 0, "crop", 0)).intValue(), cy = ((Long) Json.at(report, "crops", 0, "crop", 1)).intValue();
        Box crop = new Box(cx, cy, ((Long) Json.at(report, "crops", 0, "crop", 2)).intValue(), ((Long) Json.at(report, "crops", 0, "crop", 3)).intValue());
        assertEquals(new Box(cx, cy, 1280, 240), crop);

        // The crop holds every frame's mask with 16 px to spare, and is centred on their union (the frame's bottom is 120 px away).
        byte[][] labels = new byte[frames][];
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int t = 0; t < frames; t++) {
            labels[t] = Clips.readPng(masks.resolve(String.format("%06d.png", t)));
            assertTrue(Clips.count(labels[t]) > 5000, "frame " + t + " tracks the box");
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (labels[t][y * w + x] == 0) continue;
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        assertTrue(cx <= x0 - 16 && cx + 1280 >= x1 + 16 && cy <= y0 - 16 && cy + 240 >= y1 + 16, crop + " around " + x0 + "," + y0 + ".." + x1 + "," + y1);
        assertTrue(Math.abs(2 * cx + 1280 - (x0 + x1)) <= 1 && Math.abs(2 * cy + 240 - (y0 + y1)) <= 1, crop + " centred on the masks");

        // The source's size, frames, timestamps and audio; only the dilated masks changed, inside the crop (the weight-free
        // inpainter's own dilation, 8, as no --dilate was given); the matte shows exactly that region.
        assertEquals(w + "x" + h, Clips.size(output));
        assertEquals(frames, Clips.packets(output, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(wide), Ffmpeg.framePtsMicros(output));
        assertEquals(Clips.packets(wide, "a:0"), Clips.packets(output, "a:0"));
        assertEquals(Ffmpeg.audioSamples(wide), Ffmpeg.audioSamples(output));
        assertEquals(w + "x" + h, Clips.size(matte));
        assertEquals(Ffmpeg.framePtsMicros(wide), Ffmpeg.framePtsMicros(matte));
        byte[][] src = Clips.frames(wide, w, h), got = Clips.frames(output, w, h), mattes = Clips.frames(matte, w, h);
        int dilation = 8;
        for (int t = 0; t < frames; t++) {
            byte[] region = Clips.changedRegion(labels[t], w, h, crop, 1280, 240, dilation);
            assertEquals(Clips.count(Clips.dilate(labels[t], w, h, dilation)), Clips.count(region), "frame " + t + ": at 1:1, the mask dilated 8 times");
            Clips.assertMatte(region, mattes[t], "frame " + t);
            double outside = Clips.psnr(src[t], got[t], Clips.dilate(region, w, h, CODEC_MARGIN), false);
            assertTrue(outside >= 40, "frame " + t + ": outside the dilated masks PSNR " + outside + " dB");
            double inside = Clips.meanAbs(src[t], got[t], labels[t], true);
            assertTrue(inside > 20, "frame " + t + ": the box is gone, the pixels changed by " + inside + " on average");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void theRangeLeavesTheOtherFramesUnchangedAndTheMatteShowsWhatWasRemoved(String cropMode) throws Exception {
        Path output = tmp.resolve("range.mp4"), masks = tmp.resolve("masks"), matte = tmp.resolve("matte.mkv");
        assertEquals(0, run("remove", clip.toString(), "-o", output.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT,
                "--e2fgvi", E2FGVI, "--masks-out", masks.toString(), "--range", "4:9", "--crop", cropMode, "--matte-out", matte.toString()), err.toString());
        Object report = Json.parse(out.toString());
        assertEquals(matte.toString(), Json.at(report, "matte"));
        // The matte: the source's size, frame count and timestamps, no audio; in the range the dilated masks (E2FGVI's 4 times at
        // 432x240: of the whole frame, or with the crop on of the run's crop, put back into it), black elsewhere.
        Box crop = null;
        if (cropMode.equals("on")) {
            assertEquals("4:9", Json.at(report, "crops", 0, "frames"), "one run, the range");
            assertEquals("432x240", Json.at(report, "crops", 0, "working_size"));
            int[] c = new int[4];
            for (int i = 0; i < 4; i++) c[i] = ((Long) Json.at(report, "crops", 0, "crop", i)).intValue();
            crop = new Box(c[0], c[1], c[2], c[3]); // the random-weight tracker's masks may span the frame: then it is the frame
        }
        assertEquals(W + "x" + H, Clips.size(matte));
        assertEquals(T, Clips.packets(matte, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(matte));
        assertEquals("", Ffmpeg.probe(matte, "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0"));
        byte[][] mattes = Clips.frames(matte, W, H), regions = new byte[T][];
        for (int t = 0; t < T; t++) {
            byte[] want = new byte[W * H];
            if (t >= 4 && t <= 9) {
                byte[] labels = Clips.readPng(masks.resolve(String.format("%06d.png", t)));
                want = crop == null ? Clips.changedRegion(labels, W, H, WW, WH, 4) : Clips.changedRegion(labels, W, H, crop, WW, WH, 4);
                assertTrue(Clips.count(want) > 5000, "frame " + t + " has a matte");
            }
            Clips.assertMatte(want, mattes[t], "frame " + t);
            regions[t] = want;
        }
        assertEquals(names(4, 9), files(masks));
        assertEquals(T, Clips.packets(output, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(output));
        byte[][] got = Clips.frames(output, W, H);
        for (int t = 0; t < T; t++) {
            if (t < 4 || t > 9) {
                double p = Clips.psnr(source[t], got[t], null, false);
                assertTrue(p >= 40, "frame " + t + " outside the range: PSNR " + p + " dB");
            } else {
                // The output changed where the matte says, and only there.
                assertTrue(Clips.psnr(source[t], got[t], Clips.dilate(regions[t], W, H, CODEC_MARGIN), false) >= 40, "frame " + t + " outside its masks");
                assertTrue(Clips.meanAbs(source[t], got[t], regions[t], true) > 20, "frame " + t + " inside its masks");
            }
        }
    }

    @Test
    void trackFollowsTheObjectBothWaysAsTheTrackerDoes() throws Exception {
        Path masks = tmp.resolve("masks");
        assertEquals(0, run("track", clip.toString(), "--masks-out", masks.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT), err.toString());
        assertEquals(names(0, T - 1), files(masks));
        // The same model driven directly: a session from the prompt frame back to 0, another from it to the end.
        byte[][] want = new byte[T][];
        try (Tracker model = Tracker.load(Path.of(DEAOT)); VideoReader r = VideoReader.open(clip); Frame f = r.allocateFrame();
             Mask labels = Mask.allocate(W, H); Mask ref = Mask.allocate(W, H)) {
            byte[] given = Clips.movingBox(START, SPEED, PROMPT).mask(W, H);
            for (int i = 0; i < given.length; i++) given[i] = (byte) (given[i] != 0 ? 1 : 0);
            ref.copyFrom(given);
            want[PROMPT] = given;
            for (int direction : new int[] {-1, 1}) {
                try (Tracker.Session s = model.newSession(W, H, Tracker.SessionOptions.defaults())) {
                    r.seek(PROMPT);
                    r.read(f);
                    s.addObjects(f, ref);
                    for (int t = PROMPT + direction; t >= 0 && t < T; t += direction) {
                        r.seek(t);
                        r.read(f);
                        s.track(f, labels);
                        want[t] = new byte[W * H];
                        labels.copyTo(want[t]);
                    }
                }
            }
        }
        for (int t = 0; t < T; t++) {
            byte[] got = Clips.readPng(masks.resolve(String.format("%06d.png", t)));
            long differ = 0;
            for (int i = 0; i < got.length; i++) if (got[i] != want[t][i]) differ++;
            assertTrue(differ <= got.length / 1000, "frame " + t + ": " + differ + " pixels differ from the tracker's own run");
            assertTrue(Clips.count(want[t]) > 0, "frame " + t + " has an object to compare");
        }
    }

    @Test
    void pointPromptsGoThroughSamAsSegmentDoes() throws Exception {
        Path masks = tmp.resolve("masks"), seg = tmp.resolve("seg.png");
        Box b = Clips.movingBox(START, SPEED, 3);
        String point = (b.x() + b.w() / 2) + "," + (b.y() + b.h() / 2);
        assertEquals(0, run("track", clip.toString(), "--masks-out", masks.toString(), "--point", "3:" + point, "--sam", SAM, "--deaot", DEAOT,
                "--range", "2:4"), err.toString());
        assertEquals(names(2, 4), files(masks));
        assertEquals(0, run("segment", clip.toString(), "--frame", "3", "--point", point, "--multimask", "--sam", SAM, "-o", seg.toString()), err.toString());
        long best = (Long) Json.at(Json.parse(out.toString()), "best");
        byte[] want = Clips.readPng(tmp.resolve("seg_" + best + ".png")), got = Clips.readPng(masks.resolve("000003.png"));
        assertTrue(Clips.count(want) > 0);
        for (int i = 0; i < want.length; i++) assertEquals(want[i] != 0 ? 1 : 0, got[i], "pixel " + i + ": SAM's best mask is object 1");
    }

    @Test
    void badInputGetsItsExitCodeAndLeavesNothing() throws Exception {
        Path small = tmp.resolve("small.png");
        Clips.writePng(small, new byte[64 * 48], 64, 48);
        Path junk = Files.write(tmp.resolve("junk.pth"), new byte[] {'n', 'o', 'p', 'e'});
        Path text = Files.writeString(tmp.resolve("text.mp4"), "not a video");
        String o = tmp.resolve("out.mp4").toString(), m = PROMPT + ":" + promptMask;
        List<String> before = files(tmp);
        record Case(int code, String message, String[] args) {}
        List<Case> cases = List.of(
                new Case(Main.BAD_INPUT, "outside the 640x352 frame", new String[] {"--point", "2:700,10", "--sam", SAM}),
                new Case(Main.BAD_INPUT, "past the last frame", new String[] {"--point", "40:10,10", "--sam", SAM}),
                new Case(Main.BAD_INPUT, "is 64x48 but the video is 640x352", new String[] {"--mask", "2:" + small}),
                new Case(Main.BAD_INPUT, "--deaot " + SAM + " is a sam checkpoint, not DeAOT", new String[] {"--mask", m, "--deaot", SAM}),
                new Case(Main.BAD_INPUT, "--e2fgvi " + junk, new String[] {"--mask", m, "--e2fgvi", junk.toString()}),
                new Case(Main.BAD_INPUT, "--sam " + tmp.resolve("none.pth"), new String[] {"--point", "2:10,10", "--sam", tmp.resolve("none.pth").toString(),
                        "--segmenter", "neural"}), // (--engine auto segments with GrabCut where SAM's weights are missing)
                new Case(Main.BAD_INPUT, "--temp", new String[] {"--mask", m, "--temp", tmp.resolve("notemp").toString()}),
                new Case(Main.BAD_INPUT, "outside --range 0:3", new String[] {"--mask", m, "--range", "0:3"}),
                new Case(Main.USAGE, "--crop", new String[] {"--mask", m, "--crop", "maybe"}),
                new Case(Main.USAGE, "--codec", new String[] {"--mask", m, "--codec", "av1"}),
                new Case(Main.USAGE, "--point takes F:X,Y", new String[] {"--point", "10,10"}),
                new Case(Main.USAGE, "no object given", new String[] {}),
                new Case(Main.USAGE, "--range", new String[] {"--mask", m, "--range", "9:3"}));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("remove", clip.toString(), "-o", o));
            args.addAll(List.of(c.args()));
            if (!args.contains("--deaot")) args.addAll(List.of("--deaot", DEAOT));
            if (!args.contains("--e2fgvi")) args.addAll(List.of("--e2fgvi", E2FGVI));
            assertEquals(c.code(), run(args.toArray(String[]::new)), String.join(" ", c.args()) + ": " + err);
            assertTrue(err.toString().contains(c.message()), c.message() + " <- " + err);
        }
        assertEquals(Main.BAD_INPUT, run("remove", text.toString(), "-o", o, "--mask", m, "--deaot", DEAOT, "--e2fgvi", E2FGVI));
        assertTrue(err.toString().contains("text.mp4"), err.toString());
        assertEquals(Main.BAD_INPUT, run("remove", clip.toString(), "-o", tmp.resolve("no/dir/out.mp4").toString(), "--mask", m, "--deaot", DEAOT,
                "--e2fgvi", E2FGVI));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        assertEquals(Main.USAGE, run("track", clip.toString(), "--mask", m, "--deaot", DEAOT), "track needs --masks-out");
        assertEquals(Main.BAD_INPUT, run("remove", clip.toString(), "-o", o, "--mask", m, "--deaot", SAM, "--e2fgvi", E2FGVI, "--progress", "json"));
        Object last = Json.parse(err.toString().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertEquals("failed", Json.at(last, "event"), err.toString());
        assertTrue(((String) Json.at(last, "message")).contains("not DeAOT"), err.toString());
        assertEquals(before, files(tmp), "nothing may be written");
    }

    @Test
    void ctrlCMidRenderExits130AndLeavesNothing() throws Exception {
        Path output = tmp.resolve("never.mp4"), masks = tmp.resolve("masks"), temp = Files.createDirectory(tmp.resolve("temp"));
        // SIGINT, as Ctrl-C sends it; a JVM started with SIGINT ignored (a background job without job control) keeps ignoring it.
        boolean sigintIgnored = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
                .map(l -> Long.parseLong(l.substring(7).strip(), 16)).anyMatch(mask -> (mask & 2) != 0);
        Process p = new ProcessBuilder(Jvm.cli(List.of("-Dinpainterz.library.path=" + System.getProperty("inpainterz.library.path")),
                "remove", clip.toString(), "-o", output.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT, "--e2fgvi", E2FGVI,
                "--masks-out", masks.toString(), "--temp", temp.toString(), "--progress", "json")).start();
        BufferedReader stderr = new BufferedReader(new InputStreamReader(p.getErrorStream()));
        StringBuilder seen = new StringBuilder();
        for (String l; (l = stderr.readLine()) != null; ) {
            seen.append(l).append('\n');
            if (l.contains("\"stage\":\"remove\"")) break;
        }
        assertTrue(seen.toString().contains("\"stage\":\"remove\""), seen.toString());
        assertEquals(0, new ProcessBuilder("kill", sigintIgnored ? "-TERM" : "-INT", String.valueOf(p.pid())).start().waitFor());
        for (String l; (l = stderr.readLine()) != null; ) seen.append(l).append('\n');
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the cancel takes effect within a model block");
        assertEquals(sigintIgnored ? 143 : Main.CANCELLED, p.exitValue(), seen.toString());
        assertTrue(seen.toString().contains("\"event\":\"cancelled\""), seen.toString());
        assertFalse(Files.exists(output));
        assertFalse(Files.exists(masks));
        assertEquals(List.of(), files(temp));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().contains("never.mp4") || f.getFileName().toString().contains("masks")),
                    "no partial output or staging folder may remain");
        }
    }
}
