package io.inpainterz.quality;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs named removal methods on ground-truth clips and reports, per clip and method, the
 * {@link HoleMetrics} scores as a Markdown table, with side-by-side PNG strips
 * (input | mask | each method | ground truth) of chosen frames.
 *
 * <pre>{@code
 * var harness = new QualityHarness(Path.of("target/quality"), 10, 30);
 * var report = harness.run(GroundTruthClip.standardSet(432, 240, 40, 1), List.of(
 *         new QualityHarness.Entry("border mean", QualityHarness.Masks.ALL_FRAMES, Baselines.borderMean()),
 *         new QualityHarness.Entry("classical", QualityHarness.Masks.FIRST_FRAME, task -> myEngine(task))));
 * System.out.println(report.markdown());
 * }</pre>
 */
public final class QualityHarness {
    /** Which of the clip's true masks a method is given. */
    public enum Masks {
        /** Every frame's true mask: the method only inpaints (e.g. per-frame Telea). */
        ALL_FRAMES,
        /** Only frame 0's: the method must track the object itself, and its tracking errors count. */
        FIRST_FRAME
    }

    /**
     * What a method is given: the composited input frames (RGB24, {@code 3 x width x height}
     * bytes each, row-major) and the true masks it is allowed (one byte a pixel, 255 = object):
     * one per frame for {@link Masks#ALL_FRAMES}, a list of one (frame 0's) for
     * {@link Masks#FIRST_FRAME}. The arrays are copies made for this call; a method may write
     * into them. The ground truth is never given.
     */
    public record Task(String clip, int width, int height, List<byte[]> frames, Masks given, List<byte[]> masks) {}

    /**
     * A removal method under test: returns one RGB24 frame of {@code task.width() x task.height()}
     * for each input frame, in order, with the objects removed. Only the pixels inside each
     * frame's true mask are scored, so a method may change others (a dilated mask) freely. It may
     * return the task's own input arrays, written in place.
     */
    @FunctionalInterface
    public interface Method {
        List<byte[]> run(Task task) throws Exception;
    }

    /** A method under a name (a table row and a picture column), with the masks it gets. */
    public record Entry(String name, Masks given, Method method) {}

    /** One method on one clip: its scores and its wall time per frame. */
    public record Result(String clip, String method, Masks given, HoleMetrics.Scores scores, double secondsPerFrame) {}

    /** The results in run order, the Markdown written to {@code quality.md}, and the PNG strips written. */
    public record Report(List<Result> results, String markdown, List<Path> pictures) {}

    private final Path outDir;
    private final int[] pictureFrames;

    /**
     * Writes to {@code outDir} (created if needed) a strip for each of {@code pictureFrames} (frame
     * indices; those past a clip's end are skipped) of each clip; none when none are given.
     */
    public QualityHarness(Path outDir, int... pictureFrames) {
        this.outDir = outDir;
        this.pictureFrames = pictureFrames.clone();
    }

    /** Runs every method on every clip; fails on the first method that throws or returns the wrong frames. */
    public Report run(List<Clip> clips, List<Entry> methods) {
        Set<String> names = new HashSet<>();
        for (Entry e : methods) if (!names.add(e.name())) throw new InvalidInputException("two methods are named '" + e.name() + "'");
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new FileAccessException(outDir + ": cannot create the output folder: " + e.getMessage());
        }
        List<Result> results = new ArrayList<>();
        List<Path> pictures = new ArrayList<>();
        for (Clip clip : clips) {
            List<List<byte[]>> outputs = new ArrayList<>();
            for (Entry e : methods) {
                long start = System.nanoTime();
                List<byte[]> out = runOne(e, clip);
                double seconds = (System.nanoTime() - start) / 1e9;
                results.add(new Result(clip.name(), e.name(), e.given(), HoleMetrics.score(clip, out), seconds / clip.frames()));
                byte[][] kept = new byte[clip.frames()][]; // only the pictures' frames: the rest can go once scored
                for (int t : pictureFrames) if (t >= 0 && t < clip.frames()) kept[t] = out.get(t);
                outputs.add(java.util.Arrays.asList(kept));
            }
            for (int t : pictureFrames) {
                if (t < 0 || t >= clip.frames()) continue;
                Path png = outDir.resolve(fileName(clip.name()) + "-" + String.format("%03d", t) + ".png");
                strip(clip, t, outputs).writePng(png);
                pictures.add(png);
            }
        }
        String md = markdown(clips, methods, results, pictures);
        try {
            Files.writeString(outDir.resolve("quality.md"), md);
        } catch (IOException e) {
            throw new FileAccessException(outDir.resolve("quality.md") + ": cannot write: " + e.getMessage());
        }
        return new Report(List.copyOf(results), md, List.copyOf(pictures));
    }

    private static List<byte[]> runOne(Entry e, Clip clip) {
        List<byte[]> frames = new ArrayList<>(), masks = new ArrayList<>();
        for (byte[] f : clip.input()) frames.add(f.clone());
        int given = e.given() == Masks.ALL_FRAMES ? clip.frames() : 1;
        for (int t = 0; t < given; t++) masks.add(clip.masks().get(t).clone());
        List<byte[]> out;
        try {
            out = e.method().run(new Task(clip.name(), clip.width(), clip.height(), frames, e.given(), masks));
        } catch (Exception ex) {
            throw new IllegalStateException("method '" + e.name() + "' failed on clip " + clip.name() + ": " + ex.getMessage(), ex);
        }
        if (out == null || out.size() != clip.frames()) {
            throw new IllegalStateException("method '" + e.name() + "' returned " + (out == null ? "null" : out.size() + " frames") + " for clip " + clip.name() + " of " + clip.frames());
        }
        for (int t = 0; t < out.size(); t++) {
            if (out.get(t) == null || out.get(t).length != 3 * clip.width() * clip.height()) {
                throw new IllegalStateException("method '" + e.name() + "' frame " + t + " of clip " + clip.name() + " is not " + clip.width() + "x" + clip.height() + " RGB24");
            }
        }
        return out;
    }

    /** input | mask | each output | truth, side by side with 4-pixel white gaps. */
    static RgbImage strip(Clip clip, int t, List<List<byte[]>> outputs) {
        int w = clip.width(), h = clip.height(), gap = 4;
        List<byte[]> cols = new ArrayList<>();
        cols.add(clip.input().get(t));
        byte[] m = clip.masks().get(t), mask = new byte[3 * w * h];
        for (int p = 0; p < w * h; p++) mask[3 * p] = mask[3 * p + 1] = mask[3 * p + 2] = m[p];
        cols.add(mask);
        for (List<byte[]> o : outputs) cols.add(o.get(t));
        cols.add(clip.truth().get(t));
        int sw = cols.size() * w + (cols.size() - 1) * gap;
        byte[] d = new byte[3 * sw * h];
        java.util.Arrays.fill(d, (byte) 255);
        for (int c = 0; c < cols.size(); c++) {
            for (int y = 0; y < h; y++) System.arraycopy(cols.get(c), 3 * y * w, d, 3 * (y * sw + c * (w + gap)), 3 * w);
        }
        return new RgbImage(sw, h, d);
    }

    static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String markdown(List<Clip> clips, List<Entry> methods, List<Result> results, List<Path> pictures) {
        StringBuilder s = new StringBuilder();
        s.append("### Clips\n\n| clip | size | frames | hole | background and camera |\n|---|---|---|---|---|\n");
        for (Clip c : clips) {
            s.append(String.format(Locale.ROOT, "| %s | %dx%d | %d | %.1f %% | %s |%n", c.name(), c.width(), c.height(), c.frames(), 100 * c.holeFraction(), c.source()));
        }
        s.append("\n### Scores inside the true masks\n\n");
        s.append("| clip | method | masks given | PSNR (dB) | SSIM | flicker | raw flicker | ms/frame |\n|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            HoleMetrics.Scores sc = r.scores();
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.4f | %.2f | %.2f | %.1f |%n", r.clip(), r.method(),
                    r.given() == Masks.ALL_FRAMES ? "all frames" : "first frame", Double.isInfinite(sc.psnr()) ? "inf" : String.format(Locale.ROOT, "%.2f", sc.psnr()),
                    sc.ssim(), sc.flicker(), sc.rawFlicker(), 1000 * r.secondsPerFrame()));
        }
        if (!pictures.isEmpty()) {
            s.append("\n### Pictures\n\nColumns: input | mask | ");
            for (Entry e : methods) s.append(e.name()).append(" | ");
            s.append("ground truth.\n\n");
            for (Path p : pictures) s.append("![").append(p.getFileName()).append("](").append(p.getFileName()).append(")\n\n");
        }
        return s.toString();
    }
}
