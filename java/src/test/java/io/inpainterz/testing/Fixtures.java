package io.inpainterz.testing;

import io.inpainterz.parity.ParityFixtures;
import java.nio.file.Path;

/** The parity fixture folder for tests: missing fixtures fail the test run, never skip it. */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        return ParityFixtures.root(null);
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
