package io.inpainterz.nativeapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Maps a Java record onto a params struct by name: component {@code pointsPerSide} is field
 * {@code points_per_side}. Reading a struct made by a {@code *_default_params()} function gives
 * the record of defaults; writing starts from that struct and sets only the components that
 * differ from it, so a field the record does not know keeps its C default.
 * Supported component types: int, long, float, double, boolean, String and Path ({@code const char *}), and enums
 * ({@code int32_t}: the constant's ordinal, so the Java enum lists its constants in the C enum's order from 0).
 */
final class Structs {
    private Structs() {}

    static String fieldName(String component) {
        StringBuilder b = new StringBuilder();
        for (char c : component.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    /** The defaults a {@code *_default_params()} function returns, read into {@code type}. */
    static <R extends Record> R defaults(Class<R> type, StructLayout layout, Function<Arena, MemorySegment> defaultParams) {
        try (Arena scratch = Arena.ofConfined()) {
            return read(type, layout, defaultParams.apply(scratch));
        }
    }

    /** A struct from {@code defaultParams} with the components of {@code value} that differ from it set. */
    static <R extends Record> MemorySegment fromDefaults(R value, StructLayout layout, Function<Arena, MemorySegment> defaultParams, Arena scratch) {
        MemorySegment s = defaultParams.apply(scratch);
        @SuppressWarnings("unchecked") Class<R> type = (Class<R>) value.getClass();
        writeChanged(value, read(type, layout, s), layout, s, scratch);
        return s;
    }

    static <R extends Record> R read(Class<R> type, StructLayout layout, MemorySegment struct) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] values = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            values[i] = get(struct, layout, cs[i]);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName() + " from " + layout, e);
        }
    }

    /** Sets in {@code struct} (holding the values of {@code defaults}) every component of {@code value} that differs. */
    static <R extends Record> void writeChanged(R value, R defaults, StructLayout layout, MemorySegment struct, Arena scratch) {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v = component(c, value), d = component(c, defaults);
            if (!Objects.equals(v, d)) set(struct, layout, c, v, scratch);
        }
    }

    private static Object component(RecordComponent c, Record r) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long offset(StructLayout layout, RecordComponent c, MemoryLayout expected) {
        String field = fieldName(c.getName());
        MemoryLayout f = layout.select(MemoryLayout.PathElement.groupElement(field));
        if (f.byteSize() != expected.byteSize()) {
            throw new IllegalStateException(layout.name().orElse("struct") + "." + field + " is " + f + ", not a " + c.getType().getSimpleName());
        }
        return Native.offset(layout, field);
    }

    private static Object get(MemorySegment s, StructLayout layout, RecordComponent c) {
        Class<?> t = c.getType();
        if (t == int.class) return s.get(JAVA_INT, offset(layout, c, JAVA_INT));
        if (t == long.class) return s.get(JAVA_LONG, offset(layout, c, JAVA_LONG));
        if (t == float.class) return s.get(JAVA_FLOAT, offset(layout, c, JAVA_FLOAT));
        if (t == double.class) return s.get(JAVA_DOUBLE, offset(layout, c, JAVA_DOUBLE));
        if (t == boolean.class) return s.get(JAVA_BOOLEAN, offset(layout, c, JAVA_BOOLEAN));
        if (t == String.class || t == Path.class) {
            MemorySegment p = s.get(Native.C_STRING, offset(layout, c, ADDRESS));
            if (p.equals(MemorySegment.NULL)) return null;
            return t == Path.class ? Path.of(p.getString(0)) : p.getString(0);
        }
        if (t.isEnum()) {
            int i = s.get(JAVA_INT, offset(layout, c, JAVA_INT));
            Object[] constants = t.getEnumConstants();
            if (i < 0 || i >= constants.length) throw new IllegalStateException(c + ": native value " + i + " is not a constant of " + t.getSimpleName());
            return constants[i];
        }
        throw new IllegalStateException("unsupported component type " + t + " of " + c);
    }

    private static void set(MemorySegment s, StructLayout layout, RecordComponent c, Object v, Arena scratch) {
        Class<?> t = c.getType();
        if (t == int.class) s.set(JAVA_INT, offset(layout, c, JAVA_INT), (Integer) v);
        else if (t == long.class) s.set(JAVA_LONG, offset(layout, c, JAVA_LONG), (Long) v);
        else if (t == float.class) s.set(JAVA_FLOAT, offset(layout, c, JAVA_FLOAT), (Float) v);
        else if (t == double.class) s.set(JAVA_DOUBLE, offset(layout, c, JAVA_DOUBLE), (Double) v);
        else if (t == boolean.class) s.set(JAVA_BOOLEAN, offset(layout, c, JAVA_BOOLEAN), (Boolean) v);
        else if (t == String.class || t == Path.class) {
            s.set(ADDRESS, offset(layout, c, ADDRESS), v == null ? MemorySegment.NULL : scratch.allocateFrom(v.toString()));
        } else if (t.isEnum()) {
            s.set(JAVA_INT, offset(layout, c, JAVA_INT), ((Enum<?>) v).ordinal());
        } else {
            throw new IllegalStateException("unsupported component type " + t + " of " + c);
        }
    }
}
