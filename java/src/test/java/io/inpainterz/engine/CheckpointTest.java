package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CancelledException;
import io.inpainterz.CheckpointException;
import io.inpainterz.FileAccessException;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.testing.Pickle;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path tmp;

    private final List<Checkpoint> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Checkpoint::close);
    }

    private Checkpoint open(Path p) {
        Checkpoint c = Checkpoint.open(p);
        open.add(c);
        return c;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void zipTensorsEqualTheArchiveMembersByteForByteAndAliasTheMapping() throws IOException {
        // The SAM fixture stores one storage per tensor, in state-dict order: tensor i is member data/i.
        Path file = Fixtures.file("sam/tiny/weights.pth");
        Checkpoint ck = open(file);
        assertEquals(174, ck.tensors().size());
        try (ZipFile zip = new ZipFile(file.toFile()); Arena arena = Arena.ofConfined()) {
            for (TensorInfo t : ck.tensors()) {
                byte[] member = zip.getInputStream(zip.getEntry("weights/data/" + t.index())).readAllBytes();
                MemorySegment got = ck.readTensor(t.name(), arena);
                assertEquals(-1, got.mismatch(MemorySegment.ofArray(member)), t.name());
                assertTrue(t.mapped(), t.name() + " should point into the mapped file");
            }
        }
        assertArrayEquals(new long[] {1, 64, 64, 64}, ck.tensor("image_encoder.pos_embed").orElseThrow().shape());
    }

    @Test
    void readingWithoutMmapGivesTheSameTensors() {
        Path file = Fixtures.file("sam/tiny/weights.pth");
        Checkpoint mapped = open(file);
        Checkpoint read = Checkpoint.open(file, Checkpoint.Options.defaults().withMmap(false), null);
        open.add(read);
        try (Arena arena = Arena.ofConfined()) {
            for (TensorInfo t : mapped.tensors()) {
                assertFalse(read.tensors().get(t.index()).mapped());
                assertEquals(-1, mapped.readTensor(t.name(), arena).mismatch(read.readTensor(t.name(), arena)));
            }
        }
    }

    @Test
    void detectsFamilyVariantAndWrapperOfEveryFixture() {
        record Want(String file, ModelFamily family, String variant, CheckpointFormat format, String wrapper) {}
        for (Want w : List.of(
                new Want("sam/tiny/weights.pth", ModelFamily.SAM, "custom ViT (embed dim 64, 2 blocks)", CheckpointFormat.ZIP, ""),
                new Want("deaot/deaott/weights.pth", ModelFamily.DEAOT, "DeAOT-T (MobileNetV2, 1 layer)", CheckpointFormat.ZIP, "state_dict"),
                new Want("deaot/deaott/weights_legacy.pth", ModelFamily.DEAOT, "DeAOT-T (MobileNetV2, 1 layer)", CheckpointFormat.LEGACY, "state_dict"),
                new Want("deaot/deaots/weights.pth", ModelFamily.DEAOT, "DeAOT-S (MobileNetV2, 2 layers)", CheckpointFormat.ZIP, "state_dict"),
                new Want("deaot/r50_deaotl/weights.pth", ModelFamily.DEAOT, "R50-DeAOT-L (ResNet-50, 3 layers)", CheckpointFormat.ZIP, "state_dict"),
                new Want("e2fgvi/e2fgvi_d2/weights.pth", ModelFamily.E2FGVI, "E2FGVI (2 blocks)", CheckpointFormat.LEGACY, ""))) {
            ModelInfo m = open(Fixtures.file(w.file())).modelInfo();
            assertEquals(w.family(), m.family(), w.file());
            assertEquals(w.variant(), m.variant(), w.file());
            assertEquals(w.format(), m.format(), w.file());
            assertEquals(w.wrapper(), m.wrapper(), w.file());
        }
    }

    @Test
    void honoursOffsetsStridesSharedStoragesAndDtypes() throws IOException {
        float[] storage = new float[12];
        for (int i = 0; i < storage.length; i++) storage[i] = i * 1.5f;
        Pickle p = new Pickle().orderedDict();
        // "a": shape [2, 3], stride [1, 2], offset 2 (a transposed view); "b": the same storage, offset 5, [4]
        p.str("a").tensor("FloatStorage", "0", 12, 2, new long[] {2, 3}, new long[] {1, 2}).setitem();
        p.str("b").tensor("FloatStorage", "0", 12, 5, new long[] {4}, new long[] {1}).setitem();
        p.str("c").tensor("LongStorage", "1", 2, 0, new long[] {2}, new long[] {1}).setitem();
        p.stop();
        byte[] longs = java.nio.ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).putLong(1L << 40).array();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", Pickle.floats(storage));
        storages.put("1", longs);
        Checkpoint ck = open(write("views.pth", Pickle.zip(p.bytes(), storages)));

        try (Arena arena = Arena.ofConfined()) {
            float[] a = ck.readTensor("a", arena).toArray(ValueLayout.JAVA_FLOAT);
            float[] wantA = new float[6];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) wantA[i * 3 + j] = storage[2 + i * 1 + j * 2];
            assertArrayEquals(wantA, a);
            assertArrayEquals(Arrays.copyOfRange(storage, 5, 9), ck.readTensor("b", arena).toArray(ValueLayout.JAVA_FLOAT));
            assertArrayEquals(new long[] {-3, 1L << 40}, ck.readTensor("c", arena).toArray(ValueLayout.JAVA_LONG));
            assertEquals(DType.I64, ck.tensor("c").orElseThrow().dtype());
        }
        assertEquals(ModelFamily.UNKNOWN, ck.modelInfo().family());
        assertEquals(6 + 4 + 2, ck.modelInfo().numElements());
    }

    @Test
    void unwrapsModelKeyAndModulePrefix() throws IOException {
        Pickle p = new Pickle().emptyDict().str("epoch").integer(7).setitem();
        p.str("model").orderedDict();
        p.str("module.w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).setitem();
        p.setitem().stop();
        Checkpoint ck = open(write("wrapped.pth", Pickle.zip(p.bytes(), Map.of("0", Pickle.floats(4f, 5f)))));
        assertEquals("model+module.", ck.modelInfo().wrapper());
        assertEquals(List.of("w"), ck.tensors().stream().map(TensorInfo::name).toList());
    }

    @Test
    void refusesGlobalsThatCouldRunCodeWithoutRunningThem() throws IOException {
        Path marker = tmp.resolve("pwned");
        byte[][] hostile = {
            new Pickle().global("os", "system").str("touch " + marker).raw(0x85).reduce().stop().bytes(),
            new Pickle().global("posix", "system").str("touch " + marker).raw(0x85).reduce().stop().bytes(),
            new Pickle().global("builtins", "eval").str("__import__('os').system('touch " + marker + "')").raw(0x85).reduce().stop().bytes(),
            new Pickle().str("os").str("system").raw(0x93).str("touch " + marker).raw(0x85).reduce().stop().bytes(), // STACK_GLOBAL
        };
        String[] named = {"os.system", "posix.system", "builtins.eval", "os.system"};
        for (int i = 0; i < hostile.length; i++) {
            for (byte[] file : List.of(Pickle.zip(hostile[i], Map.of()), legacy(hostile[i]))) {
                Path f = write("evil" + i + ".pth", file);
                CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(f));
                assertTrue(e.getMessage().contains("'" + named[i] + "' is not allowed"), e.getMessage());
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            }
        }
        assertFalse(Files.exists(marker), "a refused pickle must not have run anything");
    }

    /** A legacy-format file: magic, protocol 1001, sys_info, then the given object pickle, then no storages. */
    private static byte[] legacy(byte[] objectPickle) {
        byte[] magic = new Pickle().raw(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).stop().bytes();
        byte[] protocol = new Pickle().integer(1001).stop().bytes();
        byte[] sysInfo = new Pickle().emptyDict().str("little_endian").raw(0x88).setitem().stop().bytes();
        byte[] keys = new Pickle().raw(']').stop().bytes();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : List.of(magic, protocol, sysInfo, objectPickle, keys)) out.writeBytes(part);
        return out.toByteArray();
    }

    @Test
    void badFilesGiveClearErrorsNamingTheFile() throws IOException {
        byte[] sam = Files.readAllBytes(Fixtures.file("sam/tiny/weights.pth"));
        byte[] legacy = Files.readAllBytes(Fixtures.file("deaot/deaott/weights_legacy.pth"));
        record Bad(String name, byte[] bytes, String expected) {}
        byte[] wrongMagic = legacy.clone();
        wrongMagic[5] ^= 0x55;
        byte[] sizePastEnd = sam.clone();
        patchFirstCentralSize(sizePastEnd, 0x7fffffff);
        byte[] nested = nestedLists(100_000);
        byte[] duplicate = new Pickle().emptyDict().str("k").integer(1).setitem().str("k").integer(2).setitem().stop().bytes();
        for (Bad b : List.of(
                new Bad("empty.pth", new byte[0], "file is empty"),
                new Bad("random.pth", randomBytes(4096), "not a PyTorch checkpoint"),
                new Bad("truncated_zip.pth", Arrays.copyOf(sam, sam.length / 2), "truncated"),
                new Bad("truncated_legacy.pth", Arrays.copyOf(legacy, legacy.length / 2), "truncated"),
                new Bad("wrong_magic.pth", wrongMagic, "magic number"),
                new Bad("size_past_end.pth", sizePastEnd, "past the end"),
                new Bad("nested.pth", Pickle.zip(nested, Map.of()), "deeper than 1000 levels"),
                new Bad("duplicate.pth", Pickle.zip(duplicate, Map.of()), "duplicate key 'k'"),
                new Bad("no_pickle.pth", Pickle.zipOf(Map.of("x/y", new byte[3])), "no '<name>/data.pkl'"))) {
            Path f = write(b.name(), b.bytes());
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(f), b.name());
            assertTrue(e.getMessage().contains(b.expected()), b.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(b.name()), b.name() + ": " + e.getMessage());
        }
        FileAccessException missing = assertThrows(FileAccessException.class, () -> Checkpoint.open(tmp.resolve("nope.pth")));
        assertTrue(missing.getMessage().contains("nope.pth"));
        assertThrows(FileAccessException.class, () -> Checkpoint.open(tmp));
    }

    private static byte[] nestedLists(int depth) {
        Pickle p = new Pickle();
        for (int i = 0; i < depth; i++) p.raw(']');
        for (int i = 0; i < depth - 1; i++) p.raw('a');
        return p.stop().bytes();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(42).nextBytes(b);
        return b;
    }

    /** Sets the compressed and uncompressed size of the first central-directory entry. */
    private static void patchFirstCentralSize(byte[] zip, int size) {
        for (int i = 0; i + 4 < zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
                bb.putInt(i + 20, size).putInt(i + 24, size);
                return;
            }
        }
        throw new AssertionError("no central directory");
    }

    @Test
    void progressIsReportedPerTensorAndCanCancel() {
        Path file = Fixtures.file("deaot/deaott/weights.pth");
        List<long[]> calls = new ArrayList<>();
        Checkpoint ck = Checkpoint.open(file, Checkpoint.Options.defaults(), Job.create().onProgress((stage, done, total) -> {
            assertEquals("checkpoint", stage);
            calls.add(new long[] {done, total});
        }));
        open.add(ck);
        assertEquals(325, calls.size());
        for (int i = 0; i < calls.size(); i++) assertArrayEquals(new long[] {i + 1, 325}, calls.get(i));

        // Cancelled from the listener's thread through the job: the load stops at that tensor.
        Job job = Job.create();
        job.onProgress((stage, done, total) -> {
            if (done == 10) job.cancel();
        });
        CancelledException c = assertThrows(CancelledException.class, () -> Checkpoint.open(file, Checkpoint.Options.defaults(), job));
        assertTrue(c.getMessage().contains("after 10 of 325"), c.getMessage());
        assertTrue(job.isCancelled());
        // A job stays cancelled: a later call under it stops before doing anything.
        assertThrows(CancelledException.class, () -> Checkpoint.open(file, Checkpoint.Options.defaults(), job));

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Checkpoint.open(file, Checkpoint.Options.defaults(),
                Job.create().onProgress((stage, done, total) -> {
                    throw new IllegalStateException("listener broke at " + done);
                })));
        assertEquals("listener broke at 1", thrown.getMessage());
    }

    @Test
    void useAfterCloseIsACleanErrorAndCloseIsIdempotent() {
        Checkpoint ck = Checkpoint.open(Fixtures.file("sam/tiny/weights.pth"));
        TensorInfo t = ck.tensors().get(0);
        ck.close();
        ck.close();
        assertTrue(ck.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (Arena a = Arena.ofConfined()) {
                ck.copyTensor(t, a.allocate(t.numBytes()));
            }
        });
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    @Test
    void aCheckpointThatIsNeverClosedIsFreedAndReported() throws InterruptedException {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.inpainterz.nativeapi.NativeHandle");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        try {
            Checkpoint.open(Fixtures.file("sam/tiny/weights.pth")); // dropped without close
            for (int i = 0; i < 100 && warnings.isEmpty(); i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertTrue(warnings.stream().anyMatch(w -> w.contains("was not closed") && w.contains("weights.pth")), warnings.toString());
        } finally {
            log.removeHandler(h);
        }
    }
}
