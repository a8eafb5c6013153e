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
