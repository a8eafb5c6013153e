package io.inpainterz.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes by hand, to build torch.save files (good and hostile) that the Python
 * toolchain is not needed for. Opcode letters follow CPython's pickletools.
 */
public final class Pickle {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    public Pickle() {
        raw(0x80, 2); // PROTO 2
    }

    public Pickle raw(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    public Pickle rawBytes(byte[] bytes) {
        b.writeBytes(bytes);
        return this;
    }

    public Pickle global(String module, String name) {
        b.write('c');
        b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public Pickle str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.write('X');
        b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
        b.writeBytes(u);
        return this;
    }

    public Pickle integer(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            b.write('J');
            b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            b.write(0x8a);
            b.write(8);
            b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
        return this;
    }

    public Pickle mark() {
        return raw('(');
    }

    public Pickle tuple() {
        return raw('t');
    }

    public Pickle ints(long... values) {
        mark();
        for (long v : values) integer(v);
        return tuple();
    }

    public Pickle reduce() {
        return raw('R');
    }

    public Pickle emptyDict() {
        return raw('}');
    }

    public Pickle orderedDict() {
        return global("collections", "OrderedDict").raw(')').reduce();
    }

    public Pickle setitem() {
        return raw('s');
    }

    public Pickle stop() {
        return raw('.');
    }

    /** Pushes torch._utils._rebuild_tensor_v2(storage(key), offset, shape, stride, False, OrderedDict()). */
    public Pickle tensor(String storageClass, String key, long numel, long offset, long[] shape, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).tuple().raw('Q');
        integer(offset).ints(shape).ints(stride).raw(0x89).orderedDict();
        tuple();
        return reduce();
    }

    public byte[] bytes() {
        return b.toByteArray();
    }

    /** A torch.save-style zip: "archive/data.pkl" plus "archive/data/<key>" members, all stored. */
    public static byte[] zip(byte[] dataPkl, Map<String, byte[]> storages) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("archive/data.pkl", dataPkl);
        members.put("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach((k, v) -> members.put("archive/data/" + k, v));
        return zipOf(members);
    }

    public static byte[] zipOf(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                ZipEntry e = new ZipEntry(m.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(m.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(m.getValue());
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(m.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** Little-endian float32 bytes. */
    public static byte[] floats(float... values) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) bb.putFloat(f);
        return bb.array();
    }
}
