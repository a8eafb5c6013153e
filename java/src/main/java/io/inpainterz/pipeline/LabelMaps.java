package io.inpainterz.pipeline;

/** Operations on 8-bit label maps held as packed byte arrays (0 = background, k = object k). */
final class LabelMaps {
    private LabelMaps() {}

    /** Where {@code mask} is nonzero, {@code map} becomes {@code id}. */
    static void paint(byte[] map, byte[] mask, int id) {
        byte v = (byte) id;
        for (int i = 0; i < map.length; i++) if (mask[i] != 0) map[i] = v;
    }

    /** Pixels of {@code id} become background. */
    static void clear(byte[] map, int id) {
        byte v = (byte) id;
        for (int i = 0; i < map.length; i++) if (map[i] == v) map[i] = 0;
    }

    /** {@code dst[i] = lut[src[i]]}; may be in place. */
    static void remap(byte[] src, int[] lut, byte[] dst) {
        for (int i = 0; i < src.length; i++) dst[i] = (byte) lut[src[i] & 0xff];
    }

    /** Background pixels of {@code map} take {@code under}'s label. */
    static void fillBackground(byte[] map, byte[] under) {
        for (int i = 0; i < map.length; i++) if (map[i] == 0) map[i] = under[i];
    }

    /** Nonzero becomes 255. */
    static void binarize(byte[] map, byte[] dst) {
        for (int i = 0; i < map.length; i++) dst[i] = map[i] != 0 ? (byte) 255 : 0;
    }

    static boolean isEmpty(byte[] map) {
        for (byte b : map) if (b != 0) return false;
        return true;
    }

    /**
     * Ids of a tracker session: objects get session ids 1, 2, ... in the order they are added
     * (a tracker's ids continue the ids so far), while the pipeline's label maps carry the
     * objects' own ids.
     */
    static final class SessionIds {
        final int[] toSession = new int[256];
        final int[] toGlobal = new int[256];
        private int next = 1;

        boolean has(int global) {
            return toSession[global] != 0;
        }

        void add(int global) {
            if (has(global)) return;
            toSession[global] = next;
            toGlobal[next] = global;
            next++;
        }

        int count() {
            return next - 1;
        }
    }
}
