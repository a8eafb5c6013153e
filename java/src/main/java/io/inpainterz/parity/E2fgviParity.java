package io.inpainterz.parity;

import io.inpainterz.FileAccessException;
import io.inpainterz.InpainterzException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.NamedTensors;
import io.inpainterz.engine.TensorInfo;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * E2FGVI parity (fixture README "Tolerances"): the variant read from the checkpoint; window 0
 * through the model's forward with every recorded stage against its .npy file
 * ({@code case.json -> tolerances.tensors.<name>.atol}); the whole clip through a session with
 * upstream's references ({@code ref_radius = -1}) against {@code comp_frames.npy} by the
 * fixture's rule; and the same clip streamed with the default reference radius, which must give
 * the same frames (while the clip is no longer than the radius, the set of references is the
 * same). Each of these runs once per case: the model is slow on a CPU.
 */
public final class E2fgviParity {
    private E2fgviParity() {}

    public static List<StageResult> run(ParityCase c) {
        List<StageResult> out = new ArrayList<>();
        Inpainter model;
        try {
            model = Inpainter.load(c.dir().resolve("weights.pth"));
        } catch (InpainterzException e) {
            out.add(new StageResult(c.id(), "e2fgvi load", false, e.getMessage()));
            return out;
        }
        try (Arena arena = Arena.ofShared(); model) {
            out.add(variant(c, model));
            out.addAll(window0(c, model, arena));
            out.addAll(DeformConvParity.run(c)); // dcn_*, dcn_general_*: the op alone
            out.addAll(clip(c, model, arena));
        }
        return out;
    }

    private static StageResult variant(ParityCase c, Inpainter model) {
        boolean hq = "e2fgvi_hq".equals(c.json().get("model"));
        int depth = ((Number) c.json().get("depth")).intValue();
        String want = (hq ? "E2FGVI-HQ" : "E2FGVI") + " (" + depth + (depth == 1 ? " block)" : " blocks)");
        boolean ok = want.equals(model.variant()) && model.isHq() == hq;
        return new StageResult(c.id(), "variant", ok, "'" + model.variant() + "', hq " + model.isHq() + " (expected '" + want + "', hq " + hq + ")");
    }

    // ---- window 0 ---------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static List<StageResult> window0(ParityCase c, Inpainter model, Arena arena) {
        List<StageResult> out = new ArrayList<>();
        NdArray input = Npy.read(c.dir().resolve("window0_input.npy"), arena);
        long[] s = input.shape(); // 1 x frames x 3 x H x W
        Map<String, Object> ids = readJson(c.dir().resolve("window0_ids.json"));
        int numLocal = ((List<Object>) ids.get("neighbor_ids")).size();
        long frames = s[1], height = s[3], width = s[4];
        MemorySegment pred = arena.allocate(ValueLayout.JAVA_FLOAT, frames * 3 * height * width);
        Map<String, Object> tolerances = (Map<String, Object>) Json.at(c.json(), "tolerances", "tensors");
        try (NamedTensors rec = NamedTensors.recorder()) {
            long t0 = System.nanoTime();
            try {
                model.forward(input.data(), frames, height, width, numLocal, pred, null, rec);
            } catch (InpainterzException e) {
                out.add(new StageResult(c.id(), "window0 forward", false, e.getMessage()));
                return out;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // Every stage with a fixture file: those case.json gives a tolerance, and those the engine recorded.
            TreeSet<String> names = new TreeSet<>();
            for (String n : tolerances.keySet()) if (Files.exists(npy(c, n))) names.add(n);
            for (TensorInfo t : rec.list()) if (Files.exists(npy(c, t.name()))) names.add(t.name());
            for (String name : names) {
                Object tol = tolerances.get(name);
                TensorInfo t = rec.find(name).orElse(null);
                if (tol == null) out.add(new StageResult(c.id(), name, false, "no tolerance in case.json tolerances.tensors"));
                else if (t == null) out.add(new StageResult(c.id(), name, false, "the engine recorded no '" + name + "'"));
                else {
                    NdArray actual = new NdArray(t.dtype(), t.shape(), rec.read(name, arena));
                    Tolerance tolerance = Tolerance.of(tol);
                    out.add(StageResult.numeric(c.id(), name, Comparison.compare(actual, Npy.read(npy(c, name), arena), tolerance), tolerance));
                }
            }
            // The caller's pred buffer holds what was recorded as window0_pred (the fixture has it uncropped, all frames).
            NdArray want = Npy.read(npy(c, "window0_pred"), arena);
            Tolerance tol = Tolerance.of(tolerances.get("window0_pred"));
            StageResult r = StageResult.numeric(c.id(), "window0 pred (returned)", Comparison.compare(new NdArray(want.dtype(), want.shape(), pred), want, tol), tol);
            out.add(new StageResult(r.caseName(), r.stage(), r.passed(), r.summary() + String.format("  (%.1f s)", seconds)));
        }
        return out;
    }

    private static Path npy(ParityCase c, String name) {
        return c.dir().resolve(name + ".npy");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readJson(Path file) {
        try {
            return (Map<String, Object>) Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new FileAccessException("cannot read '" + file + "': " + e);
        }
    }

    // ---- the whole clip ---------------------------------------------------------------------

    /** The frames of one session run, and whether anything odd happened on the way. */
    private record ClipRun(MemorySegment frames, String problem, double seconds) {}

    @SuppressWarnings("unchecked")
    private static List<StageResult> clip(ParityCase c, Inpainter model, Arena arena) {
        List<StageResult> out = new ArrayList<>();
        NdArray frames = Npy.read(c.dir().resolve("frames.npy"), arena);
        NdArray masks = Npy.read(c.dir().resolve("masks.npy"), arena);
        NdArray dilated = Npy.read(c.dir().resolve("masks_dilated.npy"), arena);
        NdArray truth = Npy.read(c.dir().resolve("comp_frames.npy"), arena);
        Map<String, Object> app = (Map<String, Object>) Json.at(c.json(), "hyperparameters", "app");
        Map<String, Object> rule = (Map<String, Object>) Json.at(c.json(), "tolerances", "comp_frames");
        int numRef = ((Number) app.get("num_ref")).intValue();
        if (numRef != -1) {
            out.add(new StageResult(c.id(), "comp_frames", false, "num_ref " + numRef + ": only upstream's -1 (every reference) is reproduced"));
            return out;
        }
        Inpainter.SessionOptions upstream = Inpainter.SessionOptions.defaults()
                .withNeighborStride(((Number) app.get("neighbor_stride")).intValue())
                .withRefStride(((Number) app.get("ref_length")).intValue())
                .withDilation(((Number) app.get("dilate_iterations")).intValue());
        int maxLevel = ((Number) rule.get("recommended_max_level_diff")).intValue();
        double maxFrac = ((Number) rule.get("recommended_max_frac_diff")).doubleValue();

        ClipRun all;
        try {
            all = runClip(model, upstream.withAllReferences(), frames, masks, arena);
        } catch (InpainterzException e) {
            out.add(new StageResult(c.id(), "comp_frames", false, e.getMessage()));
            return out;
        }
        StageResult r = compFrames(c, "comp_frames", all.frames(), truth, dilated, maxLevel, maxFrac);
        out.add(new StageResult(c.id(), r.stage(), r.passed() && all.problem() == null,
                (all.problem() == null ? "" : all.problem() + "; ") + r.summary() + String.format("  (%.1f s)", all.seconds())));

        int radius = upstream.refRadius();
        long T = frames.shape()[0];
        String stage = "comp_frames (ref_radius " + radius + ", streamed)";
        if (radius < T - 1) {
            out.add(new StageResult(c.id(), stage, false, "the default ref_radius " + radius + " is shorter than the clip (" + T
                    + " frames): the references differ from upstream's, nothing to compare"));
            return out;
        }
        ClipRun streamed;
        try {
            streamed = runClip(model, upstream, frames, masks, arena);
        } catch (InpainterzException e) {
            out.add(new StageResult(c.id(), stage, false, e.getMessage()));
            return out;
        }
        long at = streamed.frames().mismatch(all.frames());
        String same = at == -1 ? "identical to ref_radius -1" : "differs from ref_radius -1 at byte " + at;
        StageResult v = compFrames(c, stage, streamed.frames(), truth, dilated, maxLevel, maxFrac);
        out.add(new StageResult(c.id(), stage, at == -1 && v.passed() && streamed.problem() == null,
                same + "; " + (streamed.problem() == null ? "" : streamed.problem() + "; ") + v.summary() + String.format("  (%.1f s)", streamed.seconds())));
        return out;
    }

    /** Pushes every frame, taking the final ones as they come, then finishes; frames in clip order. */
    private static ClipRun runClip(Inpainter model, Inpainter.SessionOptions o, NdArray frames, NdArray masks, Arena arena) {
        int T = (int) frames.shape()[0], H = (int) frames.shape()[1], W = (int) frames.shape()[2];
        long bytes = (long) W * H * 3, plane = (long) W * H;
        MemorySegment result = arena.allocate(bytes * T);
        Frame frame = Frame.allocate(arena, W, H), dst = Frame.allocate(arena, W, H);
        Mask mask = Mask.allocate(arena, W, H);
        List<String> problems = new ArrayList<>();
        long next = 0;
        long t0 = System.nanoTime();
        try (Inpainter.Session s = model.session(W, H, o)) {
            for (int t = 0; t <= T; t++) {
                int ready;
                if (t < T) {
                    frame.data().copyFrom(frames.data().asSlice(t * bytes, bytes));
                    mask.data().copyFrom(masks.data().asSlice(t * plane, plane));
                    ready = s.add(frame, mask, null);
                    if (o.refRadius() < 0 && ready != 0) problems.add(ready + " frame(s) ready after push " + t + " with every reference (none expected before finish)");
                } else {
                    ready = s.flush(null);
                }
                for (; ready > 0; ready--) {
                    long index = s.pop(dst);
                    if (index != next) problems.add("frame " + index + " came where " + next + " was due");
                    if (index >= 0 && index < T) result.asSlice(index * bytes, bytes).copyFrom(dst.data().asSlice(0, bytes));
                    next++;
                }
            }
            if (next != T) problems.add(next + " frames came out of " + T);
        }
        return new ClipRun(result, problems.isEmpty() ? null : String.join("; ", problems), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The fixture's rule: outside the dilated mask exactly equal; inside, |diff| <= maxLevel and at
     * most maxFrac of the in-mask values differing.
     */
    static StageResult compFrames(ParityCase c, String stage, MemorySegment ours, NdArray truth, NdArray dilated, int maxLevel, double maxFrac) {
        long[] s = truth.shape();
        long pixels = s[0] * s[1] * s[2];
        long outside = 0, outsideDiffer = 0, inside = 0, insideDiffer = 0, worst = 0;
        String first = null;
        MemorySegment want = truth.data(), m = dilated.data();
        for (long p = 0; p < pixels; p++) {
            boolean in = m.get(ValueLayout.JAVA_BYTE, p) != 0;
            for (int ch = 0; ch < 3; ch++) {
                long i = 3 * p + ch;
                int a = ours.get(ValueLayout.JAVA_BYTE, i) & 0xff, b = want.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                int d = Math.abs(a - b);
                if (in) {
                    inside++;
                    if (d != 0) insideDiffer++;
                    worst = Math.max(worst, d);
                } else {
                    outside++;
                    if (d != 0) outsideDiffer++;
                }
                if (d != 0 && first == null && (!in || d > maxLevel)) {
                    long t = p / (s[1] * s[2]), y = p / s[2] % s[1], x = p % s[2];
                    first = String.format("frame %d (%d, %d) channel %d: %d, want %d (%s the mask)", t, x, y, ch, a, b, in ? "inside" : "outside");
                }
            }
        }
        double frac = inside == 0 ? 0 : (double) insideDiffer / inside;
        boolean ok = outsideDiffer == 0 && worst <= maxLevel && frac <= maxFrac && inside > 0;
        String summary = String.format("outside the dilated mask %d/%d values differ (exact); inside %d/%d differ (%.4f%%, limit %.2f%%), max %d level(s) (limit %d)",
                outsideDiffer, outside, insideDiffer, inside, 100 * frac, 100 * maxFrac, worst, maxLevel) + (first == null ? "" : "; first: " + first);
        return new StageResult(c.id(), stage, ok, summary);
    }
}
