package io.inpainterz.engine;

import io.inpainterz.nativeapi.VideoBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Encodes RGB24 frames to H.264 (libx264, BT.709; 4:2:0, or 4:4:4 for odd sizes), copying the
 * audio of a source file packet for packet (re-encoded to AAC only when the container cannot
 * carry its codec). The output appears at its path only when {@link #finish()} succeeds;
 * closing an unfinished writer (an error, a cancel) deletes the partial file. One call at a
 * time; it may move between threads, and a call made while another runs throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (VideoWriter w = VideoWriter.open(out, 1920, 1080, VideoWriter.Options.defaults().withFps(25).withAudioFrom(in))) {
 *     while (reader.read(frame)) w.write(frame, reader.lastPtsMicros());
 *     w.finish();
 * }
 * }</pre>
 */
public final class VideoWriter implements AutoCloseable {
    /**
     * @param crf         x264 constant rate factor, 0..51 (lower is better; 18 is visually lossless)
     * @param preset      x264 preset: ultrafast ... veryslow
     * @param fps         output frame rate; frames written without a time get index / fps
     * @param audioSource copy this file's audio streams (usually the input video), or null
     * @param rotation    display rotation to record, degrees clockwise
     */
    public record Options(int crf, String preset, double fps, Path audioSource, int rotation) {
        /** The native library's defaults (inp_video_writer_default_params). */
        public static Options defaults() {
            return VideoBindings.writerDefaults(Options.class);
        }

        public Options withCrf(int v) {
            return new Options(v, preset, fps, audioSource, rotation);
        }

        public Options withPreset(String v) {
            return new Options(crf, v, fps, audioSource, rotation);
        }

        public Options withFps(double v) {
            return new Options(crf, preset, v, audioSource, rotation);
        }

        public Options withAudioFrom(Path v) {
            return new Options(crf, preset, fps, v, rotation);
        }

        public Options withRotation(int v) {
            return new Options(crf, preset, fps, audioSource, v);
        }
    }

    private final NativeHandle handle;
    private final int width, height;

    private VideoWriter(Path path, MemorySegment raw, int width, int height) {
        this.handle = NativeHandle.of(NativeHandle.Kind.VIDEO_WRITER, this, "VideoWriter[" + path + "]", raw);
        this.width = width;
        this.height = height;
    }

    public static VideoWriter open(Path path, int width, int height, Options options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new VideoWriter(path, VideoBindings.videoWriterInit(path.toString(), width, height, VideoBindings.writerParams(options, scratch), scratch),
                    width, height);
        }
    }

    /** Encodes a frame at time {@code ptsMicros} (strictly increasing; -1 = index / fps). */
    public void write(Frame frame, long ptsMicros) {
        try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
            VideoBindings.videoWriterWriteFrame(handle.pointer(), frame.descriptor(scratch), ptsMicros);
        }
    }

    /** Completes the file and moves it to its path. */
    public void finish() {
        try (NativeHandle.Exclusive busy = handle.exclusive()) {
            VideoBindings.videoWriterFinish(handle.pointer());
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Frees the writer; an output not finished is deleted. */
    @Override
    public void close() {
        handle.close();
    }
}
