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
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** inpainterz.h: tensor lists and checkpoints. */
public final class CheckpointBindings {
    private CheckpointBindings() {}

    public static final int MAX_DIMS = 8;

    /** struct inp_tensor_info. */
    public static final StructLayout TENSOR_INFO = MemoryLayout.structLayout(
            C_STRING.withName("name"), JAVA_INT.withName("dtype"), JAVA_INT.withName("ndim"),
            MemoryLayout.sequenceLayout(MAX_DIMS, JAVA_LONG).withName("shape"),
            JAVA_LONG.withName("num_bytes"), JAVA_BOOLEAN.withName("is_mapped"), MemoryLayout.paddingLayout(7)).withName("inp_tensor_info");

    /** struct inp_checkpoint_params. */
    public static final StructLayout CHECKPOINT_PARAMS = MemoryLayout.structLayout(
            JAVA_BOOLEAN.withName("use_mmap")).withName("inp_checkpoint_params");

    /** struct inp_model_info. */
    public static final StructLayout MODEL_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("family"), JAVA_INT.withName("format"),
            C_STRING.withName("variant"), C_STRING.withName("wrapper"),
            JAVA_LONG.withName("num_tensors"), JAVA_LONG.withName("num_elements"), JAVA_LONG.withName("num_bytes")).withName("inp_model_info");

    private static final MethodHandle TENSORS_INIT = fn("inp_tensors_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle TENSORS_FREE = fn("inp_tensors_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle TENSORS_COUNT = fn("inp_tensors_count", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TENSORS_INFO = fn("inp_tensors_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle TENSORS_FIND = fn("inp_tensors_find", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TENSORS_COPY = fn("inp_tensors_copy", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle CHECKPOINT_DEFAULT_PARAMS = fn("inp_checkpoint_default_params", FunctionDescriptor.of(CHECKPOINT_PARAMS));
    private static final MethodHandle CHECKPOINT_INIT = fn("inp_checkpoint_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle CHECKPOINT_FREE = fn("inp_checkpoint_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle CHECKPOINT_MODEL_INFO = fn("inp_checkpoint_model_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CHECKPOINT_TENSORS = fn("inp_checkpoint_tensors", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    // ---- tensor lists ----------------------------------------------------------------------

    /** A new empty inp_tensors* (free with inp_tensors_free, through a {@link NativeHandle}). */
    public static MemorySegment tensorsInit(Arena scratch) {
        return callForPointer(scratch, ret -> (int) TENSORS_INIT.invokeExact(ret));
    }

    public static long tensorsCount(MemorySegment tensors, Arena scratch) {
        MemorySegment ret = scratch.allocate(JAVA_LONG);
        call(() -> (int) TENSORS_COUNT.invokeExact(tensors, ret));
        return ret.get(JAVA_LONG, 0);
    }

    /** struct inp_tensor_info, decoded. */
    public record TensorInfoStruct(String name, int dtype, long[] shape, long numBytes, boolean isMapped) {}

    public static TensorInfoStruct tensorsInfo(MemorySegment tensors, long index, Arena scratch) {
        MemorySegment s = scratch.allocate(TENSOR_INFO);
        call(() -> (int) TENSORS_INFO.invokeExact(tensors, index, s));
        long[] shape = new long[s.get(JAVA_INT, offset(TENSOR_INFO, "ndim"))];
        for (int d = 0; d < shape.length; d++) shape[d] = s.get(JAVA_LONG, offset(TENSOR_INFO, "shape") + 8L * d);
        return new TensorInfoStruct(stringAt(s, offset(TENSOR_INFO, "name")), s.get(JAVA_INT, offset(TENSOR_INFO, "dtype")), shape,
                s.get(JAVA_LONG, offset(TENSOR_INFO, "num_bytes")), s.get(JAVA_BOOLEAN, offset(TENSOR_INFO, "is_mapped")));
    }

    public static long tensorsFind(MemorySegment tensors, String name, Arena scratch) {
        MemorySegment ret = scratch.allocate(JAVA_LONG);
        MemorySegment n = scratch.allocateFrom(name);
        call(() -> (int) TENSORS_FIND.invokeExact(tensors, n, ret));
        return ret.get(JAVA_LONG, 0);
    }

    public static void tensorsCopy(MemorySegment tensors, long index, MemorySegment dst) {
        call(() -> (int) TENSORS_COPY.invokeExact(tensors, index, dst, dst.byteSize()));
    }

    // ---- checkpoints -----------------------------------------------------------------------

    /** inp_checkpoint_params, decoded. */
    public record CheckpointParams(boolean useMmap) {}

    public static CheckpointParams checkpointDefaults() {
        return Structs.defaults(CheckpointParams.class, CHECKPOINT_PARAMS, CheckpointBindings::defaultStruct);
    }

    static MemorySegment defaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) CHECKPOINT_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_checkpoint_default_params() with the fields of {@code p} that differ from it set. */
    public static MemorySegment checkpointParams(CheckpointParams p, Arena scratch) {
        return Structs.fromDefaults(p, CHECKPOINT_PARAMS, CheckpointBindings::defaultStruct, scratch);
    }

    /** Returns the new inp_checkpoint*. {@code run}: an inp_run or NULL. */
    public static MemorySegment checkpointInit(String path, MemorySegment params, MemorySegment run, Arena scratch) {
        MemorySegment p = scratch.allocateFrom(path);
        return callForPointer(scratch, ret -> (int) CHECKPOINT_INIT.invokeExact(p, params, run, ret));
    }

    /** struct inp_model_info, decoded (strings copied out of native memory). */
    public record ModelInfoStruct(int family, int format, String variant, String wrapper, long numTensors, long numElements, long numBytes) {}

    public static ModelInfoStruct checkpointModelInfo(MemorySegment ckpt) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(MODEL_INFO);
            call(() -> (int) CHECKPOINT_MODEL_INFO.invokeExact(ckpt, s));
            return new ModelInfoStruct(s.get(JAVA_INT, offset(MODEL_INFO, "family")), s.get(JAVA_INT, offset(MODEL_INFO, "format")),
                    stringAt(s, offset(MODEL_INFO, "variant")), stringAt(s, offset(MODEL_INFO, "wrapper")),
                    s.get(JAVA_LONG, offset(MODEL_INFO, "num_tensors")), s.get(JAVA_LONG, offset(MODEL_INFO, "num_elements")),
                    s.get(JAVA_LONG, offset(MODEL_INFO, "num_bytes")));
        }
    }

    /** The checkpoint's state dict: a borrowed inp_tensors*, valid until the checkpoint is freed. */
    public static MemorySegment checkpointTensors(MemorySegment ckpt, Arena scratch) {
        return callForPointer(scratch, ret -> (int) CHECKPOINT_TENSORS.invokeExact(ckpt, ret));
    }
}
