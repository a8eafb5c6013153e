package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/inpainterz on a copy of the launcher with a stand-in build script and JVM: concurrent first
 * launches build once and all run; an existing build is never rebuilt unless asked.
 */
class LauncherTest {
    @TempDir
    Path root;

    private Path setUp() throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("scripts"));
        Files.createDirectories(root.resolve("native/src"));
        Files.createDirectories(root.resolve("native/include"));
        Files.createDirectories(root.resolve("java/src/main"));
        Files.copy(Path.of("bin/inpainterz"), root.resolve("bin/inpainterz"));
        Files.copy(Path.of("scripts/lib.sh"), root.resolve("scripts/lib.sh"));
        Files.writeString(root.resolve("CMakeLists.txt"), "");
        Files.writeString(root.resolve("pom.xml"), "");
        Files.writeString(root.resolve("java/pom.xml"), "");
        Files.writeString(root.resolve("native/src/a.cpp"), "");
        // The build: slow enough for the launches to overlap; counts its runs.
        executable(root.resolve("scripts/build.sh"), """
                #!/usr/bin/env bash
                set -e
                echo run >> "$(dirname "$0")/../builds.txt"
                sleep 1
                mkdir -p "$(dirname "$0")/../build/native" "$(dirname "$0")/../java/target/lib"
                touch "$(dirname "$0")/../build/native/libinpainterz.so" "$(dirname "$0")/../java/target/inpainterz.jar"
                """);
        Path jdk = root.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        executable(jdk.resolve("bin/java"), "#!/bin/sh\necho \"java $*\"\n");
        return jdk;
    }

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch(Path jdk, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/inpainterz").toString(), "version").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME_25", jdk.toString());
        pb.environment().remove("INPAINTERZ_REBUILD");
        for (int i = 0; i < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        return pb.start();
    }

    private long builds() throws Exception {
        Path f = root.resolve("builds.txt");
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void simultaneousFirstLaunchesBuildOnceAndAllRun() throws Exception {
        Path jdk = setUp();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) ps.add(launch(jdk));
        for (Process p : ps) {
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("java --enable-native-access=io.inpainterz") && out.contains("io.inpainterz.cli.Main version"), out);
        }
        assertEquals(1, builds(), "four first launches, one build");
    }

    @Test
    void anExistingBuildIsNeverRebuiltUnlessAsked() throws Exception {
        Path jdk = setUp();
        assertEquals(0, launch(jdk).waitFor());
        assertEquals(1, builds());
        Files.writeString(root.resolve("native/src/a.cpp"), "// edited");
        Files.setLastModifiedTime(root.resolve("native/src/a.cpp"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Process stale = launch(jdk);
        String out = new String(stale.getInputStream().readAllBytes());
        assertEquals(0, stale.waitFor(), out);
        assertTrue(out.contains("sources are newer than the build") && out.contains("INPAINTERZ_REBUILD=1"), out);
        assertEquals(1, builds(), "a stale build runs as it is");
        assertEquals(0, launch(jdk, "INPAINTERZ_REBUILD", "1").waitFor());
        assertEquals(2, builds(), "INPAINTERZ_REBUILD=1 rebuilds");
    }
}
