package io.inpainterz.pipeline;

/**
 * The blend weights of {@code --feather PX}: inside the mask, the weight grows from the edge
 * inwards over PX pixels ({@code d / (PX + 1)} at chessboard distance d from the nearest
 * background pixel, full from PX + 1 on); outside, it is 0, so those pixels stay the source's.
 * Beyond the frame's border counts as inside, so only real mask edges are feathered.
 */
final class Feather {
    private Feather() {}

    /** {@code mask}: width x height, nonzero = inside; {@code alpha} receives 0..255. */
    static void alpha(byte[] mask, int width, int height, int px, byte[] alpha, int[] scratch) {
        int cap = px + 1, n = width * height;
        int[] d = scratch;
        for (int i = 0; i < n; i++) d[i] = mask[i] != 0 ? cap : 0;
        // Two-pass chamfer transform with unit weights (chessboard distance), capped at PX + 1.
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (d[i] == 0) continue;
                int v = d[i];
                if (x > 0) v = Math.min(v, d[i - 1] + 1);
                if (y > 0) {
                    v = Math.min(v, d[i - width] + 1);
                    if (x > 0) v = Math.min(v, d[i - width - 1] + 1);
                    if (x < width - 1) v = Math.min(v, d[i - width + 1] + 1);
                }
                d[i] = v;
            }
        }
        for (int y = height - 1; y >= 0; y--) {
            for (int x = width - 1; x >= 0; x--) {
                int i = y * width + x;
                if (d[i] == 0) continue;
                int v = d[i];
                if (x < width - 1) v = Math.min(v, d[i + 1] + 1);
                if (y < height - 1) {
                    v = Math.min(v, d[i + width] + 1);
                    if (x < width - 1) v = Math.min(v, d[i + width + 1] + 1);
                    if (x > 0) v = Math.min(v, d[i + width - 1] + 1);
                }
                d[i] = v;
            }
        }
        for (int i = 0; i < n; i++) alpha[i] = (byte) (d[i] >= cap ? 255 : (255 * d[i] + cap / 2) / cap);
    }
}
