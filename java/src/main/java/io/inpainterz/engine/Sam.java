package io.inpainterz.engine;

import io.inpainterz.nativeapi.Inp;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Segment Anything v1 (vit_b, vit_l or vit_h, read from the checkpoint). Load once; use from
 * many threads at once: per-image state lives in {@link Embedding}, computed once per image
 * and reused by any number of prompts.
 *
 * <pre>{@code
 * try (Sam sam = Sam.load(Path.of("ckpt/sam_vit_b_01ec64.pth"));
 *      Sam.Embedding e = sam.embed(frame);
 *      Arena arena = Arena.ofConfined()) {
 *     SamPrediction p = sam.predict(e, SamPrompt.point(412, 168), arena);
 *     Mask best = p.mask(0, p.best(0));
 * }
 * }</pre>
 */
public final class Sam implements AutoCloseable {
    public enum Device { CPU, CUDA }

    /**
     * @param device     where the model runs
     * @param bf16Encoder run the image encoder in bfloat16: several times faster on CPUs with
     *                   AVX512-BF16/AMX and on GPUs; masks differ slightly from float32
     */
    public record Options(Device device, boolean bf16Encoder) {
        public static Options defaults() {
            return new Options(Device.CPU, false);
        }

        public Options withBf16Encoder(boolean on) {
            return new Options(device, on);
        }

        public Options withDevice(Device d) {
            return new Options(d, bf16Encoder);
        }
    }

    private final NativeHandle handle;
    private final String variant;
    private final Path path;

    private Sam(Path path, MemorySegment raw) {
        this.path = path;
        this.handle = NativeHandle.of(NativeHandle.Kind.SAM, this, "Sam[" + path + "]", raw);
        this.variant = Inp.samVariant(handle.pointer());
    }

    public static Sam load(Path checkpoint) {
        return load(checkpoint, Options.defaults());
    }

    public static Sam load(Path checkpoint, Options options) {
        if (!Files.isRegularFile(checkpoint)) {
            throw new io.inpainterz.FileAccessException("SAM checkpoint '" + checkpoint + "' does not exist or is not a file");
        }
        try (Arena scratch = Arena.ofConfined()) {
            return new Sam(checkpoint, Inp.samInit(scratch.allocateFrom(checkpoint.toString()), options.device().ordinal(), 0,
                    options.bf16Encoder() ? DType.BF16.code() : DType.F32.code(), scratch));
        }
    }

    /** "vit_b", "vit_l", "vit_h", or "custom ViT (...)". */
    public String variant() {
        return variant;
    }

    /** The image embedding of an RGB frame (SamPredictor.set_image). */
    public Embedding embed(Frame image) {
        return embed(image, null);
    }

    /** As {@link #embed(Frame)}, recording the stages into {@code record} (parity, debugging). */
    public Embedding embed(Frame image, NamedTensors record) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment raw = Inp.samSetImage(handle.pointer(), image.descriptor(scratch), record == null ? MemorySegment.NULL : record.pointer(), scratch);
            return new Embedding(raw, image.width(), image.height());
        }
    }

    public SamPrediction predict(Embedding embedding, SamPrompt prompt, Arena arena) {
        return predict(embedding, prompt, arena, null);
    }

    /** Masks for a prompt, in memory from {@code arena}; stages go to {@code record} when not null. */
    public SamPrediction predict(Embedding embedding, SamPrompt prompt, Arena arena, NamedTensors record) {
        prompt.checkInside(embedding.width(), embedding.height());
        int batch = prompt.batch(), per = prompt.multimask() ? 3 : 1;
        long plane = (long) embedding.width() * embedding.height();
        long low = (long) SamPrompt.LOW_RES * SamPrompt.LOW_RES;
        MemorySegment masks = arena.allocate(batch * per * plane, 64);
        MemorySegment logits = arena.allocate(ValueLayout.JAVA_FLOAT, batch * per * plane);
        MemorySegment iou = arena.allocate(ValueLayout.JAVA_FLOAT, (long) batch * per);
        MemorySegment lowRes = arena.allocate(ValueLayout.JAVA_FLOAT, batch * per * low);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = Inp.samPrompt(scratch,
                    prompt.numPoints() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.points()) : MemorySegment.NULL,
                    prompt.numPoints() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_INT, prompt.labels()) : MemorySegment.NULL,
                    prompt.numPoints(),
                    prompt.numBoxes() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.boxes()) : MemorySegment.NULL,
                    prompt.numBoxes(),
                    prompt.maskInput() != null ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.maskInput()) : MemorySegment.NULL,
                    prompt.multimask());
            MemorySegment out = Inp.samOutputs(scratch, masks, logits, iou, lowRes);
            Inp.samPredict(handle.pointer(), embedding.handle.pointer(), p, out, record == null ? MemorySegment.NULL : record.pointer());
        }
        return new SamPrediction(batch, per, embedding.width(), embedding.height(), masks, logits, iou, lowRes);
    }

    /** Every object on an RGB frame ("segment everything"), in upstream's order; masks from {@code arena}. */
    public java.util.List<AutoMask> generate(Frame image, AmgOptions o, Arena arena) {
        return generate(image, o, arena, null);
    }

    /** As {@link #generate(Frame, AmgOptions, Arena)}, recording "amg_candidates" into {@code record}. */
    public java.util.List<AutoMask> generate(Frame image, AmgOptions o, Arena arena, NamedTensors record) {
        try (Arena scratch = Arena.ofConfined()) {
            return toAutoMasks(Inp.samGenerate(handle.pointer(), image.descriptor(scratch), (long) image.width() * image.height(), params(o),
                    record == null ? MemorySegment.NULL : record.pointer(), arena), image.width(), image.height());
        }
    }

    /**
     * Self-test of the automatic mask generator's own logic, without a model: the parity
     * fixture's formula predictor (sam/tiny amg_synthetic_crop1) stands in for SAM.
     */
    public static java.util.List<AutoMask> generateSynthetic(int width, int height, AmgOptions o, Arena arena, NamedTensors record) {
        return toAutoMasks(Inp.samGenerateSynthetic(width, height, params(o), record == null ? MemorySegment.NULL : record.pointer(), arena),
                width, height);
    }

    private static Inp.AmgParams params(AmgOptions o) {
        return new Inp.AmgParams(o.pointsPerSide(), o.pointsPerBatch(), o.predIouThresh(), o.stabilityScoreThresh(), o.stabilityScoreOffset(),
                o.boxNmsThresh(), o.cropNLayers(), o.cropNPointsDownscaleFactor(), o.cropNmsThresh(), o.cropOverlapRatio(), o.minMaskRegionArea());
    }

    private static java.util.List<AutoMask> toAutoMasks(java.util.List<java.util.Map.Entry<Inp.SamMaskInfoStruct, MemorySegment>> results,
                                                        int width, int height) {
        java.util.List<AutoMask> out = new java.util.ArrayList<>();
        for (var r : results) {
            Inp.SamMaskInfoStruct i = r.getKey();
            out.add(new AutoMask(new Mask(r.getValue(), width, height, width), i.bbox(), i.area(), i.predictedIou(), i.stabilityScore(),
                    i.point(), i.cropBox()));
        }
        return out;
    }

    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "Sam[" + variant + ", " + path + "]";
    }

    /** One image's embedding; independent of the frame it came from. */
    public static final class Embedding implements AutoCloseable {
        private final NativeHandle handle;
        private final int width, height;

        private Embedding(MemorySegment raw, int width, int height) {
            this.handle = NativeHandle.of(NativeHandle.Kind.SAM_EMBEDDING, this, "Sam.Embedding[" + width + "x" + height + "]", raw);
            this.width = width;
            this.height = height;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }

        @Override
        public void close() {
            handle.close();
        }
    }

}
