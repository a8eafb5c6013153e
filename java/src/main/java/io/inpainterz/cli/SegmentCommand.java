package io.inpainterz.cli;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.AmgOptions;
import io.inpainterz.engine.AutoMask;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.pipeline.MaskPng;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "segment", description = {
        "SAM mask(s) of an image (PNG, JPEG, WebP, ...) or of frame F of a video, as 8-bit PNGs (255 = object) at the input's size; "
                + "prints a JSON line with the IoU predictions.",
        "With --everything: every object (upstream's automatic mask generator), as DIR/mask_NNN.png plus DIR/masks.json "
                + "(bbox, area, predicted_iou, stability_score, point_coords, crop_box)."})
final class SegmentCommand implements Callable<Integer> {
    static final String DEFAULT_SAM = "ckpt/sam_vit_b_01ec64.pth";

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "INPUT")
    Path input;

    @Option(names = "--frame", paramLabel = "F", description = "frame index of a video input (default: the first)")
    Long frameIndex;

    @Option(names = "--sam", paramLabel = "FILE", description = "SAM checkpoint (default: " + DEFAULT_SAM + " of the installation)")
    Path sam;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "OUT.png (with --multimask: OUT_0.png ...), or a folder with --everything")
    Path output;

    @Option(names = "--multimask", description = "three masks per prompt, and the index of the best")
    boolean multimask;

    @Option(names = "--everything", description = "every object instead of a prompt")
    boolean everything;

    @Option(names = "--points-per-side", paramLabel = "N", description = "--everything: grid side. Default: ${DEFAULT-VALUE}.")
    int pointsPerSide;

    @Option(names = "--crop-n-layers", paramLabel = "N", description = "--everything: crop layers. Default: ${DEFAULT-VALUE}.")
    int cropNLayers;

    @Option(names = "--pred-iou-thresh", paramLabel = "T", description = "--everything: predicted IoU filter. Default: ${DEFAULT-VALUE}.")
    double predIouThresh;

    @Option(names = "--stability-score-thresh", paramLabel = "T", description = "--everything: stability filter. Default: ${DEFAULT-VALUE}.")
    double stabilityScoreThresh;

    @Option(names = "--min-mask-region-area", paramLabel = "A", description = "--everything: remove holes and islands below A pixels. "
            + "Default: ${DEFAULT-VALUE}.")
    long minMaskRegionArea;

    @Mixin
    ProgressOptions progress;

    private final List<Float> points = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private float[] box;

    @Option(names = "--point", paramLabel = "X,Y", description = "a point on the object (repeatable)")
    void point(String xy) {
        addPoint(xy, "--point", 1);
    }

    @Option(names = "--neg", paramLabel = "X,Y", description = "a point on the background (repeatable)")
    void neg(String xy) {
        addPoint(xy, "--neg", 0);
    }

    @Option(names = "--box", paramLabel = "X0,Y0,X1,Y1", description = "a box around the object (at most one)")
    void box(String b) {
        if (box != null) throw new CommandLine.ParameterException(spec.commandLine(), "give at most one --box per run");
        box = numbers(b, 4, "--box");
    }

    private void addPoint(String xy, String option, int label) {
        float[] v = numbers(xy, 2, option);
        points.add(v[0]);
        points.add(v[1]);
        labels.add(label); // in the order given, as the prompt takes them
    }

    @Override
    public Integer call() throws Exception {
        if (frameIndex != null && frameIndex < 0) throw usage("--frame must be >= 0");
        if (everything && !(points.isEmpty() && box == null)) throw usage("--everything takes no --point, --neg or --box");
        if (!everything && points.isEmpty() && box == null) {
            throw usage("segment needs a prompt: --point X,Y, --neg X,Y or --box X0,Y0,X1,Y1 (or --everything)");
        }
        Path model = sam != null ? sam : Path.of(System.getProperty("inpainterz.home", "."), DEFAULT_SAM);
        if (sam == null && !Files.isRegularFile(model)) {
            throw new FileAccessException("the default SAM checkpoint " + model + " is missing: fetch it with ckpt/download.sh (inpainterz models download) or pass --sam FILE");
        }
        if (everything) {
            if (!Files.isDirectory(output)) throw new FileAccessException("output folder '" + output + "' does not exist (with --everything, -o names a folder)");
            AmgOptions o = AmgOptions.defaults().withPointsPerSide(pointsPerSide).withCropLayers(cropNLayers)
                    .withThresholds(predIouThresh, stabilityScoreThresh).withMinMaskRegionArea(minMaskRegionArea);
            return progress.run(main.err(), "sam.amg", job -> everything(model, o, job));
        }
        SamPrompt prompt = new SamPrompt(toArray(points), labels.stream().mapToInt(Integer::intValue).toArray(), box, null, multimask);
        return progress.run(main.err(), "sam.encoder", job -> prompt(model, prompt, job));
    }

    private int prompt(Path model, SamPrompt prompt, io.inpainterz.engine.Job job) {
        try (Frame frame = readFrame(input, frameIndex); Sam s = Sam.load(model, Sam.Options.defaults(), job);
             Sam.Embedding e = s.embed(frame, job); SamPrediction p = s.predict(e, prompt)) {
            Map<String, Object> report = new LinkedHashMap<>();
            List<String> files = new ArrayList<>();
            List<Float> ious = new ArrayList<>();
            if (multimask) {
                for (int m = 0; m < p.masksPer(); m++) {
                    Path f = numbered(output, m);
                    writeMask(p.mask(0, m), f);
                    files.add(f.toString());
                    ious.add(p.iou(0, m));
                }
                report.put("best", p.best(0));
            } else {
                writeMask(p.mask(0, 0), output);
                files.add(output.toString());
                ious.add(p.iou(0, 0));
            }
            report.put("masks", files);
            report.put("iou_predictions", ious);
            report.put("model", s.variant());
            main.out().println(Json.write(report));
            return Main.OK;
        }
    }

    /** One entry of DIR/masks.json. */
    record MaskEntry(String file, long[] bbox, long area, float predicted_iou, float stability_score, List<List<Double>> point_coords,
                     long[] crop_box) {}

    private int everything(Path model, AmgOptions options, io.inpainterz.engine.Job job) {
        try (Frame frame = readFrame(input, frameIndex); Sam s = Sam.load(model, Sam.Options.defaults(), job)) {
            List<AutoMask> masks = s.generate(frame, options, job);
            try {
                List<MaskEntry> index = new ArrayList<>();
                for (int i = 0; i < masks.size(); i++) {
                    AutoMask m = masks.get(i);
                    Path file = output.resolve(String.format("mask_%03d.png", i));
                    writeMask(m.segmentation(), file);
                    index.add(new MaskEntry(file.getFileName().toString(), m.bbox(), m.area(), m.predictedIou(), m.stabilityScore(),
                            List.of(List.of(m.point()[0], m.point()[1])), m.cropBox()));
                }
                writeText(output.resolve("masks.json"), Json.write(index) + "\n");
                main.out().println(Json.write(Map.of("masks", masks.size(), "index", output.resolve("masks.json").toString(), "model", s.variant())));
                return Main.OK;
            } finally {
                masks.forEach(m -> m.segmentation().close());
            }
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private float[] numbers(String text, int count, String option) {
        String[] parts = text.split(",");
        if (parts.length != count) throw usage(option + " takes " + count + " comma-separated numbers, got '" + text + "'");
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw usage(option + ": '" + parts[i] + "' is not a number");
            }
        }
        return v;
    }

    private static float[] toArray(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    /**
     * Frame {@code index} (default 0) of a video, or a still image (PNG, JPEG, WebP, ...), decoded by
     * FFmpeg straight into the frame, as every other input is.
     */
    static Frame readFrame(Path file, Long index) {
        if (!Files.isRegularFile(file)) throw new FileAccessException("input '" + file + "' does not exist or is not a file");
        try (VideoReader video = VideoReader.open(file)) {
            long frame = index == null ? 0 : index;
            if (frame > 0) video.seek(frame);
            Frame f = video.allocateFrame();
            if (!video.read(f)) {
                f.close();
                throw new InvalidInputException("'" + file + "' has no frame " + frame + " (about " + video.info().frameCount() + " frames)");
            }
            return f;
        }
    }

    /** out.png -> out_0.png, out_1.png, ... */
    static Path numbered(Path out, int m) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : ".png";
        return out.resolveSibling(stem + "_" + m + ext);
    }

    private static void writeText(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FileAccessException("cannot write '" + file + "': " + e.getMessage());
        }
    }

    /** Writes an 8-bit grayscale PNG through a temporary file in the same folder, then renames it. */
    static void writeMask(Mask mask, Path file) {
        byte[] pixels = new byte[mask.width() * mask.height()];
        mask.copyTo(pixels);
        MaskPng.write(pixels, mask.width(), mask.height(), file);
    }
}
