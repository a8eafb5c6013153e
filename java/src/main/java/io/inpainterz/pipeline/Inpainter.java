package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.ImagePool;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import java.util.List;

/**
 * The inpainting stage: fills the masked regions of a clip at the stage's working resolution,
 * one {@link Session} per clip, frames pushed in order. Implementations: {@link NeuralInpainter}
 * (E2FGVI) and {@link ClassicalInpainter} (weight-free).
 */
public interface Inpainter extends AutoCloseable {
    /** What runs, for reports ("E2FGVI (8 blocks)"). */
    String description();

    /**
     * The working size for frames of {@code sourceWidth x sourceHeight}: frames are resized to it
     * before {@link Session#push} and the results back. With {@code --crop off} these are whole
     * frames; with the crop on, the whole frame's working size sets the crop's aspect ratio and
     * least size ({@link Crops}), and the crop's own working size is what the session gets.
     */
    Size workingSize(int sourceWidth, int sourceHeight);

    /** The dilation (3x3-cross iterations at the working size) this inpainter works best with, when the user gives none. */
    int defaultDilation();

    /** A session for a clip of {@code width x height} frames (a working size); masks are dilated {@code dilation} times (3x3 cross). */
    Session newSession(int width, int height, int dilation);

    @Override
    void close();

    /** One clip; one call at a time. */
    interface Session extends AutoCloseable {
        /**
         * Pushes the next frame and its mask (nonzero = fill, before dilation); returns the frames
         * that became final, in clip order, composited (pixels outside the dilated mask are the
         * input's), taken from {@code pool} where it has free ones (close them). Frames with empty
         * masks are context. The frame and mask may be reused once this returns.
         */
        List<Frame> push(Frame frame, Mask mask, Job job, ImagePool<Frame> pool);

        /** Ends the clip; returns every frame not returned yet, in order. */
        List<Frame> finish(Job job, ImagePool<Frame> pool);

        @Override
        void close();

        /** An engine session (E2FGVI's, the flow inpainter's) as this stage's session; closing it closes that. */
        static Session of(io.inpainterz.engine.InpaintSession s) {
            return new Session() {
                @Override
                public List<Frame> push(Frame frame, Mask mask, Job job, ImagePool<Frame> pool) {
                    return s.push(frame, mask, job, pool);
                }

                @Override
                public List<Frame> finish(Job job, ImagePool<Frame> pool) {
                    return s.finish(job, pool);
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
    }

    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }
}
