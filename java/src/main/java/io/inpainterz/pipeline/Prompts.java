package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The objects to track or remove, each a list of prompts ({@link Prompt}) on any frames. Object
 * {@code k} (1-based, in the order given) is id {@code k} of the label maps. An object's
 * reference is its first prompted frame; prompts on later frames correct it.
 */
public final class Prompts {
    /** Label maps are 8-bit: ids 1..255. */
    public static final int MAX_OBJECTS = 255;

    private final List<List<Prompt>> objects;

    public Prompts(List<List<Prompt>> objects) {
        List<List<Prompt>> copy = new ArrayList<>();
        for (List<Prompt> o : objects) copy.add(List.copyOf(o));
        this.objects = Collections.unmodifiableList(copy);
        if (this.objects.isEmpty()) throw new InvalidInputException("no object to track: give a prompt (--point F:X,Y, --box, --mask or --prompts)");
        if (this.objects.size() > MAX_OBJECTS) throw new InvalidInputException(this.objects.size() + " objects given; at most " + MAX_OBJECTS);
        for (int i = 0; i < this.objects.size(); i++) {
            if (this.objects.get(i).isEmpty()) throw new InvalidInputException("object " + (i + 1) + " has no prompt");
        }
    }

    /**
     * Reads {@code {"objects": [[{"frame": F, "point": [X, Y]}, {"frame": F, "neg": [X, Y]},
     * {"frame": F, "box": [X0, Y0, X1, Y1]}, {"frame": F, "mask": "file.png"}], ...]}}: one list of
     * prompts per object. Relative mask paths are relative to the file's folder.
     */
    public static List<List<Prompt>> readJson(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new FileAccessException("cannot read prompts file '" + file + "': " + e.getMessage());
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("prompts file '" + file + "' is not valid JSON: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(root, base, "prompts file '" + file + "'");
    }

    /** The {@code objects} list of a prompts file or a manifest line; {@code where} names it in messages. */
    public static List<List<Prompt>> parse(Object root, Path base, String where) {
        Object list = root instanceof Map<?, ?> m ? m.get("objects") : null;
        if (!(list instanceof List<?> objs)) throw new InvalidInputException(where + ": expected {\"objects\": [[prompt, ...], ...]}");
        List<List<Prompt>> out = new ArrayList<>();
        for (int i = 0; i < objs.size(); i++) {
            if (!(objs.get(i) instanceof List<?> prompts)) throw new InvalidInputException(where + ": object " + (i + 1) + " is not a list of prompts");
            List<Prompt> o = new ArrayList<>();
            for (int j = 0; j < prompts.size(); j++) o.add(prompt(prompts.get(j), base, where + ", object " + (i + 1) + " prompt " + (j + 1)));
            out.add(o);
        }
        return out;
    }

    private static Prompt prompt(Object p, Path base, String where) {
        if (!(p instanceof Map<?, ?> m)) throw new InvalidInputException(where + ": expected an object like {\"frame\": 0, \"point\": [x, y]}");
        if (!(m.get("frame") instanceof Long frame)) throw new InvalidInputException(where + ": \"frame\" must be an integer");
        List<String> kinds = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (k.equals("frame")) continue;
            if (!List.of("point", "neg", "box", "mask").contains(k)) throw new InvalidInputException(where + ": unknown key \"" + k + "\"");
            kinds.add((String) k);
        }
        if (kinds.size() != 1) throw new InvalidInputException(where + ": give exactly one of \"point\", \"neg\", \"box\", \"mask\"");
        String kind = kinds.get(0);
        Object v = m.get(kind);
        try {
            return switch (kind) {
                case "point", "neg" -> {
                    float[] xy = numbers(v, 2, where + " \"" + kind + "\"");
                    yield new Prompt.Point(frame, xy[0], xy[1], kind.equals("point"));
                }
                case "box" -> {
                    float[] b = numbers(v, 4, where + " \"box\"");
                    yield new Prompt.Box(frame, b[0], b[1], b[2], b[3]);
                }
                default -> {
                    if (!(v instanceof String s)) throw new InvalidInputException(where + ": \"mask\" must be a file name");
                    Path f = Path.of(s);
                    yield new Prompt.MaskFile(frame, base == null || f.isAbsolute() ? f : base.resolve(f));
                }
            };
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith(where)) throw e;
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
    }

    private static float[] numbers(Object v, int n, String where) {
        if (!(v instanceof List<?> l) || l.size() != n) throw new InvalidInputException(where + " must be a list of " + n + " numbers");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            if (!(l.get(i) instanceof Number num)) throw new InvalidInputException(where + " must be a list of " + n + " numbers");
            out[i] = num.floatValue();
        }
        return out;
    }

    public int count() {
        return objects.size();
    }

    /** Prompts of object {@code id} (1-based). */
    public List<Prompt> of(int id) {
        return objects.get(id - 1);
    }

    /** The object's reference frame: its first prompted frame. */
    public long firstFrame(int id) {
        return of(id).stream().mapToLong(Prompt::frame).min().orElseThrow();
    }

    /** Every frame with a prompt, ascending. */
    public TreeSet<Long> frames() {
        TreeSet<Long> s = new TreeSet<>();
        for (List<Prompt> o : objects) for (Prompt p : o) s.add(p.frame());
        return s;
    }

    /** Object id to its prompts on {@code frame}, for the objects that have some there (ascending ids). */
    public Map<Integer, List<Prompt>> on(long frame) {
        Map<Integer, List<Prompt>> m = new TreeMap<>();
        for (int id = 1; id <= count(); id++) {
            for (Prompt p : of(id)) if (p.frame() == frame) m.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
        }
        return m;
    }

    public boolean needsSegmenter() {
        return objects.stream().flatMap(List::stream).anyMatch(Prompt::needsSegmenter);
    }

    /**
     * Checks every prompt against a video of {@code width x height} and the frames to process:
     * inside the frame, in {@code range}, before {@code frameCount} when that is known (else -1),
     * at most one box per object and frame.
     */
    public void validate(int width, int height, long frameCount, Range range) {
        for (int id = 1; id <= count(); id++) {
            Map<Long, Integer> boxes = new TreeMap<>();
            for (Prompt p : of(id)) {
                String what = "object " + id + ": " + describe(p);
                if (frameCount >= 0 && p.frame() >= frameCount) {
                    throw new InvalidInputException(what + " is past the last frame (the video has " + frameCount + " frames, 0.." + (frameCount - 1) + ")");
                }
                if (range != null && !range.contains(p.frame())) {
                    throw new InvalidInputException(what + " lies outside --range " + range);
                }
                switch (p) {
                    case Prompt.Point pt -> inside(pt.x(), pt.y(), width, height, what);
                    case Prompt.Box b -> {
                        inside(b.x0(), b.y0(), width, height, what);
                        inside(b.x1(), b.y1(), width, height, what);
                        if (boxes.merge(b.frame(), 1, Integer::sum) > 1) {
                            throw new InvalidInputException("object " + id + " has two boxes on frame " + b.frame() + "; give one (use --object for another object)");
                        }
                    }
                    case Prompt.MaskFile mf -> {
                        if (!Files.isRegularFile(mf.file()) || !Files.isReadable(mf.file())) {
                            throw new FileAccessException(what + ": mask file '" + mf.file() + "' does not exist or is not readable");
                        }
                    }
                }
            }
        }
    }

    private static void inside(float x, float y, int width, int height, String what) {
        if (x < 0 || x > width || y < 0 || y > height) throw new InvalidInputException(what + " lies outside the " + width + "x" + height + " frame");
    }

    static String describe(Prompt p) {
        return switch (p) {
            case Prompt.Point pt -> (pt.positive() ? "point " : "negative point ") + fmt(pt.x()) + "," + fmt(pt.y()) + " on frame " + pt.frame();
            case Prompt.Box b -> "box " + fmt(b.x0()) + "," + fmt(b.y0()) + "," + fmt(b.x1()) + "," + fmt(b.y1()) + " on frame " + b.frame();
            case Prompt.MaskFile m -> "mask " + m.file() + " on frame " + m.frame();
        };
    }

    private static String fmt(float v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public String toString() {
        return "Prompts" + objects;
    }
}
