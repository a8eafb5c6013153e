package io.inpainterz.engine;

import io.inpainterz.FileAccessException;
import io.inpainterz.nativeapi.SamBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Segment Anything v1 (vit_b, vit_l or vit_h, read from the checkpoint). Load once; use from
 * many threads at once: per-image state lives in {@link Embedding}, computed once per image
 * and reused by any number of prompts.
 *
 * <pre>{@code
 * try (Sam sam = Sam.load(Path.of("ckpt/sam_vit_b_01ec64.pth"));
 *      Frame frame = Frame.allocate(1920, 1080);
 *      Sam.Embedding e = sam.embed(frame);
 *      SamPrediction p = sam.predict(e, SamPrompt.point(412, 168))) {
 *     Mask best = p.mask(0, p.best(0));
 * }
 * }</pre>
 */
public final class Sam implements AutoCloseable {
    /**
     * @param device where and how the model runs; {@code DType.BF16} runs the image encoder in
     *               bfloat16: several times faster on CPUs with AVX512-BF16/AMX and on GPUs,
     *               masks differing slightly from float32
     */
    public record Options(Device device) {
        /** The native library's defaults (inp_sam_default_params). */
        public static Options defaults() {
            return new Options(Device.of(SamBindings.samDefaults()));
        }

        public Options withDevice(Device d) {
            return new Options(d);
        }

        public Options withBf16Encoder(boolean on) {
            return new Options(device.withDtype(on ? DType.BF16 : DType.F32));
        }

        public Options withThreads(int n) {
            return new Options(device.withThreads(n));
        }
    }

    private final NativeHandle handle;
    private final String variant;
    private final String source;

    private Sam(String source, MemorySegment raw) {
        this.source = source;
        this.handle = NativeHandle.of(NativeHandle.Kind.SAM, this, "Sam[" + source + "]", raw);
        this.variant = SamBindings.samVariant(handle.pointer());
    }

    public static Sam load(Path checkpoint) {
        return load(checkpoint, Options.defaults(), null);
    }

    public static Sam load(Path checkpoint, Options options) {
        return load(checkpoint, options, null);
    }

    /** Loads with progress ("checkpoint", per tensor) and cancel from {@code job} (may be null). */
    public static Sam load(Path checkpoint, Options options, Job job) {
        if (!Files.isRegularFile(checkpoint)) {
            throw new FileAccessException("SAM checkpoint '" + checkpoint + "' does not exist or is not a file");
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = SamBindings.samParams(options.device().params(), scratch);
            return new Sam(checkpoint.toString(), Job.call(job, scratch, run -> SamBindings.samInit(checkpoint.toString(), params, run, scratch)));
        }
    }

    /** Builds the model from an open checkpoint (read once); the checkpoint may be closed afterwards. */
    public static Sam fromCheckpoint(Checkpoint checkpoint, Options options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new Sam(checkpoint.path().toString(), SamBindings.samInitFromCheckpoint(checkpoint.pointer(),
                    SamBindings.samParams(options.device().params(), scratch), scratch));
        }
    }

    /** "vit_b", "vit_l", "vit_h", or "custom ViT (...)". */
    public String variant() {
        return variant;
    }

    /** The image embedding of an RGB frame (SamPredictor.set_image). */
    public Embedding embed(Frame image) {
        return embed(image, null, null);
    }

    /** As {@link #embed(Frame)}; progress ("sam.encoder", per block) and cancel from {@code job}. */
    public Embedding embed(Frame image, Job job) {
        return embed(image, job, null);
    }

    /** As {@link #embed(Frame, Job)}, recording the stages into {@code record} (parity, debugging). */
    public Embedding embed(Frame image, Job job, NamedTensors record) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment raw = Job.call(job, scratch, run -> SamBindings.samSetImage(handle.pointer(), image.descriptor(scratch), run,
                    record == null ? MemorySegment.NULL : record.pointer(), scratch));
            return new Embedding(raw, image.width(), image.height());
        }
    }

    /** Masks for a prompt, in memory of the prediction's own (close it). */
    public SamPrediction predict(Embedding embedding, SamPrompt prompt) {
        Arena arena = Arena.ofShared();
        try {
            return predict(embedding, prompt, arena, null, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public SamPrediction predict(Embedding embedding, SamPrompt prompt, Arena arena) {
        return predict(embedding, prompt, arena, null, null);
    }

    /** Masks for a prompt, in memory from {@code arena}; stages go to {@code record} when not null. */
    public SamPrediction predict(Embedding embedding, SamPrompt prompt, Arena arena, NamedTensors record) {
        return predict(embedding, prompt, arena, record, null);
    }

    private SamPrediction predict(Embedding embedding, SamPrompt prompt, Arena arena, NamedTensors record, Arena owned) {
        prompt.checkInside(embedding.width(), embedding.height());
        int batch = prompt.batch(), per = prompt.multimask() ? 3 : 1;
        long plane = (long) embedding.width() * embedding.height();
        long low = (long) SamPrompt.LOW_RES * SamPrompt.LOW_RES;
        MemorySegment masks = arena.allocate(batch * per * plane, 64);
        MemorySegment logits = arena.allocate(ValueLayout.JAVA_FLOAT, batch * per * plane);
        MemorySegment iou = arena.allocate(ValueLayout.JAVA_FLOAT, (long) batch * per);
        MemorySegment lowRes = arena.allocate(ValueLayout.JAVA_FLOAT, batch * per * low);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = SamBindings.samPrompt(scratch,
                    prompt.numPoints() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.points()) : MemorySegment.NULL,
                    prompt.numPoints() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_INT, prompt.labels()) : MemorySegment.NULL,
                    prompt.numPoints(),
                    prompt.numBoxes() > 0 ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.boxes()) : MemorySegment.NULL,
                    prompt.numBoxes(),
                    prompt.maskInput() != null ? scratch.allocateFrom(ValueLayout.JAVA_FLOAT, prompt.maskInput()) : MemorySegment.NULL,
                    prompt.multimask());
            MemorySegment out = SamBindings.samOutputs(scratch, masks, logits, iou, lowRes);
            SamBindings.samPredict(handle.pointer(), embedding.handle.pointer(), p, out, record == null ? MemorySegment.NULL : record.pointer());
        }
        return new SamPrediction(batch, per, embedding.width(), embedding.height(), masks, logits, iou, lowRes, owned);
    }

    /** Every object on an RGB frame ("segment everything"), in upstream's order; each mask has memory of its own. */
    public List<AutoMask> generate(Frame image, AmgOptions o) {
        return generate(image, o, null);
    }

    /**
     * As {@link #generate(Frame, AmgOptions)}; progress ("sam.encoder" per block, "sam.amg" per
     * group of prompts) and cancel from {@code job}.
     */
    public List<AutoMask> generate(Frame image, AmgOptions o, Job job) {
        return generate(image, o, job, null, null);
    }

    /** Masks in memory from {@code arena}; "amg_candidates" recorded into {@code record} when not null. */
    public List<AutoMask> generate(Frame image, AmgOptions o, Arena arena, Job job, NamedTensors record) {
        return generate(image, o, job, record, arena);
    }

    private List<AutoMask> generate(Frame image, AmgOptions o, Job job, NamedTensors record, Arena arena) {
        MaskSink sink = new MaskSink(image.width(), image.height(), arena);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = SamBindings.amgParams(o, scratch);
            return sink.annotate(Job.call(job, scratch, run -> SamBindings.samGenerate(handle.pointer(), image.descriptor(scratch),
                    (long) image.width() * image.height(), params, run, record == null ? MemorySegment.NULL : record.pointer(), sink)));
        } catch (RuntimeException e) {
            sink.closeAll();
            throw e;
        }
    }

    /**
     * Self-test of the automatic mask generator's own logic, without a model: the parity
     * fixture's formula predictor (sam/tiny amg_synthetic_crop1) stands in for SAM. Masks come
     * from {@code arena}, or have memory of their own when it is null.
     */
    public static List<AutoMask> generateSynthetic(int width, int height, AmgOptions o, Arena arena, Job job, NamedTensors record) {
        MaskSink sink = new MaskSink(width, height, arena);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = SamBindings.amgParams(o, scratch);
            return sink.annotate(Job.call(job, scratch, run -> SamBindings.samGenerateSynthetic(width, height, params, run,
                    record == null ? MemorySegment.NULL : record.pointer(), sink)));
        } catch (RuntimeException e) {
            sink.closeAll();
            throw e;
        }
    }

    /** Hands the binding one mask's memory at a time: from the caller's arena, or a mask's own. */
    private static final class MaskSink implements LongFunction<MemorySegment> {
        private final int width, height;
        private final Arena arena;
        private final List<Mask> masks = new ArrayList<>();

        MaskSink(int width, int height, Arena arena) {
            this.width = width;
            this.height = height;
            this.arena = arena;
        }

        @Override
        public MemorySegment apply(long bytes) {
            Mask m = arena != null ? Mask.allocate(arena, width, height) : Mask.allocate(width, height);
            masks.add(m);
            return m.data();
        }

        List<AutoMask> annotate(List<SamBindings.GeneratedMask> results) {
            List<AutoMask> out = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                SamBindings.GeneratedMask r = results.get(i);
                out.add(new AutoMask(masks.get(i), r.bbox(), r.area(), r.predictedIou(), r.stabilityScore(), r.point(), r.cropBox()));
            }
            return out;
        }

        void closeAll() {
            masks.forEach(Mask::close);
        }
    }

    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "Sam[" + variant + ", " + source + "]";
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
