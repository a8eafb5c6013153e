package io.inpainterz.parity;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.NamedTensors;
import io.inpainterz.engine.TensorInfo;
import io.inpainterz.engine.Tracker;
import io.inpainterz.util.Json;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DeAOT parity (fixture README "Tolerances and how to compare"): the app's resize, the frame-0
 * and frame-1 intermediates of run A, and every run teacher-forced: each frame's sub-engine
 * logits, merged logits and labels, then the fixture's label fed back as the app feeds its own.
 */
public final class DeaotParity {
    private DeaotParity() {}

    private static final String[] RUNS = {"run_a_gap9999", "run_b_gap2", "run_c_incremental", "run_d_multi"};

    public static List<StageResult> run(ParityCase c) {
        List<StageResult> out = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); Tracker deaot = Tracker.load(c.dir().resolve("weights.pth"))) {
            NdArray frames = Npy.read(c.dir().resolve("frames.npy"), arena);
            NdArray resized = Npy.read(c.dir().resolve("frames_resized.npy"), arena);
            out.add(resize(c, frames, resized, arena));
            for (String run : RUNS) {
                if (Files.isDirectory(c.dir().resolve(run))) out.addAll(runOne(c, deaot, run, frames, resized, arena));
            }
        }
        return out;
    }

    /** Our resize of each frame against frames_resized.npy: within +-1 (README "Pre-processing"). */
    private static StageResult resize(ParityCase c, NdArray frames, NdArray resized, Arena arena) {
        long[] fs = frames.shape(), rs = resized.shape();
        long worst = 0, over = 0, total = 0;
        for (int t = 0; t < fs[0]; t++) {
            Frame src = frame(frames, t, arena);
            Frame dst = Tracker.resizeForNetwork(src, arena, (int) rs[2], (int) rs[1]);
            long plane = rs[1] * rs[2] * 3;
            for (long i = 0; i < plane; i++) {
                long d = Math.abs((dst.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff) - (long) resized.getDouble(t * plane + i));
                worst = Math.max(worst, d);
                if (d > 1) over++;
                total++;
            }
        }
        return new StageResult(c.id(), "resize (cubic) vs frames_resized", over == 0,
                String.format("max |diff| %d (tolerance 1), %d/%d values beyond", worst, over, total));
    }

    private static Frame frame(NdArray frames, int t, Arena arena) {
        long[] s = frames.shape();
        long bytes = s[1] * s[2] * 3;
        Frame f = Frame.allocate(arena, (int) s[2], (int) s[1]);
        f.data().copyFrom(frames.data().asSlice(t * bytes, bytes));
        return f;
    }

    private static Mask label(Path file, Arena arena) {
        NdArray a = Npy.read(file, arena);
        Mask m = Mask.allocate(arena, (int) a.shape()[1], (int) a.shape()[0]);
        m.data().copyFrom(a.data());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<StageResult> runOne(ParityCase c, Tracker deaot, String run, NdArray frames, NdArray resized, Arena arena) {
        List<StageResult> out = new ArrayList<>();
        Map<String, Object> cfg = (Map<String, Object>) Json.at(c.json(), "runs", run);
        int gap = ((Number) cfg.get("long_term_mem_gap")).intValue(), maxLen = ((Number) cfg.get("max_len_long_term")).intValue();
        List<Long> samFrames = ((List<Object>) cfg.getOrDefault("sam_frames", List.of())).stream().map(o -> ((Number) o).longValue()).toList();
        Path dir = c.dir().resolve(run);
        int T = (int) frames.shape()[0], H = (int) frames.shape()[1], W = (int) frames.shape()[2];
        double probTol = tol(c, "pred_prob"), lowTol = tol(c, "pred_lowres");
        long pixelBudget = ((Number) Json.at(c.json(), "tolerances", "pred_label", "max_differing_pixels_per_frame")).longValue();
        boolean intermediates = run.equals("run_a_gap9999");
        Tracker.SessionOptions o = Tracker.SessionOptions.defaults().withLongTermGap(gap).withUpstreamTruncation(maxLen).withNetworkInput(true);
        try (Tracker.Session s = deaot.newSession(W, H, o); NamedTensors rec = NamedTensors.recorder()) {
            Path ref = run.equals("run_d_multi") ? dir.resolve("pred_label_00.npy") : c.dir().resolve("mask0.npy");
            s.addObjects(frame(resized, 0, arena), label(ref, arena), null, intermediates ? rec : null);
            if (intermediates) out.addAll(intermediates(c, "f00_", List.of(rec), arena));
            Mask labels = Mask.allocate(arena, W, H);
            for (int t = 1; t < T; t++) {
                String xx = String.format("%02d", t);
                try (NamedTensors r = NamedTensors.recorder(); NamedTensors committed = NamedTensors.recorder()) {
                    s.predict(frame(resized, t, arena), labels, null, null, r);
                    for (int k = 0; k < 26; k++) {
                        Path f = dir.resolve("pred_lowres_" + xx + "_e" + k + ".npy");
                        if (!Files.exists(f)) break;
                        out.add(compare(c, run + "/pred_lowres_" + xx + "_e" + k, List.of(r), "pred_lowres_e" + k, f, new Tolerance(lowTol, 0), arena));
                    }
                    Path prob = dir.resolve("pred_prob_" + xx + ".npy");
                    if (Files.exists(prob)) out.add(compare(c, run + "/pred_prob_" + xx, List.of(r), "pred_prob", prob, new Tolerance(probTol, 0), arena));
                    Mask truth = label(dir.resolve("pred_label_" + xx + ".npy"), arena);
                    if (!samFrames.contains((long) t)) out.add(labels(c, run + "/pred_label_" + xx, labels, truth, pixelBudget));
                    // Teacher forcing: the fixture's label goes to memory, as the app feeds its own.
                    if (samFrames.contains((long) t)) s.addObjects(frame(resized, t, arena), truth, null, null);
                    else s.commit(truth, committed);
                    if (intermediates && t == 1) out.addAll(intermediates(c, "f01_", List.of(r, committed), arena));
                }
            }
            Object want = Json.at(cfg, "long_term_memory_tokens_per_engine_after_frame", String.valueOf(T - 1));
            if (want instanceof List<?> l && !l.isEmpty()) {
                long tokens = ((Number) l.get(0)).longValue();
                Tracker.Info info = s.info();
                long perFrame = (long) ((info.networkHeight() - 1) / 16 + 1) * ((info.networkWidth() - 1) / 16 + 1);
                out.add(new StageResult(c.id(), run + "/long-term memory", info.longTermFrames() * perFrame == tokens,
                        info.longTermFrames() + " frames x " + perFrame + " tokens = " + info.longTermFrames() * perFrame + " (upstream " + tokens + ")"));
            }
        }
        return out;
    }

    /** Every intermediates/<prefix>*.npy file against the stage the engine recorded under the short name. */
    private static List<StageResult> intermediates(ParityCase c, String prefix, List<NamedTensors> recs, Arena arena) {
        List<StageResult> out = new ArrayList<>();
        List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(c.dir().resolve("intermediates"))) {
            files = list.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".npy")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new io.inpainterz.FileAccessException("cannot list " + c.dir().resolve("intermediates") + ": " + e);
        }
        if (files.isEmpty()) out.add(new StageResult(c.id(), "intermediates/" + prefix + "*", false, "no fixture files"));
        for (Path f : files) {
            String file = f.getFileName().toString(), name = file.substring(prefix.length(), file.length() - 4);
            Object tolerance = Json.at(c.json(), "tolerances", "intermediates", prefix + name);
            out.add(compare(c, "intermediates/" + prefix + name, recs, name, f, tolerance == null ? Tolerance.EXACT : Tolerance.of(tolerance), arena));
        }
        return out;
    }

    private static double tol(ParityCase c, String key) {
        return ((Number) Json.at(c.json(), "tolerances", key, "atol")).doubleValue();
    }

    private static StageResult compare(ParityCase c, String stage, List<NamedTensors> recs, String name, Path file, Tolerance tol, Arena arena) {
        for (NamedTensors rec : recs) {
            TensorInfo t = rec.find(name).orElse(null);
            if (t == null) continue;
            NdArray actual = new NdArray(t.dtype(), t.shape(), rec.read(name, arena));
            return StageResult.numeric(c.id(), stage, Comparison.compare(actual, Npy.read(file, arena), tol), tol);
        }
        return new StageResult(c.id(), stage, false, "the engine recorded no '" + name + "'");
    }

    private static StageResult labels(ParityCase c, String stage, Mask ours, Mask truth, long budget) {
        long n = (long) ours.width() * ours.height(), differ = 0;
        MemorySegment a = ours.data(), b = truth.data();
        for (long i = 0; i < n; i++) if (a.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)) differ++;
        return new StageResult(c.id(), stage, differ <= budget, differ + "/" + n + " pixels differ (budget " + budget + ")");
    }

}
