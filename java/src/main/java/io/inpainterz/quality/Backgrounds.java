package io.inpainterz.quality;

import io.inpainterz.FileAccessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Still photographs for ground-truth clips, from a Debian package that
 * {@code scripts/install-deps.sh} installs: {@value #PACKAGE} (15 MB, the Ubuntu 16.04-era
 * wallpaper contest photos, CC-BY-4.0 / CC-BY-SA-4.0, credits in
 * {@code /usr/share/doc/lomiri-wallpapers-16.04/copyright}). Nothing here is downloaded or
 * committed: a missing file is an error that names the package.
 */
public final class Backgrounds {
    /** The Debian package the photos come from. */
    public static final String PACKAGE = "lomiri-wallpapers-16.04";

    /** Where the package installs them. */
    public static final Path DIR = Path.of("/usr/share/backgrounds");

    /** Forest, rocks and a stream: dense texture everywhere (3088x2056). */
    public static final String FOREST = "life_by_Aitzol_Berasategi.jpg";
    /** Mountains, snow, sky and a dirt path: large smooth areas beside sharp edges (3264x2448). */
    public static final String MOUNTAINS = "picosdeeuropa_by_Aitzol_Berasategi.jpg";
    /** Autumn hillside, grass and a mountain ridge (3088x2056). */
    public static final String HILLSIDE = "aitzgorri_by_Aitzol_Berasategi.jpg";
    /** Leaves against the sky: fine, high-contrast detail (4224x3168). */
    public static final String LEAVES = "Dragonfly_by_Bolly.jpg";
    /** Paint brushes in saturated colours: the source of textured sprites (1365x1074). */
    public static final String BRUSHES = "Picture_1A_by_freespace.jpg";

    /** The photos the standard clips use. */
    public static final List<String> STANDARD = List.of(FOREST, MOUNTAINS, HILLSIDE, LEAVES, BRUSHES);

    private Backgrounds() {}

    /** The installed path of photo {@code name}; fails naming the package when it is not there. */
    public static Path path(String name) {
        Path p = DIR.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new FileAccessException("background photo " + p + " is missing: install the Debian package " + PACKAGE
                    + " (scripts/install-deps.sh installs it: apt-get install " + PACKAGE + ")");
        }
        return p;
    }

    /** Photo {@code name}, decoded at its full size. */
    public static RgbImage photo(String name) {
        return RgbImage.read(path(name));
    }

    /** Fails, naming the package, unless every standard photo is installed. */
    public static void requireInstalled() {
        for (String name : STANDARD) path(name);
    }
}
