package io.inpainterz.nativeapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library loading failures, each in a fresh JVM (a loaded library cannot be unloaded). */
class NativeLibraryTest {
    @TempDir
    Path tmp;

    private record Result(int exit, String stderr) {}

    private static Result cli(String libraryPath, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(io.inpainterz.testing.Jvm.cli(List.of("-D" + NativeLibrary.PROPERTY + "=" + libraryPath),
                        args.length == 0 ? new String[] {"version"} : args))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), err);
    }

    @Test
    void aMissingLibraryIsOneClearMessage() throws Exception {
        Result r = cli(tmp.resolve("nowhere/libinpainterz.so").toString());
        assertEquals(4, r.exit());
        assertTrue(r.stderr().contains("was not found") && r.stderr().contains("scripts/build-native.sh")
                && r.stderr().contains("-Dinpainterz.library.path"), r.stderr());
        // --help shows the library's defaults, so it needs the library too, and says so the same way.
        Result help = cli(tmp.resolve("nowhere/libinpainterz.so").toString(), "transcode", "--help");
        assertEquals(4, help.exit(), help.stderr());
        assertTrue(help.stderr().contains("was not found"), help.stderr());
    }

    @Test
    void aLibraryWithAnotherAbiVersionIsRefusedWithBothNumbers() throws Exception {
        Path src = Files.writeString(tmp.resolve("fake.c"), "int inp_abi_version(void) { return 999; }\n");
        Path lib = tmp.resolve("libinpainterz.so");
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", lib.toString(), src.toString()).inheritIO().start();
        assertEquals(0, cc.waitFor(), "cc failed");
        Result r = cli(tmp.toString()); // a folder: the library is looked up inside it
        assertEquals(4, r.exit());
        assertTrue(r.stderr().contains("ABI version 999") && r.stderr().contains("needs ABI version " + NativeLibrary.ABI_VERSION), r.stderr());
    }
}
