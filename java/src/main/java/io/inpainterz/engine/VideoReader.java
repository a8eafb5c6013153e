package io.inpainterz.engine;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.VideoBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a video frame by frame into caller-owned RGB24 {@link Frame}s (decoded and converted by
 * FFmpeg straight into the frame's memory; memory does not grow with the video's length).
 * Stateful: one call at a time. It may move between threads; a call made while another runs
 * throws {@link IllegalStateException}.
 */
public final class VideoReader implements AutoCloseable {
    private final NativeHandle handle;
    private final VideoInfo info;
    private long lastPtsUs = -1, lastIndex = -1;

    private VideoReader(Path path, MemorySegment raw) {
        this.handle = NativeHandle.of(NativeHandle.Kind.VIDEO_READER, this, "VideoReader[" + path + "]", raw);
        VideoBindings.VideoInfoStruct s = VideoBindings.videoReaderInfo(handle.pointer());
        this.info = new VideoInfo(path.toString(), s.width(), s.height(), s.codedWidth(), s.codedHeight(), s.rotation(), s.sarNum(), s.sarDen(),
                s.bitDepth(), s.fps(), s.variableFrameRate(), s.frameCount(), s.frameCountExact(), s.durationS(), s.codec(), s.pixelFormat(),
                s.container(), s.colorSpace(), s.colorRange(), s.numAudioStreams());
    }

    /**
     * @throws FileAccessException  missing, a directory, unreadable
     * @throws io.inpainterz.VideoException not a video, no video stream, absurd dimensions
     * @throws io.inpainterz.UnsupportedInputException no decoder for the codec
     */
    public static VideoReader open(Path file) {
        if (!Files.exists(file)) throw new FileAccessException("video '" + file + "' does not exist");
        if (Files.isDirectory(file)) throw new FileAccessException("video '" + file + "' is a directory, not a file");
        try (Arena scratch = Arena.ofConfined()) {
            return new VideoReader(file, VideoBindings.videoReaderInit(file.toString(), scratch));
        }
    }

    public VideoInfo info() {
        return info;
    }

    /** A frame buffer of this video's size, from {@code arena}. */
    public Frame allocateFrame(Arena arena) {
        return Frame.allocate(arena, info.width(), info.height());
    }

    /** A frame buffer of this video's size with memory of its own (close it). */
    public Frame allocateFrame() {
        return Frame.allocate(info.width(), info.height());
    }

    /** A pool of {@code capacity} frames of this video's size. */
    public ImagePool<Frame> framePool(int capacity) {
        return ImagePool.frames(info.width(), info.height(), capacity);
    }

    /** Decodes the next frame into {@code frame}; false at the end of the stream (frame untouched). */
    public boolean read(Frame frame) {
        if (frame.width() != info.width() || frame.height() != info.height()) {
            throw new InvalidInputException("frame is " + frame.width() + "x" + frame.height() + " but " + info.file() + " is "
                    + info.width() + "x" + info.height());
        }
        try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
            long[] r = VideoBindings.videoReaderReadFrame(handle.pointer(), frame.descriptor(scratch), scratch);
            if (r[0] == 0) return false;
            lastPtsUs = r[1];
            lastIndex = r[2];
            return true;
        }
    }

    /** Presentation time of the last frame read, in microseconds (-1 when unknown). */
    public long lastPtsMicros() {
        return lastPtsUs;
    }

    /** Index of the last frame read. */
    public long lastIndex() {
        return lastIndex;
    }

    /** The next {@link #read} returns frame {@code index}. */
    public void seek(long index) {
        if (index < 0) throw new InvalidInputException("frame index " + index + " is negative");
        try (NativeHandle.Exclusive busy = handle.exclusive()) {
            VideoBindings.videoReaderSeek(handle.pointer(), index);
        }
    }

    /** Null when everything read so far was intact; else why the stream ended early. */
    public String truncation() {
        try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
            return VideoBindings.videoReaderTruncation(handle.pointer(), scratch);
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
