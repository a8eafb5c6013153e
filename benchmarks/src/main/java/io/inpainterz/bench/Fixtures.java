package io.inpainterz.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Parity fixtures used as benchmark inputs; a missing one fails with how to get it. */
final class Fixtures {
    private Fixtures() {}

    static Path file(String relative) {
        String root = System.getenv().getOrDefault("INPAINTERZ_PARITY_DIR", "../shared/parity");
        Path p = Path.of(root).resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("benchmark fixture " + p + " is missing: run from the repository root with "
                    + "../shared/parity beside it, or set INPAINTERZ_PARITY_DIR to the parity fixture folder");
        }
        return p;
    }
}
