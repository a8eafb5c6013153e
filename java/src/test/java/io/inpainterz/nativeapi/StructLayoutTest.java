package io.inpainterz.nativeapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every public struct's Java layout against what the C compiler made of inpainterz.h: size,
 * alignment and each field's offset, as printed by native/tests/abi_layouts.c (built beside the
 * library). A field moved, added or resized on either side fails here, not in a crash.
 */
class StructLayoutTest {
    record CStruct(long size, long align, Map<String, Long> fields) {}

    static Map<String, CStruct> compiled() throws Exception {
        Path lib = Path.of(System.getProperty(NativeLibrary.PROPERTY));
        Path exe = (Files.isDirectory(lib) ? lib : lib.getParent()).resolve("inp_abi_layouts");
        assertTrue(Files.isExecutable(exe), exe + " is missing: build the native library (scripts/build-native.sh)");
        Process p = new ProcessBuilder(exe.toString()).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        Map<String, CStruct> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("struct")) out.put(f[1], new CStruct(Long.parseLong(f[2]), Long.parseLong(f[3]), new LinkedHashMap<>()));
            else if (f[0].equals("field")) out.get(f[1]).fields().put(f[2], Long.parseLong(f[3]));
        }
        return out;
    }

    @Test
    void everyJavaLayoutMatchesTheCCompiler() throws Exception {
        Map<String, CStruct> c = compiled();
        Set<String> java = new TreeSet<>();
        for (StructLayout l : Layouts.ALL) {
            String name = l.name().orElseThrow(() -> new AssertionError("a layout without its C name: " + l));
            java.add(name);
            CStruct s = c.get(name);
            assertTrue(s != null, name + " is not printed by abi_layouts.c");
            assertEquals(s.size(), l.byteSize(), name + " size");
            assertEquals(s.align(), l.byteAlignment(), name + " alignment");
            Set<String> javaFields = new TreeSet<>();
            for (MemoryLayout m : l.memberLayouts()) m.name().ifPresent(javaFields::add);
            assertEquals(new TreeSet<>(s.fields().keySet()), javaFields, name + " fields");
            for (Map.Entry<String, Long> f : s.fields().entrySet()) {
                assertEquals(f.getValue(), l.byteOffset(MemoryLayout.PathElement.groupElement(f.getKey())), name + "." + f.getKey() + " offset");
            }
        }
        assertEquals(new TreeSet<>(c.keySet()), java, "structs printed by C vs laid out in Java");
    }

    @Test
    void everyStructOfTheHeaderIsChecked() throws Exception {
        String header = Files.readString(Path.of("native/include/inpainterz.h"));
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("typedef struct (inp_\\w+) \\{").matcher(header);
        while (m.find()) declared.add(m.group(1));
        assertTrue(declared.size() >= 13, declared.toString());
        assertEquals(declared, new TreeSet<>(compiled().keySet()), "every struct with a body in inpainterz.h must be in abi_layouts.c");
    }
}
