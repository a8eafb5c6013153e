package io.inpainterz.parity;

import io.inpainterz.InpainterzException;
import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.DType;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.engine.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Parity of the checkpoint reader against a fixture's case.json: every weights*.pth loads as
 * the right model family, with exactly the keys, shapes, dtypes and element count the case
 * lists (and, where the case records them, the tensors' SHA-256); files holding the same
 * checkpoint in both formats load to identical tensors.
 */
public final class CheckpointParity {
    private CheckpointParity() {}

    /** One expected state-dict entry; sha256Prefix is null when the case does not record it. */
    record Expected(String name, long[] shape, DType dtype, String sha256Prefix) {}

    public static List<StageResult> run(ParityCase c) {
        List<StageResult> out = new ArrayList<>();
        List<Expected> expected = expectedTensors(c);
        long expectedElements = expectedElements(c);
        List<Path> files = c.weightFiles();
        out.add(new StageResult(c.id(), "ckpt files", !files.isEmpty(),
                files.isEmpty() ? "no weights*.pth in " + c.dir() : files.size() + " checkpoint file(s)"));
        Checkpoint first = null;
        try {
            for (Path file : files) {
                String stage = "ckpt " + file.getFileName() + " ";
                Checkpoint ck;
                try {
                    ck = Checkpoint.open(file);
                } catch (InpainterzException e) {
                    out.add(new StageResult(c.id(), stage + "load", false, e.getMessage()));
                    continue;
                }
                ModelFamily family = ck.modelInfo().family();
                out.add(new StageResult(c.id(), stage + "family", family.id().equals(c.model()),
                        family.id() + " / " + ck.modelInfo().variant() + " (" + ck.modelInfo().format() + " format)"));
                out.add(keys(c.id(), stage + "keys", ck, expected));
                if (expectedElements >= 0) {
                    long got = ck.modelInfo().numElements();
                    out.add(new StageResult(c.id(), stage + "elements", got == expectedElements,
                            got + (got == expectedElements ? " == " : " != ") + expectedElements + " expected parameters and buffers"));
                }
                if (expected.stream().anyMatch(e -> e.sha256Prefix() != null)) out.add(hashes(c.id(), stage + "sha256", ck, expected));
                if (first == null) {
                    first = ck;
                } else {
                    out.add(identical(c.id(), "ckpt " + first.path().getFileName() + " == " + file.getFileName(), first, ck));
                    ck.close();
                }
            }
        } finally {
            if (first != null) first.close();
        }
        return out;
    }

    private static StageResult keys(String caseId, String stage, Checkpoint ck, List<Expected> expected) {
        long mismatches = 0;
        String firstMismatch = null;
        for (Expected e : expected) {
            TensorInfo t = ck.tensor(e.name()).orElse(null);
            String problem = null;
            if (t == null) problem = "'" + e.name() + "' is missing";
            else if (!Arrays.equals(t.shape(), e.shape())) problem = "'" + e.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.shape());
            else if (t.dtype() != e.dtype()) problem = "'" + e.name() + "' is " + t.dtype().pythonName() + ", expected " + e.dtype().pythonName();
            if (problem != null) {
                mismatches++;
                if (firstMismatch == null) firstMismatch = problem;
            }
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Expected e : expected) names.add(e.name());
        long unexpected = 0;
        for (TensorInfo t : ck.tensors()) {
            if (names.contains(t.name())) continue;
            unexpected++;
            if (firstMismatch == null) firstMismatch = "unexpected key '" + t.name() + "'";
        }
        return StageResult.exact(caseId, stage, mismatches + unexpected, expected.size() + unexpected, "keys, shapes and dtypes", firstMismatch);
    }

    private static StageResult hashes(String caseId, String stage, Checkpoint ck, List<Expected> expected) {
        long mismatches = 0, total = 0;
        String firstMismatch = null;
        try (Arena arena = Arena.ofConfined()) {
            for (Expected e : expected) {
                if (e.sha256Prefix() == null || ck.tensor(e.name()).isEmpty()) continue;
                total++;
                String got = sha256(ck.readTensor(e.name(), arena));
                if (!got.startsWith(e.sha256Prefix())) {
                    mismatches++;
                    if (firstMismatch == null) firstMismatch = "'" + e.name() + "' sha256 " + got.substring(0, e.sha256Prefix().length()) + " != " + e.sha256Prefix();
                }
            }
        }
        return StageResult.exact(caseId, stage, mismatches, total, "tensor hashes", firstMismatch);
    }

    /** Every tensor of b equals a's bit for bit (same names, order, shapes, dtypes, bytes). */
    static StageResult identical(String caseId, String stage, Checkpoint a, Checkpoint b) {
        long mismatches = 0;
        String firstMismatch = null;
        List<TensorInfo> ta = a.tensors(), tb = b.tensors();
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < Math.max(ta.size(), tb.size()); i++) {
                String problem;
                if (i >= ta.size() || i >= tb.size()) {
                    problem = "tensor counts differ: " + ta.size() + " vs " + tb.size();
                } else if (!ta.get(i).name().equals(tb.get(i).name()) || !Arrays.equals(ta.get(i).shape(), tb.get(i).shape())
                        || ta.get(i).dtype() != tb.get(i).dtype()) {
                    problem = ta.get(i) + " vs " + tb.get(i);
                } else {
                    MemorySegment x = a.readTensor(ta.get(i).name(), arena), y = b.readTensor(tb.get(i).name(), arena);
                    long at = x.mismatch(y);
                    problem = at < 0 ? null : "'" + ta.get(i).name() + "' differs at byte " + at;
                }
                if (problem != null) {
                    mismatches++;
                    if (firstMismatch == null) firstMismatch = problem;
                }
            }
        }
        return StageResult.exact(caseId, stage, mismatches, Math.max(ta.size(), tb.size()), "tensors bit-identical", firstMismatch);
    }

    static String sha256(MemorySegment bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes.asByteBuffer());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---- the three case.json layouts of the expected state dict --------------------------------

    @SuppressWarnings("unchecked")
    static List<Expected> expectedTensors(ParityCase c) {
        Object weights = c.json().get("weights");
        if (!(weights instanceof Map<?, ?> w)) throw new IllegalArgumentException(c.id() + ": case.json has no 'weights' object");
        List<Expected> out = new ArrayList<>();
        if (w.get("keys_and_shapes") instanceof Map<?, ?> m) { // sam: {name: shape}, float32
            for (Map.Entry<?, ?> e : m.entrySet()) out.add(new Expected((String) e.getKey(), longs(e.getValue()), DType.F32, null));
        } else if (w.get("tensors") instanceof Map<?, ?> m) { // deaot: {name: {shape, dtype, sha256}}
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Map<String, Object> t = (Map<String, Object>) e.getValue();
                out.add(new Expected((String) e.getKey(), longs(t.get("shape")), DType.ofPythonName((String) t.get("dtype")), (String) t.get("sha256")));
            }
        } else if (w.get("keys") instanceof List<?> l) { // e2fgvi: [[name, shape, dtype]]
            for (Object o : l) {
                List<Object> t = (List<Object>) o;
                out.add(new Expected((String) t.get(0), longs(t.get(1)), DType.ofPythonName((String) t.get(2)), null));
            }
        } else {
            throw new IllegalArgumentException(c.id() + ": case.json 'weights' lists no keys (keys_and_shapes, tensors or keys)");
        }
        if (w.get("num_keys") instanceof Number n && n.longValue() != out.size()) {
            throw new IllegalArgumentException(c.id() + ": case.json lists " + out.size() + " keys but says num_keys " + n);
        }
        return out;
    }

    /** Parameters plus buffers as the case states them, or -1 when it does not. */
    static long expectedElements(ParityCase c) {
        Object w = c.json().get("weights");
        if (!(w instanceof Map<?, ?> m)) return -1;
        if (m.get("num_tensor_elements") instanceof Number n) return n.longValue();
        if (m.get("num_params") instanceof Number n) {
            return n.longValue() + (m.get("num_buffer_elems") instanceof Number b ? b.longValue() : 0);
        }
        return -1;
    }

    private static long[] longs(Object jsonList) {
        return ((List<?>) jsonList).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }
}
