package io.inpainterz.parity;

import io.inpainterz.FileAccessException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the parity fixtures live: an explicit folder, else $INPAINTERZ_PARITY_DIR, else ../shared/parity. */
public final class ParityFixtures {
    public static final String ENV = "INPAINTERZ_PARITY_DIR";
    public static final String DEFAULT = "../shared/parity";

    private ParityFixtures() {}

    /**
     * Resolves and checks the fixture root. A missing folder is an error, never a skip: a
     * parity check that silently does nothing is a broken one.
     */
    public static Path root(String explicit) {
        String env = System.getenv(ENV);
        String chosen = explicit != null ? explicit : env != null && !env.isBlank() ? env : DEFAULT;
        Path root = Path.of(chosen).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            String source = explicit != null ? "--dir" : env != null && !env.isBlank() ? "$" + ENV : "the default " + DEFAULT;
            throw new FileAccessException("parity fixtures not found: " + root + " (from " + source
                    + ") is not a folder; pass --dir or set " + ENV);
        }
        return root;
    }
}
