package io.inpainterz.cli;

import io.inpainterz.InvalidInputException;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.pipeline.Prompts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The prompts of {@code remove} and {@code track}, in command-line order: each {@code --point},
 * {@code --neg}, {@code --box} or {@code --mask} belongs to the current object, and
 * {@code --object} starts the next one. {@code --prompts FILE.json} adds its objects after those.
 */
final class PromptOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    private final List<List<Prompt>> objects = new ArrayList<>(List.of(new ArrayList<>()));

    @Option(names = "--prompts", paramLabel = "FILE.json", description = "objects and their prompts: {\"objects\": [[{\"frame\": F, \"point\": [X, Y]}, "
            + "{\"frame\": F, \"neg\": [X, Y]}, {\"frame\": F, \"box\": [X0, Y0, X1, Y1]}, {\"frame\": F, \"mask\": \"file.png\"}], ...]} "
            + "(paths relative to the file); added after the command line's objects")
    Path promptsFile;

    @Option(names = "--point", paramLabel = "F:X,Y", description = "a point on the object on frame F, in source pixels (repeatable)")
    void point(String[] all) {
        String v = last(all);
        float[] xy = numbers(v, 2, "--point");
        current().add(new Prompt.Point(frame(v, "--point"), xy[0], xy[1], true));
    }

    @Option(names = "--neg", paramLabel = "F:X,Y", description = "a point on the background on frame F (repeatable)")
    void neg(String[] all) {
        String v = last(all);
        float[] xy = numbers(v, 2, "--neg");
        current().add(new Prompt.Point(frame(v, "--neg"), xy[0], xy[1], false));
    }

    @Option(names = "--box", paramLabel = "F:X0,Y0,X1,Y1", description = "a box around the object on frame F (one per object and frame)")
    void box(String[] all) {
        String v = last(all);
        float[] b = numbers(v, 4, "--box");
        try {
            current().add(new Prompt.Box(frame(v, "--box"), b[0], b[1], b[2], b[3]));
        } catch (InvalidInputException e) {
            throw usage("--box " + v + ": " + e.getMessage());
        }
    }

    @Option(names = "--mask", paramLabel = "F:FILE.png", description = "a ready-made mask of the object on frame F (the video's size, nonzero = object)")
    void mask(String[] all) {
        String v = last(all);
        int colon = v.indexOf(':');
        if (colon <= 0 || colon == v.length() - 1) throw usage("--mask takes F:FILE.png, got '" + v + "'");
        current().add(new Prompt.MaskFile(frame(v, "--mask"), Path.of(v.substring(colon + 1))));
    }

    @Option(names = "--object", arity = "0", description = "start the next object: the prompts that follow are its own")
    void object(boolean[] all) {
        if (!current().isEmpty()) objects.add(new ArrayList<>());
    }

    /**
     * Picocli calls a repeatable option's setter at each occurrence, in command-line order, with
     * every value so far: the last one is the new one. That keeps the prompts' order across options.
     */
    private static String last(String[] all) {
        return all[all.length - 1];
    }

    private List<Prompt> current() {
        return objects.get(objects.size() - 1);
    }

    /** Whether any prompt (or --prompts) was given. */
    boolean given() {
        return promptsFile != null || objects.stream().anyMatch(o -> !o.isEmpty());
    }

    /** The objects given, command line first; a usage error when there are none. */
    Prompts prompts() {
        List<List<Prompt>> all = new ArrayList<>();
        for (List<Prompt> o : objects) if (!o.isEmpty()) all.add(o);
        if (promptsFile != null) all.addAll(Prompts.readJson(promptsFile));
        if (all.isEmpty()) throw usage("no object given: --point F:X,Y, --box F:X0,Y0,X1,Y1, --mask F:FILE.png or --prompts FILE.json");
        return new Prompts(all);
    }

    private long frame(String v, String option) {
        int colon = v.indexOf(':');
        if (colon <= 0) throw usage(option + " takes the frame first, as F:" + (option.equals("--box") ? "X0,Y0,X1,Y1" : "X,Y") + ", got '" + v + "'");
        try {
            long f = Long.parseLong(v.substring(0, colon).strip());
            if (f < 0) throw usage(option + ": frame " + f + " is negative");
            return f;
        } catch (NumberFormatException e) {
            throw usage(option + ": '" + v.substring(0, colon) + "' is not a frame index");
        }
    }

    private float[] numbers(String v, int count, String option) {
        int colon = v.indexOf(':');
        String[] parts = (colon < 0 ? v : v.substring(colon + 1)).split(",");
        if (colon <= 0 || parts.length != count) {
            throw usage(option + " takes F:" + (count == 2 ? "X,Y" : "X0,Y0,X1,Y1") + " (frame, then " + count + " comma-separated numbers), got '" + v + "'");
        }
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].strip());
            } catch (NumberFormatException e) {
                throw usage(option + ": '" + parts[i] + "' is not a number");
            }
            if (!Float.isFinite(out[i])) throw usage(option + ": '" + parts[i] + "' is not a finite number");
        }
        return out;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
