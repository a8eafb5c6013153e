package io.inpainterz.engine;

import io.inpainterz.nativeapi.VideoBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Encodes RGB24 frames to H.264 (libx264) or HEVC (libx265), BT.709; 4:2:0, or 4:4:4 for odd
 * sizes. From a source file (usually the input video) it keeps what the container can carry:
 * audio packet for packet (re-encoded to AAC only when the container cannot carry its codec),
 * subtitles (text ones converted to the container's text format), chapters, and the container's
 * and video stream's tags (creation time, title, language); {@link #notes()} says what it could
 * not keep as it was. The output appears at its path only when {@link #finish()} succeeds;
 * closing an unfinished writer (an error, a cancel) deletes the partial file. One call at a
 * time; it may move between threads, and a call made while another runs throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (VideoWriter w = VideoWriter.open(out, 1920, 1080, VideoWriter.Options.defaults().withFps(25).withSource(in))) {
 *     while (reader.read(frame)) w.write(frame, reader.lastPtsMicros());
 *     w.finish();
 * }
 * }</pre>
 */
public final class VideoWriter implements AutoCloseable {
    /** The output's video codec (inp_video_codec, in its order). */
    public enum Codec {
        H264, HEVC
    }

    /**
     * @param crf      constant rate factor, 0..51 (lower is better; 18 is visually lossless for H.264)
     * @param preset   encoder preset: ultrafast ... veryslow
     * @param fps      output frame rate; frames written without a time get index / fps
     * @param source   keep this file's audio, subtitles, chapters and tags (usually the input video), or null
     * @param rotation display rotation to record, degrees clockwise
     * @param codec    the video codec
     */
    public record Options(int crf, String preset, double fps, Path source, int rotation, Codec codec) {
        /** The native library's defaults (inp_video_writer_default_params). */
        public static Options defaults() {
            return VideoBindings.writerDefaults(Options.class);
        }

        public Options withCrf(int v) {
            return new Options(v, preset, fps, source, rotation, codec);
        }

        public Options withPreset(String v) {
            return new Options(crf, v, fps, source, rotation, codec);
        }

        public Options withFps(double v) {
            return new Options(crf, preset, v, source, rotation, codec);
        }

        public Options withSource(Path v) {
            return new Options(crf, preset, fps, v, rotation, codec);
        }

        public Options withRotation(int v) {
            return new Options(crf, preset, fps, source, v, codec);
        }

        public Options withCodec(Codec v) {
            return new Options(crf, preset, fps, source, rotation, v);
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

    /** What of the source was not kept as it was (streams dropped or converted, and why), one line each. */
    public List<String> notes() {
        try (NativeHandle.Exclusive busy = handle.exclusive()) {
            String n = VideoBindings.videoWriterNotes(handle.pointer());
            return n.isEmpty() ? List.of() : List.of(n.split("\n"));
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
