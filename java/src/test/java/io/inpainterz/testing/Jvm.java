package io.inpainterz.testing;

import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM running the CLI as the launcher does: the io.inpainterz module. */
public final class Jvm {
    private Jvm() {}

    public static List<String> cli(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=io.inpainterz");
        cmd.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isBlank()) {
            cmd.addAll(List.of("-p", modulePath, "-m", "io.inpainterz/io.inpainterz.cli.Main"));
        } else { // tests on the class path
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.inpainterz.cli.Main"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }
}
