package io.inpainterz.parity;

import io.inpainterz.engine.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A dense, row-major, little-endian n-d array in off-heap memory: a fixture or an engine output. */
public record NdArray(DType dtype, long[] shape, MemorySegment data) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public NdArray {
        shape = shape.clone();
        long need = numElements(shape) * dtype.byteSize();
        if (dtype == DType.UNKNOWN) throw new IllegalArgumentException("unknown dtype");
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("array " + dtype.pythonName() + Arrays.toString(shape) + " needs " + need
                    + " bytes, its data holds " + data.byteSize());
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    public long numElements() {
        return numElements(shape);
    }

    static long numElements(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Element i (flat, row-major) widened to double. */
    public double getDouble(long i) {
        long off = i * dtype.byteSize();
        return switch (dtype) {
            case F32 -> data.get(F32, off);
            case F64 -> data.get(F64, off);
            case F16 -> Float.float16ToFloat(data.get(I16, off));
            case BF16 -> Float.intBitsToFloat((data.get(I16, off) & 0xffff) << 16);
            case I64 -> data.get(I64, off);
            case I32 -> data.get(I32, off);
            case I16 -> data.get(I16, off);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, off);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, off) & 0xff;
            case UNKNOWN -> throw new IllegalStateException("unknown dtype");
        };
    }

    /** The multi-index of flat index i. */
    public long[] unravel(long i) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) return idx;
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }

    /**
     * The sub-array {@code region} selects, one Python slice per axis ("a:b", "a:b:s", ":"),
     * copied into new memory from {@code arena}. Used for fixtures stored in part.
     */
    public NdArray slice(java.util.List<String> region, java.lang.foreign.Arena arena) {
        if (region.size() != shape.length) throw new IllegalArgumentException("region " + region + " has " + region.size() + " axes, array has " + shape.length);
        long[][] idx = new long[shape.length][];
        long[] outShape = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            String[] p = region.get(d).split(":", -1);
            long start = p.length > 0 && !p[0].isEmpty() ? Long.parseLong(p[0]) : 0;
            long stop = p.length > 1 && !p[1].isEmpty() ? Long.parseLong(p[1]) : shape[d];
            long step = p.length > 2 && !p[2].isEmpty() ? Long.parseLong(p[2]) : 1;
            stop = Math.min(stop, shape[d]);
            int n = (int) Math.max(0, (stop - start + step - 1) / step);
            idx[d] = new long[n];
            for (int i = 0; i < n; i++) idx[d][i] = start + i * step;
            outShape[d] = n;
        }
        long count = numElements(outShape);
        int es = dtype.byteSize();
        MemorySegment out = arena.allocate(Math.max(1, count * es), 64).asSlice(0, count * es);
        long[] strides = new long[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; d--) {
            strides[d] = s;
            s *= (int) shape[d];
        }
        int[] pos = new int[shape.length];
        for (long o = 0; o < count; o++) {
            long src = 0;
            for (int d = 0; d < shape.length; d++) src += idx[d][pos[d]] * strides[d];
            MemorySegment.copy(data, src * es, out, o * es, es);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++pos[d] < outShape[d]) break;
                pos[d] = 0;
            }
        }
        return new NdArray(dtype, outShape, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray a && dtype == a.dtype && Arrays.equals(shape, a.shape) && data.mismatch(a.data) == -1;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return dtype.pythonName() + Arrays.toString(shape);
    }
}
