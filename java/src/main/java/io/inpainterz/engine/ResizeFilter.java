package io.inpainterz.engine;

import io.inpainterz.nativeapi.ImageBindings;

/** Mirrors {@code enum inp_resize_filter}: Pillow's Image.resize filters, bit for bit. */
public enum ResizeFilter {
    /** The pixel at floor((x + 0.5) * in / out): labels stay labels (masks). */
    NEAREST(ImageBindings.RESIZE_NEAREST),
    /** Antialiased when shrinking (SAM's resize). */
    BILINEAR(ImageBindings.RESIZE_BILINEAR),
    /** Pillow's default for RGB, antialiased when shrinking (the inpainting app's frame resize). */
    BICUBIC(ImageBindings.RESIZE_BICUBIC);

    private final int code;

    ResizeFilter(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
