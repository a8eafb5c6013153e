package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CancelledException;
import io.inpainterz.FileAccessException;
import io.inpainterz.InpainterzException;
import io.inpainterz.InternalErrorException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's wiring with model-free stages whose results are known exactly ({@link FakeStages}):
 * which frames each tracker session sees and in which order, the merged label maps of forward
 * and backward passes with corrections, the region composited at the source size, the range,
 * feathering, bad input, cancel and failures. An odd-sized clip and --crf 0, so the writer
 * encodes lossless 4:4:4 and only the RGB/YUV conversions' rounding (at most 2 per channel)
 * stands between the composite and what ffmpeg decodes: the tests hold it to 3, pixel by pixel.
 */
class RemovePipelineTest {
    static final int W = 161, H = 91, T = 20, WW = 81, WH = 46;
    static final Box START = new Box(10, 30, 24, 20), BOX_A = new Box(20, 8, 30, 18), BOX_B = new Box(60, 55, 30, 20), SQUARE = new Box(122, 32, 16, 16);

    @TempDir
    static Path shared;
    static Path clip;
    static byte[][] source;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, START, 4);
        source = Clips.frames(clip, W, H);
        assertEquals(T, source.length);
    }

    Path maskFile(String name, Box b) throws Exception {
        Path f = tmp.resolve(name);
        Clips.writePng(f, b.mask(W, H), W, H);
        return f;
    }

    /** Lossless (4:4:4 at this odd size), so composites can be checked pixel by pixel; whole frames ({@code --crop off}). */
    static final RemovePipeline.Options LOSSLESS = RemovePipeline.Options.defaults().withWriter(VideoWriter.Options.defaults().withCrf(0)).withCrop(false);
    static final int ROUNDING = 3;

    static RemovePipeline.StageFactory<Segmenter> never(String what) {
        return job -> {
            throw new AssertionError(what + " must not be opened");
        };
    }

    static List<String> log(String... calls) {
        return List.of(calls);
    }

    static String call(String what, int frame) {
        return what + ":" + FakeStages.checksum(source[frame]);
    }

    static byte[] fillFrame() {
        byte[] f = new byte[W * H * 3];
        for (int i = 0; i < W * H; i++) System.arraycopy(FakeStages.FillInpainter.FILL, 0, f, 3 * i, 3);
        return f;
    }

    /** Pixels of {@code m} whose whole (2r+1) square lies inside it. */
    static byte[] erode(byte[] m, int r) {
        byte[] out = new byte[m.length];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean in = true;
                for (int yy = y - r; yy <= y + r && in; yy++) {
                    for (int xx = x - r; xx <= x + r && in; xx++) in = yy >= 0 && yy < H && xx >= 0 && xx < W && m[yy * W + xx] != 0;
                }
                if (in) out[y * W + x] = 1;
            }
        }
        return out;
    }

    static List<String> files(Path dir) throws Exception {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyObjectIsTrackedBothWaysWithCorrectionsAndOnlyItsRegionChanges() throws Exception {
        Path a = maskFile("a.png", BOX_A), b = maskFile("b.png", BOX_B);
        Prompts prompts = new Prompts(List.of(
                List.of(new Prompt.MaskFile(8, a), new Prompt.MaskFile(14, b)),
                List.of(new Prompt.Point(4, 130, 40, true), new Prompt.Point(4, 5, 5, false))));
        Path temp = Files.createDirectory(tmp.resolve("temp")), masks = tmp.resolve("masks"), out = tmp.resolve("out.mp4");
        FakeStages.BoxSegmenter seg = new FakeStages.BoxSegmenter(8);
        FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(3);
        List<String> stages = new ArrayList<>();
        Job job = Job.create().onProgress((stage, done, total) -> {
            if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage)) stages.add(stage);
        });
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, prompts,
                LOSSLESS.withDilate(2).withTemp(temp).withMasksOut(masks), j -> seg, j -> tracker, j -> fill).run(job);

        assertEquals(List.of("segment", "track.backward", "remove"), stages);
        assertEquals(T, r.frames());
        assertEquals(T, r.trackedFrames());
        assertEquals(9, r.backwardFrames(), "frames 8 down to 0");
        assertEquals(new Inpainter.Size(WW, WH), r.workingSize());
        assertEquals(1, seg.prepared, "one prompt frame needs the segmenter");
        assertTrue(seg.closed && tracker.closed && fill.closed, "the pipeline closes the stages it opened");
        assertEquals(List.of(), files(temp), "the temporary masks are gone");

        // Backward: from the latest reference (8) down to 0, object 2 joining at its reference (4).
        List<String> backward = new ArrayList<>(List.of(call("ref", 8)));
        for (int t = 7; t >= 0; t--) {
            if (t == 4) {
                backward.add(call("predict", 4));
                backward.add(call("ref", 4));
            } else {
                backward.add(call("track", t));
            }
        }
        assertEquals(backward, tracker.sessions.get(0));
        // Forward: from the earliest reference (4) on, object 1 joining at 8, corrected at 14.
        List<String> forward = new ArrayList<>(List.of(call("ref", 4)));
        for (int t = 5; t < T; t++) {
            if (t == 8 || t == 14) {
                forward.add(call("predict", t));
                forward.add(call("ref", t));
            } else {
                forward.add(call("track", t));
            }
        }
        assertEquals(forward, tracker.sessions.get(1));
        assertEquals(2, tracker.sessions.size());

        // Index masks: object 2 everywhere (its reference and then copies), object 1 box A until its correction, box B after.
        List<String> names = new ArrayList<>();
        for (int t = 0; t < T; t++) names.add(String.format("%06d.png", t));
        assertEquals(names, files(masks));
        assertEquals(T, r.masksWritten());
        byte[][] labels = new byte[T][];
        for (int t = 0; t < T; t++) {
            byte[] want = new byte[W * H];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (SQUARE.contains(x, y)) want[y * W + x] = 2;
                    else if ((t < 14 ? BOX_A : BOX_B).contains(x, y)) want[y * W + x] = 1;
                }
            }
            labels[t] = Clips.readPng(masks.resolve(names.get(t)));
            assertArrayEquals(want, labels[t], "label map of frame " + t);
        }

        // The video: the source's size, frames, timestamps and audio; the fill exactly in the dilated region, the source elsewhere.
        assertEquals(W + "x" + H, Clips.size(out));
        assertEquals(T, Clips.packets(out, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        assertEquals(Clips.packets(clip, "a:0"), Clips.packets(out, "a:0"));
        assertEquals(Ffmpeg.audioSamples(clip), Ffmpeg.audioSamples(out));
        byte[][] got = Clips.frames(out, W, H);
        byte[] filled = fillFrame();
        for (int t = 0; t < T; t++) {
            byte[] region = Clips.changedRegion(labels[t], W, H, WW, WH, 2);
            assertTrue(Clips.count(region) > 500, "frame " + t + " has a region to fill");
            assertTrue(Clips.maxAbs(source[t], got[t], region, false) <= ROUNDING, "frame " + t + ": outside the dilated masks, the source");
            // Inside, away from the edge (where the bicubic upscale mixes in the working frame's surroundings), the fill.
            assertTrue(Clips.maxAbs(filled, got[t], erode(region, 4), true) <= ROUNDING, "frame " + t + ": inside, the fill");
        }
    }

    static Box box(Crops.Rect r) {
        return new Box(r.x(), r.y(), r.width(), r.height());
    }

    /** The region the pipeline may change with the crop on (computed by {@link Clips#changedRegion(byte[], int, int, Box, int, int, int)}). */
    static byte[] cropRegion(byte[] labels, Crops.Rect c, Inpainter.Size ws, int dilation) {
        return Clips.changedRegion(labels, W, H, box(c), ws.width(), ws.height(), dilation);
    }

    /** What the inpainter must be given for frame t: the crop of the source resized to the working size, and of the mask. */
    static String push(int t, byte[] labels, Crops.Rect c, Inpainter.Size ws) {
        try (Frame crop = Frame.allocate(c.width(), c.height()); Frame work = Frame.allocate(ws.width(), ws.height())) {
            crop.copyFrom(Clips.cut(source[t], W, 3, box(c)));
            crop.resizeTo(work);
            byte[] mask = Clips.nearest(Clips.cut(labels, W, 1, box(c)), c.width(), c.height(), ws.width(), ws.height());
            for (int i = 0; i < mask.length; i++) mask[i] = (byte) (mask[i] != 0 ? 255 : 0); // the inpainter gets 255 = fill
            return "frame:" + FakeStages.checksum(work) + " mask:" + FakeStages.checksum(mask);
        }
    }

    @Test
    void withTheCropOnTheInpainterGetsTheCropAndOnlyItsDilatedMasksChange() throws Exception {
        Box mid = new Box(70, 30, 20, 14);
        Path a = maskFile("mid.png", mid), masks = tmp.resolve("masks"), out = tmp.resolve("out.mp4");
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(3);
        List<String> stages = new ArrayList<>();
        Job job = Job.create().onProgress((stage, done, total) -> {
            if (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage)) stages.add(stage);
        });
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))),
                LOSSLESS.withCrop(true).withDilate(2).withMasksOut(masks), never("the segmenter"), j -> new FakeStages.CopyTracker(), j -> fill).run(job);
        assertEquals(List.of("segment", "track.backward", "track", "remove"), stages, "tracking is a pass of its own");

        // The stand-in's whole-frame working size is 81x46: 20x14 + 16 px each side = 52x46, grown to 81x46 (its aspect ratio
        // and size), centred on (80, 37): x = round(39.5) = 40, y = 14. Its working size of that crop is half of it, 41x23.
        Crops.Rect c = new Crops.Rect(40, 14, 81, 46);
        Inpainter.Size ws = new Inpainter.Size(41, 23);
        assertEquals(List.of(new RemovePipeline.Crop(0, T - 1, c, ws)), r.crops());
        assertEquals(ws, r.workingSize());
        assertEquals(List.of(ws), fill.sessionSizes, "one session, at the crop's working size");
        byte[] labels = Clips.readPng(masks.resolve("000000.png"));
        byte[] ones = mid.mask(W, H);
        for (int i = 0; i < ones.length; i++) ones[i] = (byte) (ones[i] != 0 ? 1 : 0);
        assertArrayEquals(ones, labels, "the copy tracker's map is the prompt's on every frame");
        List<String> want = new ArrayList<>();
        for (int t = 0; t < T; t++) want.add(push(t, labels, c, ws));
        assertEquals(want, fill.pushes.get(0), "every frame's crop and mask, resized to the working size, in order");

        assertEquals(T, r.frames());
        assertEquals(W + "x" + H, Clips.size(out));
        assertEquals(T, Clips.packets(out, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        assertEquals(Clips.packets(clip, "a:0"), Clips.packets(out, "a:0"));
        byte[][] got = Clips.frames(out, W, H);
        byte[] region = cropRegion(labels, c, ws, 2);
        assertTrue(Clips.count(region) > 20 * 14, "the dilated mask is larger than the mask: " + Clips.count(region));
        for (int t = 0; t < T; t++) {
            assertTrue(Clips.maxAbs(source[t], got[t], region, false) <= ROUNDING, "frame " + t + ": outside the dilated mask, the source");
            assertTrue(Clips.maxAbs(fillFrame(), got[t], erode(region, 4), true) <= ROUNDING, "frame " + t + ": inside, the fill");
        }
    }

    @Test
    void runsFarApartGetCropsOfTheirOwnAndTheFramesBetweenAreNotInpainted() throws Exception {
        // Object 1 on frames 2 and 3 (top left), object 2 on 12 and 13 (bottom right); with 2 frames of context, two runs: 0..5, 10..15.
        Box p = new Box(20, 10, 12, 10), q = new Box(110, 50, 14, 12);
        Path dir = Files.createDirectory(tmp.resolve("in")), out = tmp.resolve("out.mp4");
        byte[][] labels = new byte[T][];
        for (int t = 0; t < T; t++) {
            labels[t] = new byte[W * H];
            Box b = t == 2 || t == 3 ? p : t == 12 || t == 13 ? q : null;
            if (b == null) continue;
            for (int y = b.y(); y < b.y() + b.h(); y++) for (int x = b.x(); x < b.x() + b.w(); x++) labels[t][y * W + x] = (byte) (b == p ? 1 : 2);
            Clips.writePng(dir.resolve(String.format("%06d.png", t)), labels[t], W, H);
        }
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(1);
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new MasksIn(dir, null), LOSSLESS.withCrop(true).withDilate(2), j -> fill)
                .runContext(2).run(null);
        // p: 44x42, 74x42, 81x46 around (26, 15), moved to the corner. q: 46x44, 78x44, 81x46 around (117, 56): x = round(76.5) = 77, y = 33.
        Inpainter.Size ws = new Inpainter.Size(41, 23);
        Crops.Rect cp = new Crops.Rect(0, 0, 81, 46), cq = new Crops.Rect(77, 33, 81, 46);
        assertEquals(List.of(new RemovePipeline.Crop(0, 5, cp, ws), new RemovePipeline.Crop(10, 15, cq, ws)), r.crops());
        assertEquals(List.of(ws, ws), fill.sessionSizes, "a session per run");
        List<String> first = new ArrayList<>(), second = new ArrayList<>();
        for (int t = 0; t <= 5; t++) first.add(push(t, labels[t], cp, ws));
        for (int t = 10; t <= 15; t++) second.add(push(t, labels[t], cq, ws));
        assertEquals(List.of(first, second), fill.pushes, "each run's frames, empty masks included (context), and no other frame");

        assertEquals(T, r.frames());
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        byte[][] got = Clips.frames(out, W, H);
        for (int t = 0; t < T; t++) {
            if (Clips.count(labels[t]) == 0) {
                assertTrue(Clips.maxAbs(source[t], got[t], null, false) <= ROUNDING, "frame " + t + " has no mask: the source");
                continue;
            }
            byte[] region = cropRegion(labels[t], t < 10 ? cp : cq, ws, 2);
            assertTrue(Clips.maxAbs(source[t], got[t], region, false) <= ROUNDING, "frame " + t + ": outside the dilated mask, the source");
            assertTrue(Clips.maxAbs(fillFrame(), got[t], erode(region, 4), true) <= ROUNDING, "frame " + t + ": inside, the fill");
        }
    }

    @Test
    void withTheCropOnTheRangeBoundsTheRunAndTheOtherFramesAreTheSource() throws Exception {
        Box mid = new Box(70, 30, 20, 14);
        Path a = maskFile("mid.png", mid), out = tmp.resolve("out.mp4");
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(2);
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))),
                LOSSLESS.withCrop(true).withRange(Range.parse("5:12")).withDilate(2), never("the segmenter"), j -> new FakeStages.CopyTracker(),
                j -> fill).run(null);
        Crops.Rect c = new Crops.Rect(40, 14, 81, 46); // as above: the same box
        Inpainter.Size ws = new Inpainter.Size(41, 23);
        assertEquals(List.of(new RemovePipeline.Crop(5, 12, c, ws)), r.crops(), "the run's context stops at the range");
        assertEquals(1, fill.pushes.size());
        assertEquals(8, fill.pushes.get(0).size(), "frames 5..12 only");
        assertEquals(T, r.frames());
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        byte[][] got = Clips.frames(out, W, H);
        byte[] region = cropRegion(mid.mask(W, H), c, ws, 2);
        assertRemovedOnlyIn(got, region, 5, 12);
    }

    /** Frames first..last filled inside {@code region} and the source's outside it; every other frame the source's. */
    private static void assertRemovedOnlyIn(byte[][] got, byte[] region, int first, int last) {
        for (int t = 0; t < T; t++) {
            if (t < first || t > last) {
                assertTrue(Clips.maxAbs(source[t], got[t], null, false) <= ROUNDING, "frame " + t + " outside the range is the source's");
            } else {
                assertTrue(Clips.maxAbs(source[t], got[t], region, false) <= ROUNDING, "frame " + t + " outside the mask");
                assertTrue(Clips.maxAbs(fillFrame(), got[t], erode(region, 4), true) <= ROUNDING, "frame " + t + " inside the mask");
            }
        }
    }

    @Test
    void withNoMaskAnywhereNothingIsInpaintedAndTheOutputIsTheSource() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("empty")), out = tmp.resolve("out.mp4");
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(1);
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new MasksIn(dir, null), LOSSLESS.withCrop(true), j -> fill).run(null);
        assertEquals(List.of(), r.crops());
        assertEquals(null, r.workingSize());
        assertEquals(List.of(), fill.sessionSizes, "no session at all");
        assertEquals(T, r.frames());
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        assertEquals(Clips.packets(clip, "a:0"), Clips.packets(out, "a:0"));
        byte[][] got = Clips.frames(out, W, H);
        for (int t = 0; t < T; t++) assertTrue(Clips.maxAbs(source[t], got[t], null, false) <= ROUNDING, "frame " + t + ": the source");
    }

    @Test
    void theRangeLeavesTheOtherFramesAsTheyWere() throws Exception {
        Path a = maskFile("a.png", BOX_A), masks = tmp.resolve("masks"), out = tmp.resolve("out.mp4");
        FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))),
                LOSSLESS.withRange(Range.parse("5:12")).withDilate(3).withMasksOut(masks),
                never("the segmenter"), j -> tracker, j -> new FakeStages.FillInpainter(2)).run(null);
        assertEquals(T, r.frames(), "every frame is written");
        assertEquals(8, r.trackedFrames());
        assertEquals(4, r.backwardFrames());
        assertEquals(List.of(call("ref", 8), call("track", 7), call("track", 6), call("track", 5)), tracker.sessions.get(0));
        assertEquals(List.of(call("ref", 8), call("track", 9), call("track", 10), call("track", 11), call("track", 12)), tracker.sessions.get(1));
        List<String> names = new ArrayList<>();
        for (int t = 5; t <= 12; t++) names.add(String.format("%06d.png", t));
        assertEquals(names, files(masks));
        assertEquals(T, Clips.packets(out, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(out));
        byte[][] got = Clips.frames(out, W, H);
        byte[] region = Clips.changedRegion(BOX_A.mask(W, H), W, H, WW, WH, 3);
        assertRemovedOnlyIn(got, region, 5, 12);
    }

    @Test
    void featherBlendsOverItsPixelsInsideTheEdgeAndNothingOutside() throws Exception {
        Path a = maskFile("a.png", BOX_A), out = tmp.resolve("out.mp4");
        int px = 3;
        RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(0, a)))),
                LOSSLESS.withRange(Range.parse("0:3")).withDilate(1).withFeather(px),
                never("the segmenter"), j -> new FakeStages.CopyTracker(), j -> new FakeStages.FillInpainter(1)).run(null);
        byte[][] got = Clips.frames(out, W, H);
        byte[] region = Clips.changedRegion(BOX_A.mask(W, H), W, H, WW, WH, 1);
        // What the pipeline blends in: the fake's working frame (the source resized, the dilated working mask filled), upscaled.
        byte[] up = new byte[W * H * 3];
        try (Frame src = Frame.allocate(W, H); Frame work = Frame.allocate(WW, WH); Frame back = Frame.allocate(W, H)) {
            src.copyFrom(source[2]);
            src.resizeTo(work);
            byte[] wp = new byte[WW * WH * 3];
            work.copyTo(wp);
            byte[] wm = Clips.dilate(Clips.nearest(BOX_A.mask(W, H), W, H, WW, WH), WW, WH, 1);
            for (int i = 0; i < wm.length; i++) if (wm[i] != 0) System.arraycopy(FakeStages.FillInpainter.FILL, 0, wp, 3 * i, 3);
            work.copyFrom(wp);
            work.resizeTo(back);
            back.copyTo(up);
        }
        // Expected: weight d / (px + 1) at chessboard distance d from the nearest pixel outside the region, full from px + 1.
        byte[] want = source[2].clone();
        int partial = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (region[y * W + x] == 0) continue;
                int d = px + 1;
                for (int yy = y - px; yy <= y + px; yy++) {
                    for (int xx = x - px; xx <= x + px; xx++) {
                        if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                        if (region[yy * W + xx] == 0) d = Math.min(d, Math.max(Math.abs(yy - y), Math.abs(xx - x)));
                    }
                }
                double al = Math.min(1.0, d / (double) (px + 1));
                if (al < 1) partial++;
                for (int c = 0; c < 3; c++) {
                    int i = 3 * (y * W + x) + c;
                    want[i] = (byte) Math.round((source[2][i] & 0xff) * (1 - al) + (up[i] & 0xff) * al);
                }
            }
        }
        assertTrue(partial > 50, "the test needs feathered pixels: " + partial);
        assertTrue(Clips.maxAbs(want, got[2], region, true) <= ROUNDING + 1, "inside: the blend, " + Clips.maxAbs(want, got[2], region, true));
        assertTrue(Clips.maxAbs(source[2], got[2], region, false) <= ROUNDING, "outside: the source");
    }

    @Test
    void trackWritesMasksOnlyAndSegmentsEachPromptFrameOnce() throws Exception {
        Path masks = tmp.resolve("m");
        FakeStages.BoxSegmenter seg = new FakeStages.BoxSegmenter(5);
        Prompts prompts = new Prompts(List.of(List.of(new Prompt.Box(3, 20, 8, 50, 26)), List.of(new Prompt.Point(3, 130, 40, true))));
        RemovePipeline.Result r = RemovePipeline.track(clip, prompts, RemovePipeline.Options.defaults().withMasksOut(masks),
                j -> seg, j -> new FakeStages.CopyTracker()).run(null);
        assertEquals(1, seg.prepared, "two objects on one frame: one embedding");
        assertEquals(T, r.frames());
        assertEquals(4, r.backwardFrames(), "frames 3 down to 0");
        assertEquals(null, r.workingSize());
        byte[] m = Clips.readPng(masks.resolve("000000.png"));
        assertEquals(30 * 18, Clips.count(m) - 10 * 10, "the box's pixels plus the point's square");
        assertEquals(1, m[10 * W + 25]);
        assertEquals(2, m[40 * W + 130]);
    }

    /** The matte's frames, decoded by ffmpeg: one value per pixel, after checking that R = G = B within the rounding. */
    static byte[][] matte(Path file) throws Exception {
        byte[][] rgb = Clips.frames(file, W, H);
        byte[][] out = new byte[rgb.length][W * H];
        for (int t = 0; t < rgb.length; t++) {
            for (int i = 0; i < W * H; i++) {
                int r = rgb[t][3 * i] & 0xff, g = rgb[t][3 * i + 1] & 0xff, b = rgb[t][3 * i + 2] & 0xff;
                if (Math.abs(r - g) > ROUNDING || Math.abs(r - b) > ROUNDING) throw new AssertionError("frame " + t + " pixel " + i + " is not gray");
                out[t][i] = (byte) r;
            }
        }
        return out;
    }

    /** Pixels whose matte value is more than the rounding away from {@code want} (255 where nonzero, else 0). */
    static long matteMisses(byte[] want, byte[] got) {
        long n = 0;
        for (int i = 0; i < want.length; i++) if (Math.abs((want[i] != 0 ? 255 : 0) - (got[i] & 0xff)) > ROUNDING) n++;
        return n;
    }

    @Test
    void theMatteIsTheDilatedMasksAtTheSourceTimesAndBlackOutsideTheRange() throws Exception {
        Path a = maskFile("a.png", BOX_A), masks = tmp.resolve("masks"), out = tmp.resolve("out.mp4"), matte = tmp.resolve("matte.mp4");
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))),
                LOSSLESS.withRange(Range.parse("5:12")).withDilate(3).withMasksOut(masks).withMatteOut(matte),
                never("the segmenter"), j -> new FakeStages.CopyTracker(), j -> new FakeStages.FillInpainter(2)).run(null);
        assertEquals(T, r.frames());
        assertEquals(W + "x" + H, Clips.size(matte));
        assertEquals(T, Clips.packets(matte, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(matte));
        assertEquals("", Ffmpeg.probe(matte, "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0"), "no audio");
        byte[][] got = matte(matte);
        for (int t = 0; t < T; t++) {
            byte[] want = t < 5 || t > 12 ? new byte[W * H] : Clips.changedRegion(Clips.readPng(masks.resolve(String.format("%06d.png", t))), W, H, WW, WH, 3);
            if (t >= 5 && t <= 12) assertTrue(Clips.count(want) > 500, "frame " + t + " has a matte");
            assertEquals(0, matteMisses(want, got[t]), "frame " + t);
        }
        // Where the matte is black, the output is the source's; where white, the fill.
        byte[][] video = Clips.frames(out, W, H);
        for (int t = 0; t < T; t++) assertTrue(Clips.maxAbs(source[t], video[t], got[t], false) <= ROUNDING, "frame " + t);
    }

    @Test
    void trackWritesTheMatteDilatedAtTheGivenWorkingSize() throws Exception {
        Path a = maskFile("a.png", BOX_A), masks = tmp.resolve("masks"), matte = tmp.resolve("matte.mp4");
        RemovePipeline.track(clip, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))),
                LOSSLESS.withRange(Range.parse("3:")).withDilate(2).withMasksOut(masks).withMatteOut(matte), never("the segmenter"),
                j -> new FakeStages.CopyTracker()).matteAt(new RemovePipeline.MatteRule((w, h) -> new Inpainter.Size(50, 30), 7)).run(null);
        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(matte));
        byte[][] got = matte(matte);
        assertEquals(T, got.length);
        for (int t = 0; t < T; t++) {
            byte[] want = t < 3 ? new byte[W * H] : Clips.changedRegion(Clips.readPng(masks.resolve(String.format("%06d.png", t))), W, H, 50, 30, 2);
            assertEquals(0, matteMisses(want, got[t]), "frame " + t);
        }
        // Without a rule of its own, E2FGVI's (432x240, its own dilation 4 where none is given): only the matte, no masks folder.
        Path matte2 = tmp.resolve("matte2.mp4");
        RemovePipeline.track(clip, new Prompts(List.of(List.of(new Prompt.MaskFile(8, a)))), LOSSLESS.withMatteOut(matte2),
                never("the segmenter"), j -> new FakeStages.CopyTracker()).run(null);
        byte[] want = Clips.changedRegion(BOX_A.mask(W, H), W, H, 432, 240, 4);
        byte[][] got2 = matte(matte2);
        for (int t = 0; t < T; t++) assertEquals(0, matteMisses(want, got2[t]), "frame " + t);
        assertEquals(List.of("a.png", "masks", "matte.mp4", "matte2.mp4"), files(tmp));
    }

    /** Keeps each reference's labels for that frame only: tracked frames lose every object (masks on prompt frames only). */
    static final class ForgetfulTracker implements Tracker {
        @Override
        public String description() {
            return "forgetful";
        }

        @Override
        public Session newSession(int width, int height) {
            byte[] none = new byte[width * height];
            return new Session() {
                @Override
                public void addReference(Frame frame, io.inpainterz.engine.Mask labels, Job job) {}

                @Override
                public void track(Frame frame, io.inpainterz.engine.Mask labels, Job job) {
                    labels.copyFrom(none);
                }

                @Override
                public void predict(Frame frame, io.inpainterz.engine.Mask labels, Job job) {
                    labels.copyFrom(none);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void close() {}
    }

    @Test
    void withTheCropOnTheMatteIsEachRunsDilatedMaskInItsCropAndTrackWritesTheSame() throws Exception {
        // Masks on frames 2 (p) and 14 (q) only; with 2 frames of context, two runs, 0..4 and 12..16, each with a crop of its own.
        Box p = new Box(20, 10, 12, 10), q = new Box(110, 50, 14, 12);
        Prompts prompts = new Prompts(List.of(List.of(new Prompt.MaskFile(2, maskFile("p.png", p))), List.of(new Prompt.MaskFile(14, maskFile("q.png", q)))));
        Path out = tmp.resolve("out.mp4"), matte = tmp.resolve("matte.mp4"), trackMatte = tmp.resolve("track.mp4");
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(1);
        // No --dilate: the inpainter's own, 4 (the fake's).
        RemovePipeline.Options o = LOSSLESS.withCrop(true).withMatteOut(matte);
        RemovePipeline.Result r = RemovePipeline.remove(clip, out, prompts, o, never("the segmenter"), j -> new ForgetfulTracker(), j -> fill)
                .runContext(2).run(null);
        assertEquals(2, r.crops().size(), r.crops().toString());
        RemovePipeline.Crop cp = r.crops().get(0), cq = r.crops().get(1);
        assertEquals(List.of(0L, 4L, 12L, 16L), List.of(cp.first(), cp.last(), cq.first(), cq.last()));
        assertTrue(cp.rect().contains(new Crops.Rect(p.x(), p.y(), p.w(), p.h())) && cq.rect().contains(new Crops.Rect(q.x(), q.y(), q.w(), q.h())));
        assertTrue(cp.rect().width() < W && cq.rect().width() < W, "crops, not whole frames");

        assertEquals(Ffmpeg.framePtsMicros(clip), Ffmpeg.framePtsMicros(matte));
        byte[][] got = matte(matte), video = Clips.frames(out, W, H);
        assertEquals(T, got.length);
        for (int t = 0; t < T; t++) {
            byte[] want = t == 2 ? cropRegion(p.mask(W, H), cp.rect(), cp.workingSize(), 4)
                    : t == 14 ? cropRegion(q.mask(W, H), cq.rect(), cq.workingSize(), 4) : new byte[W * H];
            if (t == 2 || t == 14) assertTrue(Clips.count(want) > Clips.count(t == 2 ? p.mask(W, H) : q.mask(W, H)), "frame " + t + ": dilated");
            assertEquals(0, matteMisses(want, got[t]), "frame " + t);
            // Black: the source; white: the fill (away from the edge, where the upscale mixes in the surroundings).
            assertTrue(Clips.maxAbs(source[t], video[t], want, false) <= ROUNDING, "frame " + t + ": outside the matte, the source");
            if (Clips.count(want) > 0) assertTrue(Clips.maxAbs(fillFrame(), video[t], erode(want, 4), true) <= ROUNDING, "frame " + t + ": inside, the fill");
        }

        // track with the same options and the inpainter's rule: the same crops, the same matte, pixel for pixel.
        RemovePipeline.Result tr = RemovePipeline.track(clip, prompts, LOSSLESS.withCrop(true).withMatteOut(trackMatte), never("the segmenter"),
                j -> new ForgetfulTracker()).matteAt(RemovePipeline.MatteRule.of(fill)).runContext(2).run(null);
        assertEquals(r.crops(), tr.crops());
        assertEquals(null, tr.workingSize());
        byte[][] tracked = matte(trackMatte);
        for (int t = 0; t < T; t++) assertArrayEquals(got[t], tracked[t], "frame " + t);
    }

    @Test
    void trackWithTheCropOnFollowsTheCropRemoveWouldChooseAndTheRange() throws Exception {
        Box mid = new Box(70, 30, 20, 14);
        Prompts prompts = new Prompts(List.of(List.of(new Prompt.MaskFile(8, maskFile("mid.png", mid)))));
        Path matte = tmp.resolve("matte.mp4"), whole = tmp.resolve("whole.mp4");
        // An inpainter that halves what it is given (the fake's rule, dilation 4): remove would crop, and so does track.
        RemovePipeline.MatteRule half = RemovePipeline.MatteRule.of(new FakeStages.FillInpainter(1));
        RemovePipeline.Result r = RemovePipeline.track(clip, prompts, LOSSLESS.withCrop(true).withRange(Range.parse("5:12")).withMatteOut(matte),
                never("the segmenter"), j -> new FakeStages.CopyTracker()).matteAt(half).run(null);
        Crops.Rect c = Crops.crop(new Crops.Rect(mid.x(), mid.y(), mid.w(), mid.h()), W, H, 4, half.workingSize());
        Inpainter.Size ws = half.workingSize().of(c.width(), c.height());
        assertEquals(List.of(new RemovePipeline.Crop(5, 12, c, ws)), r.crops());
        byte[] want = cropRegion(mid.mask(W, H), c, ws, 4);
        byte[][] got = matte(matte);
        assertEquals(T, got.length);
        for (int t = 0; t < T; t++) assertEquals(0, matteMisses(t < 5 || t > 12 ? new byte[W * H] : want, got[t]), "frame " + t);

        // The weight-free inpainter takes this frame at its own size, so remove runs it whole even with the crop on: track too,
        // with its dilation, 8, at 1:1.
        RemovePipeline.MatteRule classical = RemovePipeline.MatteRule.of(new ClassicalInpainter());
        assertEquals(8, classical.defaultDilation());
        RemovePipeline.Result rw = RemovePipeline.track(clip, prompts, LOSSLESS.withCrop(true).withRange(Range.parse("5:12")).withMatteOut(whole),
                never("the segmenter"), j -> new FakeStages.CopyTracker()).matteAt(classical).run(null);
        assertEquals(List.of(), rw.crops(), "no crop");
        byte[] dilated = Clips.dilate(mid.mask(W, H), W, H, 8);
        byte[][] gotWhole = matte(whole);
        for (int t = 0; t < T; t++) assertEquals(0, matteMisses(t < 5 || t > 12 ? new byte[W * H] : dilated, gotWhole[t]), "frame " + t);
    }

    /** Hands out masks chosen by frame index (found from the frame's pixels) and records the frames it saw. */
    static final class ListAutoSegmenter implements AutoSegmenter {
        final java.util.Map<Integer, List<byte[]>> byFrame;
        final List<Integer> calls = new ArrayList<>();
        boolean closed;

        ListAutoSegmenter(java.util.Map<Integer, List<byte[]>> byFrame) {
            this.byFrame = byFrame;
        }

        @Override
        public String description() {
            return "lists";
        }

        @Override
        public List<io.inpainterz.engine.Mask> everything(Frame frame, Job job) {
            long c = FakeStages.checksum(frame);
            int t = 0;
            while (FakeStages.checksum(source[t]) != c) t++;
            calls.add(t);
            List<io.inpainterz.engine.Mask> out = new ArrayList<>();
            for (byte[] m : byFrame.getOrDefault(t, List.of())) {
                io.inpainterz.engine.Mask mask = io.inpainterz.engine.Mask.allocate(W, H);
                mask.copyFrom(m);
                out.add(mask);
            }
            return out;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void everythingAdmitsNewObjectsEveryGapFramesThroughTheReferencePath() throws Exception {
        Box c = new Box(80, 10, 30, 20); // 600 pixels, 100 of them under the second mask of frame 7: 83 % uncovered
        Box tiny = new Box(0, 0, 10, 10), underA = new Box(22, 10, 20, 12);
        ListAutoSegmenter seg = new ListAutoSegmenter(java.util.Map.of(
                2, List.of(tiny.mask(W, H)), // nothing big enough: no object, no tracker session yet
                7, List.of(BOX_A.mask(W, H), new Box(60, 20, 30, 20).mask(W, H)),
                12, List.of(underA.mask(W, H), c.mask(W, H))));
        FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
        Path masks = tmp.resolve("masks");
        RemovePipeline.Result r = RemovePipeline.trackEverything(clip, 5, RemovePipeline.Options.defaults().withRange(Range.parse("2:15")).withMasksOut(masks),
                j -> seg, j -> tracker).run(null);
        assertEquals(List.of(2, 7, 12), seg.calls, "the range's first frame and every 5 frames");
        assertTrue(seg.closed && tracker.closed);
        assertEquals(3, r.objects());
        assertEquals(0, r.backwardFrames(), "forward only");
        assertEquals(14, r.trackedFrames());
        List<String> forward = new ArrayList<>(List.of(call("ref", 7)));
        for (int t = 8; t <= 15; t++) {
            if (t == 12) {
                forward.add(call("predict", 12));
                forward.add(call("ref", 12));
            } else {
                forward.add(call("track", t));
            }
        }
        assertEquals(List.of(forward), tracker.sessions);
        List<String> names = new ArrayList<>();
        for (int t = 2; t <= 15; t++) names.add(String.format("%06d.png", t));
        assertEquals(names, files(masks));
        Box b = new Box(60, 20, 30, 20);
        for (int t = 2; t <= 15; t++) {
            byte[] want = new byte[W * H];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int i = y * W + x;
                    if (t >= 7 && BOX_A.contains(x, y)) want[i] = 1;
                    else if (t >= 7 && b.contains(x, y)) want[i] = 2;
                    else if (t >= 12 && c.contains(x, y)) want[i] = 3; // only its uncovered pixels; the mask under A is covered
                }
            }
            assertArrayEquals(want, Clips.readPng(masks.resolve(String.format("%06d.png", t))), "label map of frame " + t);
        }
    }

    @Test
    void badInputFailsBeforeAnyModelAndLeavesNothing() throws Exception {
        Path small = tmp.resolve("small.png");
        Clips.writePng(small, new byte[100], 10, 10);
        Path text = Files.writeString(tmp.resolve("notavideo.mp4"), "hello");
        Path out = tmp.resolve("out.mp4");
        List<String> before = files(tmp);
        record Case(String message, Class<? extends InpainterzException> type, Prompts prompts, RemovePipeline.Options options, Path input, Path output) {}
        RemovePipeline.Options d = RemovePipeline.Options.defaults();
        Prompts ok = new Prompts(List.of(List.of(new Prompt.Point(3, 10, 10, true))));
        List<Case> cases = List.of(
                new Case("outside the 161x91 frame", InvalidInputException.class, new Prompts(List.of(List.of(new Prompt.Point(3, 500, 10, true)))), d, clip, out),
                new Case("past the last frame", InvalidInputException.class, new Prompts(List.of(List.of(new Prompt.Box(25, 1, 1, 5, 5)))), d, clip, out),
                new Case("is 10x10 but the video is 161x91", InvalidInputException.class, new Prompts(List.of(List.of(new Prompt.MaskFile(2, small)))), d, clip, out),
                new Case("does not exist", io.inpainterz.FileAccessException.class, new Prompts(List.of(List.of(new Prompt.MaskFile(2, tmp.resolve("none.png"))))), d, clip, out),
                new Case("starts past the last frame", InvalidInputException.class, ok, d.withRange(Range.parse("30:")), clip, out),
                new Case("ends past the last frame", InvalidInputException.class, ok, d.withRange(Range.parse("0:40")), clip, out),
                new Case("outside --range 5:12", InvalidInputException.class, ok, d.withRange(Range.parse("5:12")), clip, out),
                new Case("does not exist", FileAccessException.class, ok, d, clip, tmp.resolve("no/such/out.mp4")),
                new Case("--temp", FileAccessException.class, ok, d.withTemp(tmp.resolve("notemp")), clip, out),
                new Case("notavideo.mp4", InpainterzException.class, ok, d, text, out),
                new Case("is the input", InvalidInputException.class, ok, d, clip, clip),
                new Case("--matte-out", FileAccessException.class, ok, d.withMatteOut(tmp.resolve("no/such/matte.mp4")), clip, out),
                new Case("--matte-out '" + out + "' is the output", InvalidInputException.class, ok, d.withMatteOut(out), clip, out),
                new Case("--matte-out '" + clip + "' is the input", InvalidInputException.class, ok, d.withMatteOut(clip), clip, out));
        for (Case c : cases) {
            InpainterzException e = assertThrows(c.type(), () -> RemovePipeline.remove(c.input(), c.output(), c.prompts(), c.options(), never("SAM"),
                    j -> { throw new AssertionError("the tracker must not load"); }, j -> { throw new AssertionError("the inpainter must not load"); })
                    .run(null), c.message());
            assertTrue(e.getMessage().contains(c.message()), c.message() + " <- " + e.getMessage());
        }
        // An empty segmentation is bad input too, named by object and frame.
        InvalidInputException empty = assertThrows(InvalidInputException.class, () -> RemovePipeline.remove(clip, out, ok, d,
                j -> new FakeStages.BoxSegmenter(0), j -> { throw new AssertionError("the tracker must not load"); }, null).run(null));
        assertTrue(empty.getMessage().contains("object 1") && empty.getMessage().contains("frame 3") && empty.getMessage().contains("empty"), empty.getMessage());
        assertEquals(before, files(tmp), "nothing may be left behind");
        assertTrue(Files.exists(clip));
    }

    @Test
    void aCancelStopsEveryStageAndLeavesNothing() throws Exception {
        Path a = maskFile("a.png", BOX_A), temp = Files.createDirectory(tmp.resolve("temp")), out = tmp.resolve("out.mp4");
        FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
        tracker.sleepMs = 20;
        FakeStages.FillInpainter fill = new FakeStages.FillInpainter(3);
        fill.sleepMs = 20;
        Job job = Job.create();
        job.onProgress((stage, done, total) -> {
            if (stage.equals("remove") && done >= 3) job.cancel();
        });
        List<String> before = files(tmp);
        assertThrows(CancelledException.class, () -> RemovePipeline.remove(clip, out, new Prompts(List.of(List.of(new Prompt.MaskFile(5, a)))),
                RemovePipeline.Options.defaults().withTemp(temp).withMasksOut(tmp.resolve("masks")).withMatteOut(tmp.resolve("matte.mp4")), never("SAM"),
                j -> tracker, j -> fill).run(job));
        assertFalse(Files.exists(out));
        assertEquals(List.of(), files(temp));
        assertEquals(before, files(tmp), "no output, no masks folder, no staging folder");
        assertTrue(tracker.closed && fill.closed);
    }

    @Test
    void aStageFailureFailsTheRunWithItsErrorAndLeavesNothing() throws Exception {
        Path a = maskFile("a.png", BOX_A), out = tmp.resolve("out.mp4");
        FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
        tracker.failAtChecksum = FakeStages.checksum(source[11]);
        List<String> before = files(tmp);
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> RemovePipeline.remove(clip, out,
                new Prompts(List.of(List.of(new Prompt.MaskFile(2, a)))), RemovePipeline.Options.defaults().withMatteOut(tmp.resolve("matte.mp4")),
                never("SAM"), j -> tracker,
                j -> new FakeStages.FillInpainter(2)).run(null));
        assertTrue(e.getMessage().contains("on purpose"), e.getMessage());
        assertEquals(before, files(tmp));
    }
}
