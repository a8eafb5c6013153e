package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module exports the API and hides the bindings; the CLI uses no foreign-memory types. */
class ModuleTest {
    @Test
    void theModuleExportsTheApiAndNotTheBindings() throws Exception {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(Path.of("java/target/classes/module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("io.inpainterz", d.name());
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertFalse(e.isQualified(), e.toString());
            exported.add(e.source());
        }
        assertEquals(Set.of("io.inpainterz", "io.inpainterz.engine", "io.inpainterz.pipeline"), exported);
    }

    @Test
    void theCliAndThePipelineImportNothingFromJavaLangForeign() throws Exception {
        for (String pkg : new String[] {"cli", "pipeline"}) {
            try (Stream<Path> files = Files.walk(Path.of("java/src/main/java/io/inpainterz/" + pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    assertFalse(Files.readString(f).contains("java.lang.foreign"), f + " uses java.lang.foreign");
                }
            }
        }
    }

    @Test
    void ownedFramesAndPooledMasksNeedNoArena() throws Exception {
        try (Frame f = Frame.allocate(8, 4)) {
            assertEquals(f.data().address(), f.addressSeenByNative());
        }
        try (ImagePool<Mask> pool = ImagePool.masks(16, 8, 2)) {
            Mask a = pool.take(), b = pool.take();
            assertEquals(2, pool.inUse());
            assertEquals(null, pool.poll(0, java.util.concurrent.TimeUnit.MILLISECONDS), "a full pool hands out nothing");
            long address = a.data().address();
            a.close();
            a.close(); // idempotent
            Mask again = pool.take();
            assertEquals(address, again.data().address(), "the pool recycles the same memory");
            assertTrue(b != again);
            again.close();
            b.close();
            assertEquals(0, pool.inUse());
        }
    }
}
