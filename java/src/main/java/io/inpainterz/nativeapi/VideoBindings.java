package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.C_STRING;
import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.callForPointer;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.get;
import static io.inpainterz.nativeapi.Native.offset;
import static io.inpainterz.nativeapi.Native.stringAt;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** inpainterz.h: video reading and writing. */
public final class VideoBindings {
    private VideoBindings() {}

    /** struct inp_video_info. */
    public static final StructLayout VIDEO_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("width"), JAVA_INT.withName("height"), JAVA_INT.withName("coded_width"), JAVA_INT.withName("coded_height"),
            JAVA_INT.withName("rotation"), JAVA_INT.withName("sar_num"), JAVA_INT.withName("sar_den"), JAVA_INT.withName("bit_depth"),
            JAVA_INT.withName("num_audio_streams"), MemoryLayout.paddingLayout(4),
            JAVA_DOUBLE.withName("fps"), JAVA_BOOLEAN.withName("variable_frame_rate"),
            JAVA_BOOLEAN.withName("frame_count_exact"), MemoryLayout.paddingLayout(6),
            JAVA_LONG.withName("frame_count"), JAVA_DOUBLE.withName("duration_s"),
            C_STRING.withName("codec"), C_STRING.withName("pixel_format"), C_STRING.withName("container"),
            C_STRING.withName("color_space"), C_STRING.withName("color_range")).withName("inp_video_info");

    /** struct inp_video_writer_params. */
    public static final StructLayout VIDEO_WRITER_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("crf"), MemoryLayout.paddingLayout(4), C_STRING.withName("preset"),
            JAVA_DOUBLE.withName("fps"), C_STRING.withName("source"),
            JAVA_INT.withName("rotation"), JAVA_INT.withName("codec")).withName("inp_video_writer_params");

    private static final MethodHandle VIDEO_READER_INIT = fn("inp_video_reader_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle VIDEO_READER_FREE = fn("inp_video_reader_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle VIDEO_READER_INFO = fn("inp_video_reader_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_READER_READ_FRAME = fn("inp_video_reader_read_frame",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_READER_SEEK = fn("inp_video_reader_seek", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle VIDEO_READER_TRUNCATED = fn("inp_video_reader_truncated", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_WRITER_DEFAULT_PARAMS = fn("inp_video_writer_default_params", FunctionDescriptor.of(VIDEO_WRITER_PARAMS));
    private static final MethodHandle VIDEO_WRITER_INIT = fn("inp_video_writer_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_WRITER_NOTES = fn("inp_video_writer_notes", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_WRITER_WRITE_FRAME = fn("inp_video_writer_write_frame", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle VIDEO_WRITER_FINISH = fn("inp_video_writer_finish", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle VIDEO_WRITER_FREE = fn("inp_video_writer_free", FunctionDescriptor.ofVoid(ADDRESS));

    // ---- reading ---------------------------------------------------------------------------

    /** Returns the new inp_video_reader*. */
    public static MemorySegment videoReaderInit(String path, Arena scratch) {
        MemorySegment p = scratch.allocateFrom(path);
        return callForPointer(scratch, ret -> (int) VIDEO_READER_INIT.invokeExact(p, ret));
    }

    /** struct inp_video_info, decoded. */
    public record VideoInfoStruct(int width, int height, int codedWidth, int codedHeight, int rotation, int sarNum, int sarDen,
                                  int bitDepth, int numAudioStreams, double fps, boolean variableFrameRate, boolean frameCountExact,
                                  long frameCount, double durationS, String codec, String pixelFormat, String container,
                                  String colorSpace, String colorRange) {}

    public static VideoInfoStruct videoReaderInfo(MemorySegment reader) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VIDEO_INFO);
            call(() -> (int) VIDEO_READER_INFO.invokeExact(reader, s));
            return Structs.read(VideoInfoStruct.class, VIDEO_INFO, s);
        }
    }

    /** Reads the next frame into {@code image} (an inp_image); returns {got, ptsUs, index}. */
    public static long[] videoReaderReadFrame(MemorySegment reader, MemorySegment image, Arena scratch) {
        MemorySegment got = scratch.allocate(JAVA_INT), pts = scratch.allocate(JAVA_LONG), index = scratch.allocate(JAVA_LONG);
        call(() -> (int) VIDEO_READER_READ_FRAME.invokeExact(reader, image, got, pts, index));
        return new long[] {got.get(JAVA_INT, 0), pts.get(JAVA_LONG, 0), index.get(JAVA_LONG, 0)};
    }

    public static void videoReaderSeek(MemorySegment reader, long index) {
        call(() -> (int) VIDEO_READER_SEEK.invokeExact(reader, index));
    }

    /** null when the stream was read cleanly, else what cut it short. */
    public static String videoReaderTruncation(MemorySegment reader, Arena scratch) {
        MemorySegment flag = scratch.allocate(JAVA_INT), message = scratch.allocate(C_STRING);
        call(() -> (int) VIDEO_READER_TRUNCATED.invokeExact(reader, flag, message));
        return flag.get(JAVA_INT, 0) == 0 ? null : Native.string(message.get(C_STRING, 0));
    }

    // ---- writing ---------------------------------------------------------------------------

    static MemorySegment writerDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) VIDEO_WRITER_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_video_writer_default_params() read into {@code type}, a record whose components name its fields. */
    public static <R extends Record> R writerDefaults(Class<R> type) {
        return Structs.defaults(type, VIDEO_WRITER_PARAMS, VideoBindings::writerDefaultStruct);
    }

    /** inp_video_writer_default_params() with the components of {@code p} that differ from it set. */
    public static <R extends Record> MemorySegment writerParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, VIDEO_WRITER_PARAMS, VideoBindings::writerDefaultStruct, scratch);
    }

    /** Returns the new inp_video_writer*. */
    public static MemorySegment videoWriterInit(String path, int width, int height, MemorySegment params, Arena scratch) {
        MemorySegment p = scratch.allocateFrom(path);
        return callForPointer(scratch, ret -> (int) VIDEO_WRITER_INIT.invokeExact(p, width, height, params, ret));
    }

    /** What of the source the writer did not keep as it was, one line each ("" when all was). */
    public static String videoWriterNotes(MemorySegment writer) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ret = scratch.allocate(ADDRESS);
            call(() -> (int) VIDEO_WRITER_NOTES.invokeExact(writer, ret));
            return ret.get(Native.C_STRING, 0).getString(0);
        }
    }

    public static void videoWriterWriteFrame(MemorySegment writer, MemorySegment image, long ptsUs) {
        call(() -> (int) VIDEO_WRITER_WRITE_FRAME.invokeExact(writer, image, ptsUs));
    }

    public static void videoWriterFinish(MemorySegment writer) {
        call(() -> (int) VIDEO_WRITER_FINISH.invokeExact(writer));
    }
}
