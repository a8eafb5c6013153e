package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.C_STRING;
import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.get;
import static io.inpainterz.nativeapi.Native.offset;
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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** inpainterz.h: status codes, library, progress and cancellation, devices, diagnostics. */
public final class LibraryBindings {
    private LibraryBindings() {}

    /** struct inp_run. */
    public static final StructLayout RUN = MemoryLayout.structLayout(
            ADDRESS.withName("progress"), ADDRESS.withName("user_data"), ADDRESS.withName("cancel"),
            JAVA_INT.withName("num_threads"), MemoryLayout.paddingLayout(4)).withName("inp_run");

    /** struct inp_device_params. */
    public static final StructLayout DEVICE_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("kind"), JAVA_INT.withName("index"), JAVA_INT.withName("dtype"),
            JAVA_INT.withName("num_threads")).withName("inp_device_params");

    /** inp_progress_callback: bool (*)(const char *stage, int64_t done, int64_t total, void *user_data). */
    static final FunctionDescriptor PROGRESS_CALLBACK = FunctionDescriptor.of(JAVA_BOOLEAN, C_STRING, JAVA_LONG, JAVA_LONG, ADDRESS);

    private static final MethodHandle STATUS_NAME = fn("inp_status_name", FunctionDescriptor.of(C_STRING, JAVA_INT));
    private static final MethodHandle LAST_ERROR = fn("inp_last_error", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle LAST_ERROR_DETAIL = fn("inp_last_error_detail", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle ABI_VERSION = fn("inp_abi_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle BUILD_INFO = fn("inp_build_info", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle SET_NUM_THREADS = fn("inp_set_num_threads", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GET_NUM_THREADS = fn("inp_get_num_threads", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle CANCEL_TOKEN_INIT = fn("inp_cancel_token_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle CANCEL_TOKEN_FREE = fn("inp_cancel_token_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle CANCEL_TOKEN_CANCEL = fn("inp_cancel_token_cancel", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle CANCEL_TOKEN_IS_CANCELLED = fn("inp_cancel_token_is_cancelled", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle RUN_DEFAULT_PARAMS = fn("inp_run_default_params", FunctionDescriptor.of(RUN));
    private static final MethodHandle DEVICE_DEFAULT_PARAMS = fn("inp_device_default_params", FunctionDescriptor.of(DEVICE_PARAMS));
    private static final MethodHandle SPATIAL_CORRELATION = fn("inp_spatial_correlation",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle MATMUL_F32 = fn("inp_matmul_f32",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final MethodHandle MODULATED_DEFORM_CONV = fn("inp_modulated_deform_conv",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_BOOLEAN, ADDRESS));

    // ---- errors ----------------------------------------------------------------------------

    public static String statusName(int status) {
        return get(() -> Native.string((MemorySegment) STATUS_NAME.invokeExact(status)));
    }

    static String lastError() {
        return get(() -> Native.string((MemorySegment) LAST_ERROR.invokeExact()));
    }

    static String lastErrorDetail() {
        return get(() -> Native.string((MemorySegment) LAST_ERROR_DETAIL.invokeExact()));
    }

    // ---- library ---------------------------------------------------------------------------

    public static int abiVersion() {
        return get(() -> (int) ABI_VERSION.invokeExact());
    }

    public static String buildInfo() {
        return get(() -> Native.string((MemorySegment) BUILD_INFO.invokeExact()));
    }

    public static void setNumThreads(int n) {
        call(() -> (int) SET_NUM_THREADS.invokeExact(n));
    }

    public static int getNumThreads() {
        return get(() -> (int) GET_NUM_THREADS.invokeExact());
    }

    public static void matmulF32(MemorySegment a, long m, long k, MemorySegment b, long k2, long n, MemorySegment out) {
        call(() -> (int) MATMUL_F32.invokeExact(a, m, k, b, k2, n, out));
    }

    public static void spatialCorrelation(MemorySegment a, MemorySegment b, long n, long c, long h, long w, int patch, boolean aggregate,
                                          boolean reference, MemorySegment out) {
        call(() -> (int) SPATIAL_CORRELATION.invokeExact(a, b, n, c, h, w, patch, aggregate, reference, out));
    }

    /** inp_modulated_deform_conv; {@code bias} may be {@link MemorySegment#NULL} (no bias). */
    public static void modulatedDeformConv(MemorySegment input, MemorySegment offset, MemorySegment mask, MemorySegment weight,
                                           MemorySegment bias, long n, long cIn, long h, long w, long cOut, long kh, long kw, int stride,
                                           int padding, int dilation, int groups, int deformGroups, boolean reference, MemorySegment out) {
        call(() -> (int) MODULATED_DEFORM_CONV.invokeExact(input, offset, mask, weight, bias, n, cIn, h, w, cOut, kh, kw, stride, padding,
                dilation, groups, deformGroups, reference, out));
    }

    // ---- progress and cancellation ---------------------------------------------------------

    /** A new inp_cancel_token*, owned by the returned handle (freed by close or when unreachable). */
    public static NativeHandle cancelToken(Object owner) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment raw = Native.callForPointer(scratch, ret -> (int) CANCEL_TOKEN_INIT.invokeExact(ret));
            return NativeHandle.of(NativeHandle.Kind.CANCEL_TOKEN, owner, "CancelToken", raw);
        }
    }

    public static void cancel(NativeHandle token) {
        MemorySegment p = token.pointer();
        get(() -> {
            CANCEL_TOKEN_CANCEL.invokeExact(p);
            return null;
        });
    }

    public static boolean isCancelled(NativeHandle token) {
        MemorySegment p = token.pointer();
        return get(() -> (boolean) CANCEL_TOKEN_IS_CANCELLED.invokeExact(p));
    }

    /** The native defaults of inp_run, in a struct from {@code scratch}. */
    public static MemorySegment runDefaults(Arena scratch) {
        return get(() -> (MemorySegment) RUN_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /**
     * An inp_run for one call: {@code progress} (may be null) receives the native reports,
     * {@code token} (may be null) is the cancel token, {@code threads} > 0 overrides the model's count.
     */
    public static MemorySegment run(Arena scratch, ProgressUpcall progress, NativeHandle token, int threads) {
        MemorySegment r = runDefaults(scratch);
        if (progress != null) r.set(ADDRESS, offset(RUN, "progress"), progressStub(progress, scratch));
        if (token != null) r.set(ADDRESS, offset(RUN, "cancel"), token.pointer());
        if (threads != 0) r.set(JAVA_INT, offset(RUN, "num_threads"), threads);
        return r;
    }

    /**
     * An inp_progress_callback stub living in {@code arena}. The target must not throw: an
     * exception escaping an upcall would end the JVM. {@link ProgressUpcall} guarantees that.
     */
    static MemorySegment progressStub(ProgressUpcall target, Arena arena) {
        try {
            MethodHandle mh = MethodHandles.lookup()
                    .findVirtual(ProgressUpcall.class, "invoke",
                            MethodType.methodType(boolean.class, MemorySegment.class, long.class, long.class, MemorySegment.class))
                    .bindTo(target);
            return Native.LINKER.upcallStub(mh, PROGRESS_CALLBACK, arena);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // ---- devices ---------------------------------------------------------------------------

    /** inp_device_params, decoded. {@code kind}: inp_device; {@code dtype}: inp_dtype. */
    public record DeviceParams(int kind, int index, int dtype, int numThreads) {}

    /** The defaults of the inp_device_params a model's params struct embeds as its field "device". */
    static DeviceParams embeddedDeviceDefaults(StructLayout params, java.util.function.Function<Arena, MemorySegment> defaultParams) {
        return Structs.defaults(DeviceParams.class, DEVICE_PARAMS,
                scratch -> defaultParams.apply(scratch).asSlice(Native.offset(params, "device"), DEVICE_PARAMS));
    }

    /** A model's default params struct with the device fields of {@code device} that differ from it set. */
    static MemorySegment withDevice(DeviceParams device, StructLayout params, java.util.function.Function<Arena, MemorySegment> defaultParams,
                                    Arena scratch) {
        MemorySegment s = defaultParams.apply(scratch);
        Structs.writeChanged(device, embeddedDeviceDefaults(params, defaultParams), DEVICE_PARAMS,
                s.asSlice(Native.offset(params, "device"), DEVICE_PARAMS), scratch);
        return s;
    }

    public static DeviceParams deviceDefaults() {
        return Structs.defaults(DeviceParams.class, DEVICE_PARAMS,
                scratch -> get(() -> (MemorySegment) DEVICE_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch)));
    }
}
