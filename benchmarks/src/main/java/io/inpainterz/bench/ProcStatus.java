package io.inpainterz.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory as Linux counts it (/proc/self/status), for the memory benchmarks. */
final class ProcStatus {
    private ProcStatus() {}

    /** The line of {@code field} ("VmHWM": the peak resident set; "VmRSS": now), spaces squeezed: "VmHWM: 970312 kB". */
    static String line(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return line.replaceAll("\\s+", " ");
        }
        throw new IllegalStateException("/proc/self/status has no " + field);
    }
}
