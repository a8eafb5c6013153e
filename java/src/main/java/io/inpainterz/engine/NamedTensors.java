package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.CheckpointBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Ordered named tensors held by native code: a checkpoint's state dict, or the intermediate
 * results a model call recorded (see {@link #recorder()}). Contents are copied out on request.
 */
public final class NamedTensors implements AutoCloseable {
    private final NativeHandle owned;               // null when borrowed
    private final Supplier<MemorySegment> pointer;  // checks the owner is still open

    private NamedTensors(Supplier<MemorySegment> pointer) {
        this.owned = null;
        this.pointer = pointer;
    }

    /** Owns {@code raw}, an inp_tensors* from inp_tensors_init. */
    private NamedTensors(MemorySegment raw) {
        this.owned = NativeHandle.of(NativeHandle.Kind.TENSORS, this, "NamedTensors (recorder)", raw);
        this.pointer = owned::pointer;
    }

    /** A new empty list to pass as {@code record} to a model call. Close it when done. */
    public static NamedTensors recorder() {
        try (Arena scratch = Arena.ofConfined()) {
            return new NamedTensors(CheckpointBindings.tensorsInit(scratch));
        }
    }

    /** A view of a list owned by another handle (whose {@code pointer} supplier checks it is open). */
    static NamedTensors borrowed(Supplier<MemorySegment> pointer) {
        return new NamedTensors(pointer);
    }

    MemorySegment pointer() {
        return pointer.get();
    }

    public List<TensorInfo> list() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = pointer();
            long n = CheckpointBindings.tensorsCount(p, scratch);
            List<TensorInfo> out = new ArrayList<>((int) n);
            for (int i = 0; i < n; i++) {
                CheckpointBindings.TensorInfoStruct s = CheckpointBindings.tensorsInfo(p, i, scratch);
                out.add(new TensorInfo(i, s.name(), DType.of(s.dtype()), s.shape(), s.numBytes(), s.isMapped()));
            }
            return Collections.unmodifiableList(out);
        }
    }

    public Optional<TensorInfo> find(String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = pointer();
            long i = CheckpointBindings.tensorsFind(p, name, scratch);
            if (i < 0) return Optional.empty();
            CheckpointBindings.TensorInfoStruct s = CheckpointBindings.tensorsInfo(p, i, scratch);
            return Optional.of(new TensorInfo((int) i, s.name(), DType.of(s.dtype()), s.shape(), s.numBytes(), s.isMapped()));
        }
    }

    /** Copies a tensor, contiguous and row-major in its own dtype, into {@code dst} (exactly numBytes long). */
    public void copy(TensorInfo tensor, MemorySegment dst) {
        if (dst.byteSize() != tensor.numBytes()) {
            throw new InvalidInputException("tensor '" + tensor.name() + "' has " + tensor.numBytes() + " bytes but the destination holds " + dst.byteSize());
        }
        CheckpointBindings.tensorsCopy(pointer(), tensor.index(), dst);
    }

    /** A copy of the named tensor in new memory from {@code arena}. */
    public MemorySegment read(String name, Arena arena) {
        TensorInfo t = find(name).orElseThrow(() -> new InvalidInputException("no tensor '" + name + "'"));
        MemorySegment dst = arena.allocate(Math.max(1, t.numBytes()), 64).asSlice(0, t.numBytes());
        copy(t, dst);
        return dst;
    }

    /** Frees a recorder; a no-op for a borrowed list (its owner frees it). */
    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
