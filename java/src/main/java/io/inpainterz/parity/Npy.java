package io.inpainterz.parity;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads numpy .npy files (format versions 1-3, C order, little-endian or byte-sized dtypes)
 * by memory-mapping them: the array's data is the file's bytes, not a copy.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Maps {@code file} into {@code arena}; the array lives as long as the arena. */
    public static NdArray read(Path file, Arena arena) {
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = ch.size() == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new FileAccessException("npy file '" + file + "' does not exist");
        } catch (IOException e) {
            throw new FileAccessException("cannot read npy file '" + file + "': " + e.getMessage());
        }
        return parse(file.toString(), all);
    }

    static NdArray parse(String name, MemorySegment all) {
        long size = all.byteSize();
        if (size < 10 || all.asSlice(0, 6).mismatch(MemorySegment.ofArray(MAGIC)) != -1) {
            throw bad(name, "not an .npy file (magic bytes missing)");
        }
        int major = all.get(ValueLayout.JAVA_BYTE, 6);
        long headerLen;
        long headerStart;
        if (major == 1) {
            headerLen = all.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (size < 12) throw bad(name, "truncated header");
            headerLen = all.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw bad(name, "unsupported .npy format version " + major);
        }
        if (headerStart + headerLen > size) throw bad(name, "header runs past the end of the file");
        String header = new String(all.asSlice(headerStart, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);

        String descr = group(name, DESCR, header, "descr");
        if ("True".equals(group(name, FORTRAN, header, "fortran_order"))) throw bad(name, "Fortran-ordered arrays are not supported");
        DType dtype = dtypeOf(name, descr);
        List<Long> dims = new ArrayList<>();
        for (String part : group(name, SHAPE, header, "shape").split(",")) {
            if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long dataStart = headerStart + headerLen;
        long nbytes = NdArray.numElements(shape) * dtype.byteSize();
        if (size - dataStart != nbytes) {
            throw bad(name, "holds " + (size - dataStart) + " data bytes, its header (" + descr + " " + dims + ") says " + nbytes);
        }
        return new NdArray(dtype, shape, all.asSlice(dataStart, nbytes));
    }

    private static String group(String name, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw bad(name, "header has no '" + key + "': " + header.strip());
        return m.group(1);
    }

    private static DType dtypeOf(String name, String descr) {
        if (descr.length() >= 2 && descr.charAt(0) == '>' && !descr.endsWith("1")) {
            throw bad(name, "big-endian dtype " + descr + " is not supported");
        }
        return switch (descr.substring(1)) {
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "f2" -> DType.F16;
            case "i8" -> DType.I64;
            case "i4" -> DType.I32;
            case "i2" -> DType.I16;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            default -> throw bad(name, "unsupported dtype " + descr);
        };
    }

    private static InvalidInputException bad(String name, String what) {
        return new InvalidInputException("npy file '" + name + "': " + what);
    }

    /** Whether {@code file} exists and is a regular file (for optional fixture files). */
    public static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }
}
