package io.inpainterz.cli;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.UnsupportedInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import io.inpainterz.util.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code inpainterz segment INPUT --sam FILE (--point X,Y | --neg X,Y | --box X0,Y0,X1,Y1)...
 * [--multimask] -o OUT.png}: SAM masks of an image, written as 8-bit PNGs (255 = object).
 */
final class SegmentCommand {
    static final String DEFAULT_SAM = "ckpt/sam_vit_b_01ec64.pth";

    private SegmentCommand() {}

    static int run(String[] args, PrintStream out) {
        String input = null, output = null, samPath = null;
        long frameIndex = -1;
        List<Float> points = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Float> boxes = new ArrayList<>();
        boolean multimask = false, everything = false;
        io.inpainterz.engine.AmgOptions amg = io.inpainterz.engine.AmgOptions.defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--point", "--neg" -> {
                    float[] xy = numbers(value(args, ++i, a), 2, a);
                    points.add(xy[0]);
                    points.add(xy[1]);
                    labels.add(a.equals("--point") ? 1 : 0);
                }
                case "--box" -> {
                    if (!boxes.isEmpty()) throw new Main.UsageException("give at most one --box per run");
                    for (float v : numbers(value(args, ++i, a), 4, a)) boxes.add(v);
                }
                case "--sam" -> samPath = value(args, ++i, a);
                case "-o", "--output" -> output = value(args, ++i, a);
                case "--multimask" -> multimask = true;
                case "--frame" -> {
                    try {
                        frameIndex = Long.parseLong(value(args, ++i, a));
                    } catch (NumberFormatException e) {
                        throw new Main.UsageException("--frame takes a frame index, got '" + args[i] + "'");
                    }
                    if (frameIndex < 0) throw new Main.UsageException("--frame must be >= 0");
                }
                case "--everything" -> everything = true;
                case "--points-per-side" -> amg = amg.withPointsPerSide((int) numbers(value(args, ++i, a), 1, a)[0]);
                case "--crop-n-layers" -> amg = amg.withCropLayers((int) numbers(value(args, ++i, a), 1, a)[0]);
                case "--pred-iou-thresh" -> amg = amg.withThresholds(numbers(value(args, ++i, a), 1, a)[0], amg.stabilityScoreThresh());
                case "--stability-score-thresh" -> amg = amg.withThresholds(amg.predIouThresh(), numbers(value(args, ++i, a), 1, a)[0]);
                default -> {
                    if (a.startsWith("-")) throw new Main.UsageException("unknown option '" + a + "' for segment");
                    if (input != null) throw new Main.UsageException("segment takes one INPUT");
                    input = a;
                }
            }
        }
        if (input == null) throw new Main.UsageException("segment needs an INPUT image");
        if (output == null) throw new Main.UsageException("segment needs -o OUT.png");
        if (everything && !(points.isEmpty() && boxes.isEmpty())) throw new Main.UsageException("--everything takes no --point, --neg or --box");
        if (!everything && points.isEmpty() && boxes.isEmpty()) {
            throw new Main.UsageException("segment needs a prompt: --point X,Y, --neg X,Y or --box X0,Y0,X1,Y1 (or --everything)");
        }
        Path sam = Path.of(samPath != null ? samPath : System.getProperty("inpainterz.home", ".") + "/" + DEFAULT_SAM);
        if (samPath == null && !Files.isRegularFile(sam)) {
            throw new FileAccessException("the default SAM checkpoint " + sam + " is missing: put the official file there (ckpt/README.md) or pass --sam FILE");
        }
        Path outPath = Path.of(output);

        if (everything) return everything(Path.of(input), frameIndex, sam, amg, outPath, out);
        SamPrompt prompt = new SamPrompt(toArray(points), labels.stream().mapToInt(Integer::intValue).toArray(),
                boxes.isEmpty() ? null : toArray(boxes), null, multimask);
        try (Arena arena = Arena.ofConfined(); Sam model = Sam.load(sam)) {
            Frame frame = readFrame(Path.of(input), frameIndex, arena);
            SamPrediction p;
            try (Sam.Embedding e = model.embed(frame)) {
                p = model.predict(e, prompt, arena);
            }
            Map<String, Object> report = new LinkedHashMap<>();
            List<String> files = new ArrayList<>();
            List<Float> ious = new ArrayList<>();
            if (multimask) {
                for (int m = 0; m < p.masksPer(); m++) {
                    Path f = numbered(outPath, m);
                    writeMask(p.mask(0, m), f);
                    files.add(f.toString());
                    ious.add(p.iou(0, m));
                }
                report.put("best", p.best(0));
            } else {
                writeMask(p.mask(0, 0), outPath);
                files.add(outPath.toString());
                ious.add(p.iou(0, 0));
            }
            report.put("masks", files);
            report.put("iou_predictions", ious);
            report.put("model", model.variant());
            out.println(Json.write(report));
        }
        return Main.OK;
    }

    /** --everything -o DIR: every automatic mask as DIR/mask_NNN.png plus DIR/masks.json. */
    private static int everything(Path input, long frameIndex, Path sam, io.inpainterz.engine.AmgOptions options, Path dir, PrintStream out) {
        if (!Files.isDirectory(dir)) throw new FileAccessException("output folder '" + dir + "' does not exist (with --everything, -o names a folder)");
        try (Arena arena = Arena.ofConfined(); Sam model = Sam.load(sam)) {
            Frame frame = readFrame(input, frameIndex, arena);
            List<io.inpainterz.engine.AutoMask> masks = model.generate(frame, options, arena);
            List<Object> index = new ArrayList<>();
            for (int i = 0; i < masks.size(); i++) {
                io.inpainterz.engine.AutoMask m = masks.get(i);
                Path file = dir.resolve(String.format("mask_%03d.png", i));
                writeMask(m.segmentation(), file);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("file", file.getFileName().toString());
                e.put("bbox", m.bbox());
                e.put("area", m.area());
                e.put("predicted_iou", m.predictedIou());
                e.put("stability_score", m.stabilityScore());
                e.put("point_coords", List.of(List.of(m.point()[0], m.point()[1])));
                e.put("crop_box", m.cropBox());
                index.add(e);
            }
            writeText(dir.resolve("masks.json"), Json.write(index) + "\n");
            out.println(Json.write(Map.of("masks", masks.size(), "index", dir.resolve("masks.json").toString(), "model", model.variant())));
        }
        return Main.OK;
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

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new Main.UsageException(option + " needs a value");
        return args[i];
    }

    private static float[] numbers(String text, int count, String option) {
        String[] parts = text.split(",");
        if (parts.length != count) throw new Main.UsageException(option + " takes " + count + " comma-separated numbers, got '" + text + "'");
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new Main.UsageException(option + ": '" + parts[i] + "' is not a number");
            }
        }
        return v;
    }

    private static float[] toArray(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    /** An image file (PNG, JPEG, BMP, GIF), or frame `index` (default 0) of a video. */
    static Frame readFrame(Path file, long index, Arena arena) {
        if (!Files.isRegularFile(file)) throw new FileAccessException("input '" + file + "' does not exist or is not a file");
        BufferedImage image;
        try {
            image = index < 0 ? ImageIO.read(file.toFile()) : null;
        } catch (IOException e) {
            throw new InvalidInputException("cannot decode image '" + file + "': " + e.getMessage());
        }
        if (image != null) return toFrame(image, arena);
        try (VideoReader video = VideoReader.open(file)) {
            long frame = Math.max(0, index);
            if (frame > 0) video.seek(frame);
            Frame f = video.allocateFrame(arena);
            if (!video.read(f)) {
                throw new InvalidInputException("video '" + file + "' has no frame " + frame + " (about " + video.info().frameCount() + " frames)");
            }
            return f;
        }
    }

    static Frame toFrame(BufferedImage image, Arena arena) {
        int w = image.getWidth(), h = image.getHeight();
        Frame f = Frame.allocate(arena, w, h);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                long o = f.offset(x, y, 0);
                f.data().set(ValueLayout.JAVA_BYTE, o, (byte) (row[x] >> 16));
                f.data().set(ValueLayout.JAVA_BYTE, o + 1, (byte) (row[x] >> 8));
                f.data().set(ValueLayout.JAVA_BYTE, o + 2, (byte) row[x]);
            }
        }
        return f;
    }

    /** out.png -> out_0.png, out_1.png, ... */
    static Path numbered(Path out, int m) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : ".png";
        return out.resolveSibling(stem + "_" + m + ext);
    }

    /** Writes an 8-bit grayscale PNG through a temporary file in the same folder, then renames it. */
    static void writeMask(Mask mask, Path file) {
        BufferedImage img = new BufferedImage(mask.width(), mask.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] row = new byte[mask.width()];
        for (int y = 0; y < mask.height(); y++) {
            java.lang.foreign.MemorySegment.copy(mask.data(), ValueLayout.JAVA_BYTE, mask.offset(0, y, 0), row, 0, row.length);
            img.getRaster().setDataElements(0, y, mask.width(), 1, row);
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) throw new FileAccessException("cannot write '" + file + "': folder '" + dir + "' does not exist");
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new FileAccessException("cannot write '" + file + "': " + e.getMessage());
        }
    }
}
