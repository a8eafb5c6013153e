package io.inpainterz.parity;

import io.inpainterz.engine.DType;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.NamedTensors;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import io.inpainterz.engine.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SAM parity (fixture README "Conventions" and "Tolerances"): every recorded stage of
 * set_image and of each prompt case against the upstream arrays, with case.json's tolerances;
 * boolean masks by the fixture's flip rule.
 */
public final class SamParity {
    private SamParity() {}

    static final List<String> IMAGE_STAGES = List.of("input_image_resized", "input_tensor", "patch_embed", "image_embedding");
    static final List<String> CASE_STAGES = List.of("sparse_embeddings", "dense_embeddings", "decoder_hs", "decoder_hyper_in",
            "iou_predictions_all", "low_res_logits", "iou_predictions", "masks_logits");

    public static List<StageResult> run(ParityCase c) {
        List<StageResult> out = new ArrayList<>();
        try (Arena arena = Arena.ofShared();
             Sam sam = Sam.load(c.dir().resolve("weights.pth"));
             NamedTensors rec = NamedTensors.recorder()) {
            NdArray image = Npy.read(c.dir().resolve("image.npy"), arena);
            long[] s = image.shape();
            Frame frame = Frame.allocate(arena, (int) s[1], (int) s[0]);
            frame.data().copyFrom(image.data());
            try (Sam.Embedding embedding = sam.embed(frame, null, rec)) {
                List<String> stages = new ArrayList<>(IMAGE_STAGES);
                for (TensorInfo t : rec.list()) if (t.name().startsWith("block_")) stages.add(stages.size() - 1, t.name());
                for (String stage : stages) out.add(compare(c, stage, stage + ".npy", rec, arena));
                for (Path caseDir : caseDirs(c.dir())) out.addAll(runCase(c, sam, embedding, caseDir, arena));
            }
            for (String amg : List.of("amg_crop0", "amg_crop1", "amg_synthetic_crop1")) {
                if (Files.isDirectory(c.dir().resolve(amg))) out.addAll(runAmg(c, sam, frame, c.dir().resolve(amg), arena));
            }
        }
        return out;
    }

    private static List<Path> caseDirs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("case_") && Files.isDirectory(p)).sorted().toList();
        } catch (IOException e) {
            throw new io.inpainterz.FileAccessException("cannot list " + dir + ": " + e);
        }
    }

    private static List<StageResult> runCase(ParityCase c, Sam sam, Sam.Embedding embedding, Path dir, Arena arena) {
        String name = dir.getFileName().toString();
        Object caseInfo = io.inpainterz.util.Json.at(c.json(), "cases", name);
        boolean multimask = caseInfo instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("multimask_output"));
        float[] points = null, boxes = null, maskInput = null;
        int[] labels = null;
        if (Files.exists(dir.resolve("point_coords.npy"))) {
            points = floats(Npy.read(dir.resolve("point_coords.npy"), arena));
            NdArray l = Npy.read(dir.resolve("point_labels.npy"), arena);
            labels = new int[(int) l.numElements()];
            for (int i = 0; i < labels.length; i++) labels[i] = (int) l.getDouble(i);
        }
        for (String f : List.of("box.npy", "boxes.npy")) {
            if (Files.exists(dir.resolve(f))) boxes = floats(Npy.read(dir.resolve(f), arena));
        }
        if (Files.exists(dir.resolve("mask_input.npy"))) maskInput = floats(Npy.read(dir.resolve("mask_input.npy"), arena));

        List<StageResult> out = new ArrayList<>();
        try (NamedTensors rec = NamedTensors.recorder()) {
            SamPrediction p = sam.predict(embedding, new SamPrompt(points, labels, boxes, maskInput, multimask), arena, rec);
            if (name.equals(firstCase(c))) out.add(compare(c, "dense_pe", "dense_pe.npy", rec, arena));
            for (String stage : CASE_STAGES) out.add(compare(c, name + "/" + stage, name + "/" + stage + ".npy", rec, arena));
            out.add(masks(c, name, p, arena));
        }
        return out;
    }

    /**
     * Automatic mask generation with the case's generator parameters: same count, order,
     * crop boxes and points; bbox within 1 px, area within 10 px + 0.1 %, predicted IoU within
     * the iou_predictions atol, stability within 1e-3; masks within the masks flip budget. The
     * model-free "synthetic" case (formula logits in place of SAM) must match exactly.
     */
    @SuppressWarnings("unchecked")
    private static List<StageResult> runAmg(ParityCase c, Sam sam, Frame frame, Path dir, Arena arena) {
        String id = dir.getFileName().toString();
        Map<String, Object> meta;
        try {
            meta = (Map<String, Object>) io.inpainterz.util.Json.parse(Files.readString(dir.resolve("amg_meta.json")));
        } catch (IOException e) {
            throw new io.inpainterz.FileAccessException("cannot read " + dir.resolve("amg_meta.json") + ": " + e);
        }
        Map<String, Object> g = (Map<String, Object>) meta.get("generator_params");
        io.inpainterz.engine.AmgOptions o = new io.inpainterz.engine.AmgOptions(num(g, "points_per_side").intValue(),
                num(g, "points_per_batch").intValue(), num(g, "pred_iou_thresh").doubleValue(), num(g, "stability_score_thresh").doubleValue(),
                num(g, "stability_score_offset").doubleValue(), num(g, "box_nms_thresh").doubleValue(), num(g, "crop_n_layers").intValue(),
                num(g, "crop_nms_thresh").doubleValue(), num(g, "crop_overlap_ratio").doubleValue(),
                num(g, "crop_n_points_downscale_factor").intValue(), num(g, "min_mask_region_area").longValue());
        boolean synthetic = id.contains("synthetic");
        List<io.inpainterz.engine.AutoMask> got;
        NdArray cand;
        try (NamedTensors rec = NamedTensors.recorder()) {
            got = synthetic ? Sam.generateSynthetic(frame.width(), frame.height(), o, arena, null, rec) : sam.generate(frame, o, arena, null, rec);
            TensorInfo t = rec.find("amg_candidates").orElseThrow();
            cand = new NdArray(t.dtype(), t.shape(), rec.read("amg_candidates", arena));
        }
        List<Map<String, Object>> want = (List<Map<String, Object>>) meta.get("annotations");
        List<StageResult> out = new ArrayList<>();
        out.add(candidates(c, id, cand, (List<Map<String, Object>>) meta.get("candidates"), synthetic));
        out.add(new StageResult(c.id(), id + "/count", got.size() == want.size(), got.size() + " masks, upstream " + want.size()));
        double iouTol = synthetic ? 1e-6 : tolerance(c, "<case>/iou_predictions.npy").atol();
        double boxTol = synthetic ? 0 : 1, stabTol = synthetic ? 1e-6 : 1e-3, areaTol = synthetic ? 0 : 10, areaRel = synthetic ? 0 : 0.001;
        long bad = 0;
        String first = null;
        for (int i = 0; i < Math.min(got.size(), want.size()); i++) {
            io.inpainterz.engine.AutoMask a = got.get(i);
            Map<String, Object> w = want.get(i);
            List<String> problems = new ArrayList<>();
            long[] bbox = longs(w.get("bbox"));
            for (int k = 0; k < 4; k++) if (Math.abs(a.bbox()[k] - bbox[k]) > boxTol) problems.add("bbox " + java.util.Arrays.toString(a.bbox()) + " vs " + java.util.Arrays.toString(bbox));
            long area = num(w, "area").longValue();
            if (Math.abs(a.area() - area) > areaTol + areaRel * area) problems.add("area " + a.area() + " vs " + area);
            if (Math.abs(a.predictedIou() - num(w, "predicted_iou").doubleValue()) > iouTol) problems.add("predicted_iou " + a.predictedIou() + " vs " + w.get("predicted_iou"));
            if (Math.abs(a.stabilityScore() - num(w, "stability_score").doubleValue()) > stabTol) problems.add("stability " + a.stabilityScore() + " vs " + w.get("stability_score"));
            List<Object> pt = (List<Object>) ((List<Object>) w.get("point_coords")).get(0);
            if (Math.abs(a.point()[0] - ((Number) pt.get(0)).doubleValue()) > 1e-6 || Math.abs(a.point()[1] - ((Number) pt.get(1)).doubleValue()) > 1e-6) problems.add("point");
            long[] crop = longs(w.get("crop_box"));
            if (!java.util.Arrays.equals(a.cropBox(), crop)) problems.add("crop_box " + java.util.Arrays.toString(a.cropBox()) + " vs " + java.util.Arrays.toString(crop));
            if (!problems.isEmpty()) {
                bad++;
                if (first == null) first = "mask " + i + ": " + String.join(", ", problems);
            }
        }
        out.add(StageResult.exact(c.id(), id + "/annotations", bad, Math.min(got.size(), want.size()), "annotations", first));
        NdArray masks = Npy.read(dir.resolve("amg_masks.npy"), arena);
        long differ = 0, n = 0;
        if (!got.isEmpty()) {
            // Ours as one [N, H, W] array, cut like the stored file (some store every 8th row).
            long plane = (long) frame.width() * frame.height();
            MemorySegment all = arena.allocate(plane * got.size());
            for (int i = 0; i < got.size(); i++) MemorySegment.copy(got.get(i).segmentation().data(), 0, all, i * plane, plane);
            NdArray ours = new NdArray(DType.U8, new long[] {got.size(), frame.height(), frame.width()}, all);
            Object region = io.inpainterz.util.Json.at(c.json(), "files", id + "/amg_masks.npy", "stored_region");
            if (region instanceof List<?> r) ours = ours.slice(r.stream().map(Object::toString).toList(), arena);
            long count = Math.min(ours.numElements(), masks.numElements());
            for (long k = 0; k < count; k++) {
                if ((ours.getDouble(k) != 0) != (masks.getDouble(k) != 0)) differ++;
                n++;
            }
        }
        Object rule = io.inpainterz.util.Json.at(c.json(), "tolerances", "<case>/masks.npy", "max_fraction");
        double budget = synthetic ? 0 : rule instanceof Number r ? r.doubleValue() : 0;
        out.add(new StageResult(c.id(), id + "/masks", n > 0 && differ <= budget * n, differ + "/" + n + " pixels differ (budget " + String.format("%.2e", budget) + ")"));
        return out;
    }

    /** Every candidate before filtering: its scores, box and every filter decision. */
    @SuppressWarnings("unchecked")
    private static StageResult candidates(ParityCase c, String id, NdArray got, List<Map<String, Object>> want, boolean synthetic) {
        long rows = got.shape()[0];
        if (rows != want.size()) return new StageResult(c.id(), id + "/candidates", false, rows + " candidates, upstream " + want.size());
        double iouTol = synthetic ? 1e-6 : tolerance(c, "<case>/iou_predictions.npy").atol();
        double stabTol = synthetic ? 1e-6 : 1e-3;
        long bad = 0;
        String first = null;
        for (int i = 0; i < rows; i++) {
            Map<String, Object> w = want.get(i);
            final long base = (long) i * 13;
            java.util.function.IntToDoubleFunction g = k -> got.getDouble(base + k);
            List<String> problems = new ArrayList<>();
            if (g.applyAsDouble(0) != num(w, "crop").doubleValue() || g.applyAsDouble(1) != num(w, "point_index").doubleValue()
                    || g.applyAsDouble(2) != num(w, "mask_token").doubleValue()) problems.add("order (crop, point, token)");
            if (Math.abs(g.applyAsDouble(3) - num(w, "iou").doubleValue()) > iouTol) problems.add("iou " + g.applyAsDouble(3) + " vs " + w.get("iou"));
            if (Math.abs(g.applyAsDouble(4) - num(w, "stability").doubleValue()) > stabTol) problems.add("stability " + g.applyAsDouble(4) + " vs " + w.get("stability"));
            double pos = num(w, "pos_pixels").doubleValue();
            if (Math.abs(g.applyAsDouble(5) - pos) > 10 + 0.001 * pos) problems.add("pixels " + g.applyAsDouble(5) + " vs " + pos);
            long[] box = longs(w.get("box_xyxy_crop_frame"));
            for (int k = 0; k < 4; k++) if (Math.abs(g.applyAsDouble(6 + k) - box[k]) > 1) problems.add("box");
            if ((g.applyAsDouble(10) != 0) != Boolean.TRUE.equals(w.get("near_crop_edge"))) problems.add("near_crop_edge");
            if ((g.applyAsDouble(11) != 0) != Boolean.TRUE.equals(w.get("passes_pred_iou"))) problems.add("passes_pred_iou");
            if ((g.applyAsDouble(12) != 0) != Boolean.TRUE.equals(w.get("passes_stability"))) problems.add("passes_stability");
            if (!problems.isEmpty()) {
                bad++;
                if (first == null) first = "candidate " + i + ": " + String.join(", ", new java.util.LinkedHashSet<>(problems));
            }
        }
        return StageResult.exact(c.id(), id + "/candidates", bad, rows, "candidates (scores, boxes, filter decisions)", first);
    }

    private static Number num(Map<?, ?> m, String key) {
        return (Number) m.get(key);
    }

    private static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(v -> Math.round(((Number) v).doubleValue())).toArray();
    }

    private static String firstCase(ParityCase c) {
        return caseDirs(c.dir()).getFirst().getFileName().toString();
    }

    private static float[] floats(NdArray a) {
        float[] f = new float[(int) a.numElements()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.getDouble(i);
        return f;
    }

    /** Recorded stage (the file's name without directory and extension) vs the fixture file. */
    private static StageResult compare(ParityCase c, String stage, String file, NamedTensors rec, Arena arena) {
        String tensorName = stage.substring(stage.lastIndexOf('/') + 1);
        TensorInfo t = rec.find(tensorName).orElse(null);
        if (t == null) return new StageResult(c.id(), stage, false, "the engine recorded no '" + tensorName + "'");
        NdArray actual = new NdArray(t.dtype(), t.shape(), rec.read(tensorName, arena));
        NdArray expected = Npy.read(c.dir().resolve(file), arena);
        Object region = io.inpainterz.util.Json.at(c.json(), "files", file, "stored_region");
        if (region instanceof List<?> r) actual = actual.slice(r.stream().map(Object::toString).toList(), arena);
        return StageResult.numeric(c.id(), stage, Comparison.compare(actual, expected, tolerance(c, file)), tolerance(c, file));
    }

    /** case.json tolerances: by file name, or by "<case>/file" for prompt cases; exact when absent. */
    static Tolerance tolerance(ParityCase c, String file) {
        Object t = io.inpainterz.util.Json.at(c.json(), "tolerances", file);
        if (t == null && file.contains("/")) t = io.inpainterz.util.Json.at(c.json(), "tolerances", "<case>" + file.substring(file.indexOf('/')));
        return t == null ? Tolerance.EXACT : Tolerance.of(t);
    }

    /** Boolean masks: a pixel may differ only where |reference logit| < the logits atol, within a flip budget. */
    private static StageResult masks(ParityCase c, String name, SamPrediction p, Arena arena) {
        NdArray expected = Npy.read(c.dir().resolve(name + "/masks.npy"), arena);
        NdArray refLogits = Npy.read(c.dir().resolve(name + "/masks_logits.npy"), arena);
        double band = tolerance(c, name + "/masks_logits.npy").atol();
        Object rule = io.inpainterz.util.Json.at(c.json(), "tolerances", "<case>/masks.npy", "max_fraction");
        double maxFraction = rule instanceof Number n ? n.doubleValue() : 0;
        long[] full = {p.batch(), p.masksPer(), p.height(), p.width()};
        NdArray ours = new NdArray(DType.U8, full, p.masks());
        Object region = io.inpainterz.util.Json.at(c.json(), "files", name + "/masks.npy", "stored_region");
        if (region instanceof List<?> r) ours = ours.slice(r.stream().map(Object::toString).toList(), arena);
        if (!java.util.Arrays.equals(ours.shape(), expected.shape())) {
            return new StageResult(c.id(), name + "/masks", false, "shape " + java.util.Arrays.toString(ours.shape()) + " != expected " + java.util.Arrays.toString(expected.shape()));
        }
        long flips = 0, outsideBand = 0, n = expected.numElements(), first = -1;
        for (long i = 0; i < n; i++) {
            boolean a = ours.getDouble(i) != 0, e = expected.getDouble(i) != 0;
            if (a == e) continue;
            flips++;
            if (Math.abs(refLogits.getDouble(i)) >= band) {
                outsideBand++;
                if (first < 0) first = i;
            }
        }
        boolean pass = outsideBand == 0 && flips <= maxFraction * n;
        String summary = String.format("%d/%d pixels differ (budget %.2e of pixels), %d outside the |logit| < %.0e band%s",
                flips, n, maxFraction, outsideBand, band, first < 0 ? "" : "; first at " + java.util.Arrays.toString(expected.unravel(first)));
        return new StageResult(c.id(), name + "/masks", pass, summary);
    }

}
