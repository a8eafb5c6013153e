package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Tracker;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Ffmpeg;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code track --matte-out} and {@code track --everything} with the parity checkpoints (tiny SAM,
 * DeAOT-T; random weights, so masks are noise and the tests check structure): the matte against
 * masks dilated here, and segment-everything's objects tracked forward as DeAOT tracks them.
 */
class TrackCommandTest {
    static final int W = 640, H = 352, T = 10;
    static final Box START = new Box(120, 120, 96, 80);
    static final int SPEED = 16, PROMPT = 6;
    static final String DEAOT = Fixtures.file("deaot/deaott/weights.pth").toString(), SAM = Fixtures.file("sam/tiny/weights.pth").toString();

    @TempDir
    static Path shared;
    static Path clip, promptMask;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, START, SPEED);
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

    /** The matte's size, frame count and timestamps are the source's; no audio. */
    static void assertMatteStream(Path matte, Path source, int w, int h, int frames) throws Exception {
        assertEquals(w + "x" + h, Clips.size(matte));
        assertEquals(frames, Clips.packets(matte, "v:0"));
        assertEquals(Ffmpeg.framePtsMicros(source), Ffmpeg.framePtsMicros(matte));
        assertEquals("", Ffmpeg.probe(matte, "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0"), "no audio");
    }

    /** Crop {@code i} of a report's "crops". */
    static Box crop(Object report, int i) {
        int[] c = new int[4];
        for (int k = 0; k < 4; k++) c[k] = ((Long) Json.at(report, "crops", i, "crop", k)).intValue();
        return new Box(c[0], c[1], c[2], c[3]);
    }

    @Test
    void theMatteIsDilatedWhereTheChosenInpainterWould() throws Exception {
        Path masks = tmp.resolve("masks"), matte = tmp.resolve("matte.mp4"), matte2 = tmp.resolve("matte2.mp4");
        Path matte3 = tmp.resolve("matte3.mp4"), matte4 = tmp.resolve("matte4.mp4");
        // --crop off, the neural inpainter, E2FGVI: its 432x240, 2 dilations.
        assertEquals(0, run("track", clip.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT, "--range", "4:8", "--dilate", "2",
                "--inpainter", "neural", "--crop", "off", "--masks-out", masks.toString(), "--matte-out", matte.toString()), err.toString());
        assertEquals(matte.toString(), Json.at(Json.parse(out.toString()), "matte"));
        assertEquals(names(4, 8), files(masks));
        assertMatteStream(matte, clip, W, H, T);
        // The weight-free inpainter's working size is this clip's own: dilated at the source size; the matte alone.
        assertEquals(0, run("track", clip.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT, "--range", "4:8", "--dilate", "2",
                "--inpainter", "classical", "--crop", "off", "--matte-out", matte2.toString()), err.toString());
        assertMatteStream(matte2, clip, W, H, T);
        // The crop on (the default) and no --dilate: as remove, with the inpainter's own dilation: E2FGVI's 4 at 432x240 of the
        // crop remove would choose; the weight-free inpainter's 8 on the whole frame at 1:1 (it takes this frame at its own size,
        // so remove runs it whole even with the crop on).
        assertEquals(0, run("track", clip.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT, "--range", "4:8",
                "--inpainter", "neural", "--matte-out", matte3.toString()), err.toString());
        Object neural = Json.parse(out.toString());
        assertEquals("4:8", Json.at(neural, "crops", 0, "frames"));
        assertEquals("432x240", Json.at(neural, "crops", 0, "working_size"));
        Box c3 = crop(neural, 0); // the random-weight tracker's masks may span the frame: then the crop is the frame
        assertEquals(0, run("track", clip.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT, "--range", "4:8",
                "--inpainter", "classical", "--matte-out", matte4.toString()), err.toString());
        assertEquals(null, Json.at(Json.parse(out.toString()), "crops"), "no crop");
        byte[][] m1 = Clips.frames(matte, W, H), m2 = Clips.frames(matte2, W, H), m3 = Clips.frames(matte3, W, H), m4 = Clips.frames(matte4, W, H);
        for (int t = 0; t < T; t++) {
            byte[] labels = t < 4 || t > 8 ? new byte[W * H] : Clips.readPng(masks.resolve(String.format("%06d.png", t)));
            if (t >= 4 && t <= 8) assertTrue(Clips.count(labels) > 1000, "frame " + t + " has an object");
            Clips.assertMatte(Clips.changedRegion(labels, W, H, 432, 240, 2), m1[t], "E2FGVI's size, frame " + t);
            Clips.assertMatte(Clips.dilate(labels, W, H, 2), m2[t], "the source's size, frame " + t);
            Clips.assertMatte(Clips.changedRegion(labels, W, H, c3, 432, 240, 4), m3[t], "E2FGVI's crop, frame " + t);
            Clips.assertMatte(Clips.dilate(labels, W, H, 8), m4[t], "the weight-free inpainter's whole frame, frame " + t);
        }
        assertEquals(List.of("masks", "matte.mp4", "matte2.mp4", "matte3.mp4", "matte4.mp4"), files(tmp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "off"})
    void trackWritesTheMatteRemoveWritesWithTheSameOptions(String cropMode) throws Exception {
        // The weight-free engine end to end (deterministic): the same masks, so the same matte, frame for frame. At 1920x360 its
        // whole-frame working size is 1280x240, so with the crop on remove crops (and so does track).
        int w = 1920, h = 360, frames = 8, prompt = 4;
        Path wide = Clips.make(tmp, "wide.mp4", w, h, frames, START, SPEED), mask = tmp.resolve("box.png");
        Clips.writePng(mask, Clips.movingBox(START, SPEED, prompt).mask(w, h), w, h);
        Path fromTrack = tmp.resolve("track.mp4"), fromRemove = tmp.resolve("remove.mp4"), output = tmp.resolve("out.mp4");
        assertEquals(0, run("track", wide.toString(), "--mask", prompt + ":" + mask, "--engine", "classical", "--range", "1:6",
                "--crop", cropMode, "--matte-out", fromTrack.toString()), err.toString());
        Object tracked = Json.parse(out.toString());
        assertEquals(0, run("remove", wide.toString(), "-o", output.toString(), "--mask", prompt + ":" + mask, "--engine", "classical",
                "--range", "1:6", "--crop", cropMode, "--matte-out", fromRemove.toString()), err.toString());
        Object removed = Json.parse(out.toString());
        if (cropMode.equals("on")) assertEquals("1:6", Json.at(removed, "crops", 0, "frames"), "remove cropped");
        else assertEquals(null, Json.at(removed, "crops"));
        assertEquals(Json.write(Json.at(removed, "crops")), Json.write(Json.at(tracked, "crops")), "the same crops");
        byte[][] a = Clips.frames(fromTrack, w, h), b = Clips.frames(fromRemove, w, h);
        assertEquals(frames, a.length);
        long white = 0;
        for (int t = 0; t < frames; t++) {
            Clips.assertMatte(Clips.threshold(b[t]), a[t], "frame " + t);
            if (t >= 1 && t <= 6) white += Clips.count(Clips.threshold(a[t]));
            else assertEquals(0, Clips.count(Clips.threshold(a[t])), "frame " + t + " outside the range is black");
        }
        assertTrue(white > 6 * 5000, "the matte shows the box: " + white + " pixels");
    }

    @Test
    void badUsesOfEverythingAndTheMatteAreUsageErrors() throws Exception {
        String m = PROMPT + ":" + promptMask, masks = tmp.resolve("masks").toString();
        record Case(int code, String message, String[] args) {}
        List<Case> cases = List.of(
                new Case(Main.USAGE, "the weight-free engine has none", new String[] {"--everything", "--engine", "classical", "--masks-out", masks}),
                new Case(Main.USAGE, "the weight-free engine has none", new String[] {"--everything", "--segmenter", "classical", "--sam", SAM, "--masks-out", masks}),
                new Case(Main.USAGE, "--everything needs SAM weights", new String[] {"--everything", "--masks-out", masks}),
                new Case(Main.BAD_INPUT, "--sam " + tmp.resolve("none.pth"), new String[] {"--everything", "--sam", tmp.resolve("none.pth").toString(), "--masks-out", masks}),
                new Case(Main.USAGE, "--everything finds the objects itself", new String[] {"--everything", "--mask", m, "--sam", SAM, "--masks-out", masks}),
                new Case(Main.USAGE, "give --everything", new String[] {"--mask", m, "--sam-gap", "5", "--masks-out", masks}),
                new Case(Main.USAGE, "--sam-gap must be >= 1", new String[] {"--everything", "--sam-gap", "0", "--sam", SAM, "--masks-out", masks}),
                new Case(Main.USAGE, "--masks-out DIR, --matte-out FILE, or both", new String[] {"--mask", m}),
                new Case(Main.USAGE, "--dilate N sets how --matte-out is dilated", new String[] {"--mask", m, "--dilate", "3", "--masks-out", masks}),
                new Case(Main.USAGE, "--crop sets how --matte-out follows remove", new String[] {"--mask", m, "--crop", "off", "--masks-out", masks}),
                new Case(Main.USAGE, "--dilate must be >= 0", new String[] {"--mask", m, "--dilate", "-1", "--matte-out", tmp.resolve("m.mp4").toString()}),
                new Case(Main.BAD_INPUT, "--matte-out", new String[] {"--mask", m, "--matte-out", tmp.resolve("no/dir/matte.mp4").toString()}),
                new Case(Main.BAD_INPUT, "is the input", new String[] {"--mask", m, "--matte-out", clip.toString()}));
        String home = System.getProperty("inpainterz.home");
        System.setProperty("inpainterz.home", Files.createDirectory(tmp.resolve("home")).toString()); // no ckpt/ there: no default SAM
        try {
            for (Case c : cases) {
                List<String> args = new ArrayList<>(List.of("track", clip.toString(), "--deaot", DEAOT));
                args.addAll(List.of(c.args()));
                assertEquals(c.code(), run(args.toArray(String[]::new)), String.join(" ", c.args()) + ": " + err);
                assertTrue(err.toString().contains(c.message()), c.message() + " <- " + err);
            }
        } finally {
            if (home == null) System.clearProperty("inpainterz.home");
            else System.setProperty("inpainterz.home", home);
        }
        assertEquals(List.of("home"), files(tmp), "nothing may be written");
        assertEquals(Main.USAGE, run("remove", clip.toString(), "-o", tmp.resolve("o.mp4").toString(), "--everything"), "remove has no --everything");
    }

    @Test
    void everythingTracksTheAutomaticObjectsForwardFromTheRangesFirstFrame() throws Exception {
        // ffmpeg's test pattern, on which the fixture's random SAM finds one object with the app's settings.
        int w = 128, h = 72, first = 1, last = 4;
        Path small = Ffmpeg.make(tmp, "small.mp4", w + "x" + h, "25", 0.24, false, "-pix_fmt", "yuv420p");
        assertEquals(6, Clips.packets(small, "v:0"));
        Path masks = tmp.resolve("masks"), matte = tmp.resolve("matte.mp4");
        long start = System.nanoTime();
        assertEquals(0, run("track", small.toString(), "--everything", "--sam", SAM, "--deaot", DEAOT, "--range", first + ":" + last,
                "--inpainter", "neural", "--masks-out", masks.toString(), "--matte-out", matte.toString()), err.toString());
        System.out.printf("TrackCommandTest: track --everything of %d frames at %dx%d took %.1f s%n", last - first + 1, w, h, (System.nanoTime() - start) / 1e9);
        Object report = Json.parse(out.toString());
        assertEquals((long) last - first + 1, Json.at(report, "tracked_frames"));
        assertEquals(0L, Json.at(report, "backward_frames"), "forward only");
        long objects = (Long) Json.at(report, "objects");
        // A property of the fixture's weights and this clip, so that the reference path runs.
        assertTrue(objects >= 1, "the automatic masks gave no object: " + out);
        assertEquals(names(first, last), files(masks), "a map for every frame of the range, none outside");

        // Frame 1: ids 1..objects, each at least 200 pixels (the admission rule on an empty map).
        byte[] map = Clips.readPng(masks.resolve(String.format("%06d.png", first)));
        long[] area = new long[256];
        for (byte b : map) area[b & 0xff]++;
        for (int id = 1; id < 256; id++) {
            if (id <= objects) assertTrue(area[id] >= 200, "object " + id + " has " + area[id] + " pixels");
            else assertEquals(0, area[id], "no id above " + objects);
        }
        // Later frames (no automatic masks before frame 11): DeAOT tracking frame 1's map, as the model does on its own.
        try (Tracker model = Tracker.load(Path.of(DEAOT)); VideoReader r = VideoReader.open(small); Frame f = r.allocateFrame();
             Mask labels = Mask.allocate(w, h); Mask ref = Mask.allocate(w, h); Tracker.Session s = model.newSession(w, h, Tracker.SessionOptions.defaults())) {
            r.seek(first);
            r.read(f);
            ref.copyFrom(map);
            s.addObjects(f, ref);
            for (int t = first + 1; t <= last; t++) {
                r.read(f);
                s.track(f, labels);
                byte[] want = new byte[w * h];
                labels.copyTo(want);
                byte[] got = Clips.readPng(masks.resolve(String.format("%06d.png", t)));
                long differ = 0;
                for (int i = 0; i < got.length; i++) if (got[i] != want[i]) differ++;
                assertTrue(differ <= got.length / 1000, "frame " + t + ": " + differ + " pixels differ from the tracker's own run");
            }
        }
        // The matte of the same run: the source's frames and times, E2FGVI's dilation (4) in the range at 432x240 of the crop
        // remove would choose (the crop on, the default), black outside it.
        assertEquals(first + ":" + last, Json.at(report, "crops", 0, "frames"));
        Box c = crop(report, 0);
        assertMatteStream(matte, small, w, h, 6);
        byte[][] mattes = Clips.frames(matte, w, h);
        for (int t = 0; t < 6; t++) {
            byte[] labels = t < first || t > last ? new byte[w * h] : Clips.readPng(masks.resolve(String.format("%06d.png", t)));
            Clips.assertMatte(Clips.changedRegion(labels, w, h, c, 432, 240, 4), mattes[t], "frame " + t);
        }
    }
}
