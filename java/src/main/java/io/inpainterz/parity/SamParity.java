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
            try (Sam.Embedding embedding = sam.embed(frame, rec)) {
                List<String> stages = new ArrayList<>(IMAGE_STAGES);
                for (TensorInfo t : rec.list()) if (t.name().startsWith("block_")) stages.add(stages.size() - 1, t.name());
                for (String stage : stages) out.add(compare(c, stage, stage + ".npy", rec, arena));
                for (Path caseDir : caseDirs(c.dir())) out.addAll(runCase(c, sam, embedding, caseDir, arena));
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
