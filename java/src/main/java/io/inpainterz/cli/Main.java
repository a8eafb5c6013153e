package io.inpainterz.cli;

import io.inpainterz.InpainterzException;
import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.Engine;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.engine.ModelInfo;
import io.inpainterz.parity.ParityFixtures;
import io.inpainterz.parity.ParityRunner;
import io.inpainterz.parity.StageResult;
import io.inpainterz.util.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code inpainterz} command line (launcher: bin/inpainterz). */
public final class Main {
    /** Exit codes, documented in README.md. */
    static final int OK = 0, CHECK_FAILED = 1, USAGE = 2, BAD_INPUT = 3, NO_NATIVE_LIBRARY = 4;

    static final String USAGE_TEXT = """
            usage: inpainterz <command> [options]

            commands:
              info VIDEO [--json]          size, rotation, frame rate, frame count, duration, codec, pixel format,
                                           colour, audio streams of a video
              transcode VIDEO -o OUT [--crf N] [--preset P]
                                           re-encode through the engine (RGB frames, H.264, source times,
                                           audio kept); OUT appears only when complete
              ckpt inspect FILE [--json]   model family, variant, tensor and parameter counts of a checkpoint
              segment INPUT [--frame F] [--sam FILE] (--point X,Y | --neg X,Y | --box X0,Y0,X1,Y1)... [--multimask] -o OUT.png
                                           SAM mask(s) of an image (PNG/JPEG) or of frame F of a video, as
                                           8-bit PNGs at the input's size, 255 = object;
                                           prints a JSON line with the IoU predictions
                                           (--sam defaults to ckpt/sam_vit_b_01ec64.pth)
              segment INPUT [--frame F] [--sam FILE] --everything [--points-per-side N] [--crop-n-layers N]
                      [--pred-iou-thresh T] [--stability-score-thresh T] -o DIR
                                           every object (automatic mask generator, upstream defaults):
                                           DIR/mask_NNN.png and DIR/masks.json (bbox, area, predicted_iou,
                                           stability_score, point_coords, crop_box)
              parity [--dir D] [MODEL...]  compare this build with the upstream fixtures (MODEL: sam, deaot, e2fgvi;
                                           default all); one line per stage; exit 1 on any miss
              version                      versions of this build (native library, libtorch, FFmpeg)
              help                         this text

            exit codes: 0 ok, 1 a check failed, 2 usage error, 3 bad input (the message names it),
                        4 native library missing or mismatched
            """;

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    int run(String[] args) {
        try {
            if (args.length == 0) return usage("no command given");
            if (!List.of("help", "--help", "-h").contains(args[0])) {
                Engine.load(); // library problems surface here as one message, before any binding initializes
            }
            return switch (args[0]) {
                case "ckpt" -> ckpt(tail(args));
                case "parity" -> parity(tail(args));
                case "segment" -> SegmentCommand.run(tail(args), out);
                case "info" -> info(tail(args));
                case "transcode" -> transcode(tail(args));
                case "version", "--version" -> {
                    out.println(Engine.buildInfo());
                    yield OK;
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                default -> usage("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (InpainterzException e) {
            err.println("inpainterz: " + e.getMessage());
            return BAD_INPUT;
        } catch (UnsatisfiedLinkError e) {
            err.println("inpainterz: " + e.getMessage());
            return NO_NATIVE_LIBRARY;
        }
    }

    private int usage(String problem) {
        err.println("inpainterz: " + problem);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private static String[] tail(String[] args) {
        String[] t = new String[args.length - 1];
        System.arraycopy(args, 1, t, 0, t.length);
        return t;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    // ---- inpainterz ckpt inspect FILE [--json] ---------------------------------------------

    private int ckpt(String[] args) {
        if (args.length == 0 || !args[0].equals("inspect")) throw new UsageException("expected 'ckpt inspect FILE [--json]'");
        String file = null;
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--json")) json = true;
            else if (args[i].startsWith("-")) throw new UsageException("unknown option '" + args[i] + "' for ckpt inspect");
            else if (file == null) file = args[i];
            else throw new UsageException("ckpt inspect takes one FILE");
        }
        if (file == null) throw new UsageException("ckpt inspect needs a FILE");

        try (Checkpoint ck = Checkpoint.open(Path.of(file))) {
            ModelInfo m = ck.modelInfo();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", file);
                o.put("format", m.format().name().toLowerCase());
                o.put("family", m.family().id());
                o.put("variant", m.variant());
                o.put("wrapper", m.wrapper());
                o.put("tensors", m.numTensors());
                o.put("parameters", m.numElements());
                o.put("bytes", m.numBytes());
                out.println(Json.write(o));
            } else {
                out.printf("file:        %s%n", file);
                out.printf("format:      %s%n", m.format().name().toLowerCase());
                out.printf("family:      %s%n", m.family().id());
                out.printf("variant:     %s%n", m.variant());
                out.printf("wrapper:     %s%n", m.wrapper().isEmpty() ? "(none: state dict at top level)" : m.wrapper());
                out.printf("tensors:     %d%n", m.numTensors());
                out.printf("parameters:  %,d (%.1f MiB)%n", m.numElements(), m.numBytes() / 1048576.0);
            }
            if (m.family() == ModelFamily.UNKNOWN) {
                err.println("inpainterz: '" + file + "' is a valid checkpoint but not a SAM, DeAOT or E2FGVI model");
                return CHECK_FAILED;
            }
            return OK;
        }
    }

    // ---- inpainterz info VIDEO [--json] -----------------------------------------------------

    private int info(String[] args) {
        String file = null;
        boolean json = false;
        for (String a : args) {
            if (a.equals("--json")) json = true;
            else if (a.startsWith("-")) throw new UsageException("unknown option '" + a + "' for info");
            else if (file == null) file = a;
            else throw new UsageException("info takes one VIDEO");
        }
        if (file == null) throw new UsageException("info needs a VIDEO");
        try (io.inpainterz.engine.VideoReader r = io.inpainterz.engine.VideoReader.open(Path.of(file))) {
            io.inpainterz.engine.VideoInfo v = r.info();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("file", file);
            o.put("width", v.width());
            o.put("height", v.height());
            o.put("coded_width", v.codedWidth());
            o.put("coded_height", v.codedHeight());
            o.put("rotation", v.rotation());
            o.put("display_aspect", Math.round(v.displayAspect() * 10000) / 10000.0);
            o.put("fps", Math.round(v.fps() * 1000) / 1000.0);
            o.put("variable_frame_rate", v.variableFrameRate());
            o.put("frame_count", v.frameCount());
            o.put("frame_count_exact", v.frameCountExact());
            o.put("duration_s", Math.round(v.durationS() * 1000) / 1000.0);
            o.put("codec", v.codec());
            o.put("pixel_format", v.pixelFormat());
            o.put("bit_depth", v.bitDepth());
            o.put("color_space", v.colorSpace());
            o.put("color_range", v.colorRange());
            o.put("container", v.container());
            o.put("audio_streams", v.audioStreams());
            if (json) {
                out.println(Json.write(o));
            } else {
                for (Map.Entry<String, Object> e : o.entrySet()) out.printf("%-20s %s%n", e.getKey() + ":", e.getValue());
            }
            return OK;
        }
    }

    // ---- inpainterz transcode VIDEO -o OUT [--crf N] [--preset P] ------------------------------

    private int transcode(String[] args) {
        String in = null, outFile = null;
        io.inpainterz.engine.VideoWriter.Options options = io.inpainterz.engine.VideoWriter.Options.defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-o", "--output" -> outFile = next(args, ++i, a);
                case "--crf" -> {
                    try {
                        options = options.withCrf(Integer.parseInt(next(args, ++i, a)));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--crf takes an integer 0..51");
                    }
                }
                case "--preset" -> options = options.withPreset(next(args, ++i, a));
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown option '" + a + "' for transcode");
                    if (in != null) throw new UsageException("transcode takes one VIDEO");
                    in = a;
                }
            }
        }
        if (in == null || outFile == null) throw new UsageException("transcode needs VIDEO and -o OUT");
        Path src = Path.of(in);
        try (io.inpainterz.engine.VideoReader r = io.inpainterz.engine.VideoReader.open(src);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             io.inpainterz.engine.VideoWriter w = io.inpainterz.engine.VideoWriter.open(Path.of(outFile), r.info().width(), r.info().height(),
                     options.withFps(r.info().fps() > 0 ? r.info().fps() : 25).withAudioFrom(src))) {
            io.inpainterz.engine.Frame frame = r.allocateFrame(arena);
            long n = 0;
            while (r.read(frame)) {
                w.write(frame, r.lastPtsMicros());
                n++;
            }
            w.finish();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("output", outFile);
            o.put("frames", n);
            if (r.truncation() != null) o.put("input_truncated", r.truncation());
            out.println(Json.write(o));
            return OK;
        }
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) throw new UsageException(option + " needs a value");
        return args[i];
    }

    // ---- inpainterz parity [--dir D] [MODEL...] ----------------------------------------------

    private int parity(String[] args) {
        String dir = null;
        List<String> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--dir")) {
                if (++i >= args.length) throw new UsageException("--dir needs a folder");
                dir = args[i];
            } else if (args[i].startsWith("-")) {
                throw new UsageException("unknown option '" + args[i] + "' for parity");
            } else if (ParityRunner.MODELS.contains(args[i])) {
                models.add(args[i]);
            } else {
                throw new UsageException("unknown model '" + args[i] + "'; expected one of " + ParityRunner.MODELS);
            }
        }
        if (models.isEmpty()) models = ParityRunner.MODELS;
        Path root = ParityFixtures.root(dir);
        out.println("parity: " + Engine.buildInfo() + "; fixtures " + root);
        List<StageResult> results = ParityRunner.run(root, models, out);
        long failed = results.stream().filter(r -> !r.passed()).count();
        out.printf("parity: %d stages, %d passed, %d failed%n", results.size(), results.size() - failed, failed);
        return failed == 0 && !results.isEmpty() ? OK : CHECK_FAILED;
    }
}
