package io.inpainterz.engine;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.CheckpointBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A torch.save checkpoint (zip or legacy format) opened by the engine's restricted reader:
 * only tensors, storages and (ordered) dicts are accepted, so a malicious file cannot run code.
 * The file is memory-mapped; tensors point into it where dtype and alignment allow. Safe to use
 * from several threads; {@link #close()} frees it.
 */
public final class Checkpoint implements AutoCloseable {
    private final Path path;
    private final NativeHandle handle;
    private final ModelInfo modelInfo;
    private final NamedTensors stateDict;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;

    /**
     * Reading options; {@link #defaults()} are the native library's (inp_checkpoint_default_params).
     *
     * @param useMmap map the file (tensors alias it, no copy) rather than read it into memory
     */
    public record Options(boolean useMmap) {
        public static Options defaults() {
            CheckpointBindings.CheckpointParams d = CheckpointBindings.checkpointDefaults();
            return new Options(d.useMmap());
        }

        public Options withMmap(boolean mmap) {
            return new Options(mmap);
        }

        CheckpointBindings.CheckpointParams params() {
            return new CheckpointBindings.CheckpointParams(useMmap);
        }
    }

    /** Takes ownership of {@code raw} (an inp_checkpoint*): freed on close, or by the Cleaner. */
    private Checkpoint(Path path, MemorySegment raw) {
        this.path = path;
        this.handle = NativeHandle.of(NativeHandle.Kind.CHECKPOINT, this, "Checkpoint[" + path + "]", raw);
        try (Arena scratch = Arena.ofConfined()) {
            this.modelInfo = readModelInfo(handle.pointer());
            MemorySegment list = CheckpointBindings.checkpointTensors(handle.pointer(), scratch);
            // Borrowed from the checkpoint: reaching it goes through handle.pointer(), which
            // fails cleanly once the checkpoint is closed.
            this.stateDict = NamedTensors.borrowed(() -> {
                handle.pointer();
                return list;
            });
            this.tensors = stateDict.list();
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        Map<String, TensorInfo> map = new HashMap<>();
        for (TensorInfo t : tensors) map.put(t.name(), t);
        this.byName = Collections.unmodifiableMap(map);
    }

    public static Checkpoint open(Path file) {
        return open(file, Options.defaults(), null);
    }

    /**
     * Opens and validates {@code file}; progress ("checkpoint", per tensor) and cancel from
     * {@code job} (may be null).
     *
     * @throws FileAccessException  missing, a directory, or unreadable
     * @throws io.inpainterz.CheckpointException malformed or refused content (the message names
     *         the file and the key, global or offset at fault)
     * @throws io.inpainterz.CancelledException the job was cancelled
     */
    public static Checkpoint open(Path file, Options options, Job job) {
        if (!Files.exists(file)) throw new FileAccessException("checkpoint '" + file + "' does not exist");
        if (Files.isDirectory(file)) throw new FileAccessException("checkpoint '" + file + "' is a directory, not a file");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = CheckpointBindings.checkpointParams(options.params(), scratch);
            return new Checkpoint(file, Job.call(job, scratch, run -> CheckpointBindings.checkpointInit(file.toString(), params, run, scratch)));
        }
    }

    /** The native handle, for building a model from this checkpoint. */
    MemorySegment pointer() {
        return handle.pointer();
    }

    private static ModelInfo readModelInfo(MemorySegment ptr) {
        CheckpointBindings.ModelInfoStruct s = CheckpointBindings.checkpointModelInfo(ptr);
        return new ModelInfo(ModelFamily.of(s.family()), CheckpointFormat.of(s.format()), s.variant(), s.wrapper(),
                s.numTensors(), s.numElements(), s.numBytes());
    }

    public Path path() {
        return path;
    }

    public ModelInfo modelInfo() {
        return modelInfo;
    }

    /** The state dict, in file order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Copies a tensor, contiguous and row-major in its own dtype, into {@code dst} (exactly numBytes long). */
    public void copyTensor(TensorInfo tensor, MemorySegment dst) {
        stateDict.copy(tensor, dst);
    }

    /** A copy of the named tensor in new memory from {@code arena}. */
    public MemorySegment readTensor(String name, Arena arena) {
        TensorInfo t = tensor(name).orElseThrow(() -> new InvalidInputException("checkpoint '" + path + "' has no tensor '" + name + "'"));
        return stateDict.read(t.name(), arena);
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return handle.toString();
    }
}
