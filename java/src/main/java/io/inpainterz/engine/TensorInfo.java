package io.inpainterz.engine;

import java.util.Arrays;

/**
 * One tensor of a checkpoint's state dict.
 *
 * @param index    position in the state dict
 * @param mapped   true when it points into the memory-mapped file (no copy was made)
 */
public record TensorInfo(int index, String name, DType dtype, long[] shape, long numBytes, boolean mapped) {
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numElements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && index == t.index && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && numBytes == t.numBytes && mapped == t.mapped;
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype.pythonName() + Arrays.toString(shape);
    }
}
