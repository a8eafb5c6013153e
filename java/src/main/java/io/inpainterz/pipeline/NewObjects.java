package io.inpainterz.pipeline;

import java.util.Arrays;

/**
 * Which automatic masks become new objects in {@code track --everything}, as the reference app's
 * SegTracker does it ({@code seg} then {@code find_new_objs}): the masks of one frame are merged
 * into one segment map in the generator's order, later masks over earlier ones (masks under
 * {@link #MIN_AREA} pixels are left out); then, segment by segment in that order, a segment
 * becomes the next object when at least {@link #MIN_AREA} of its pixels and at least
 * {@link #MIN_UNCOVERED_PERCENT} % of them are not covered by a tracked object, while fewer than
 * {@link #MAX_OBJECTS} objects exist. A new object takes only its uncovered pixels: tracked
 * objects keep theirs.
 */
final class NewObjects {
    /** Smallest new object, in pixels (the app's min_area). */
    static final int MIN_AREA = 200;
    /** Share of a mask that tracked objects must leave uncovered (the app's min_new_obj_iou, 0.8). */
    static final int MIN_UNCOVERED_PERCENT = 80;
    /** Most objects in a video (8-bit label maps; the app's max_obj_num). */
    static final int MAX_OBJECTS = 255;

    private final int[] segments;
    private int count;

    NewObjects(int width, int height) {
        this.segments = new int[width * height];
    }

    /** Merges the next mask of the frame (nonzero = object; the frame's size) over those so far. */
    void add(byte[] mask) {
        if (mask.length != segments.length) throw new IllegalArgumentException("mask of " + mask.length + " pixels for a frame of " + segments.length);
        long area = 0;
        for (byte b : mask) if (b != 0) area++;
        if (area < MIN_AREA) return;
        int id = ++count;
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) segments[i] = id;
    }

    /**
     * Paints the admitted segments into {@code map} (the frame's label map as tracked, 0 =
     * uncovered) as ids {@code objects + 1, objects + 2, ...}; returns the new number of objects.
     * Starts the next frame's merge.
     */
    int admit(byte[] map, int objects) {
        if (map.length != segments.length) throw new IllegalArgumentException("map of " + map.length + " pixels for a frame of " + segments.length);
        long[] visible = new long[count + 1], uncovered = new long[count + 1];
        for (int i = 0; i < map.length; i++) {
            int s = segments[i];
            visible[s]++;
            if (map[i] == 0) uncovered[s]++;
        }
        int[] id = new int[count + 1];
        for (int s = 1; s <= count && objects < MAX_OBJECTS; s++) {
            if (uncovered[s] >= MIN_AREA && 100 * uncovered[s] >= MIN_UNCOVERED_PERCENT * visible[s]) id[s] = ++objects;
        }
        for (int i = 0; i < map.length; i++) {
            int s = segments[i];
            if (s != 0 && id[s] != 0 && map[i] == 0) map[i] = (byte) id[s];
        }
        Arrays.fill(segments, 0);
        count = 0;
        return objects;
    }
}
