package io.inpainterz.nativeapi;

import java.io.File;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads libinpainterz.so once, before any binding is created, and checks that its
 * ABI version is the one this jar was compiled against. Search order:
 * <ol>
 *   <li>the system property {@code inpainterz.library.path} (the file, or its folder);</li>
 *   <li>next to the jar that holds this class, then {@code build/native} of a source checkout;</li>
 *   <li>each folder of {@code java.library.path}.</li>
 * </ol>
 * Each step is logged at FINE.
 */
public final class NativeLibrary {
    /** {@code INP_ABI_VERSION} of native/include/inpainterz.h as this jar knows it. */
    public static final int ABI_VERSION = 3;
    public static final String PROPERTY = "inpainterz.library.path";
    static final String FILE_NAME = System.mapLibraryName("inpainterz");

    private static final System.Logger LOG = System.getLogger(NativeLibrary.class.getName());
    private static volatile Path loaded;

    private NativeLibrary() {}

    /** Loads the library if not yet loaded; returns its path. Idempotent and thread-safe. */
    public static Path load() {
        Path p = loaded;
        if (p != null) return p;
        synchronized (NativeLibrary.class) {
            if (loaded == null) loaded = doLoad();
            return loaded;
        }
    }

    @SuppressWarnings("restricted")
    private static Path doLoad() {
        if (!NativeLibrary.class.getModule().isNativeAccessEnabled()) {
            LOG.log(System.Logger.Level.WARNING,
                    "native access is not enabled for Inpainterz: start java with --enable-native-access=ALL-UNNAMED "
                            + "(or the module name); later JDKs refuse to run without it");
        }
        List<Path> tried = new ArrayList<>();
        for (Path candidate : candidates()) {
            tried.add(candidate);
            LOG.log(System.Logger.Level.DEBUG, "looking for the native library at {0}", candidate);
            if (!Files.isRegularFile(candidate)) continue;
            try {
                System.load(candidate.toAbsolutePath().toString());
            } catch (UnsatisfiedLinkError e) {
                throw new UnsatisfiedLinkError("cannot load the Inpainterz native library " + candidate + ": "
                        + e.getMessage() + " (are libtorch and FFmpeg where its RUNPATH says? rebuild with scripts/build-native.sh)");
            }
            checkAbi(candidate);
            LOG.log(System.Logger.Level.DEBUG, "loaded {0}", candidate);
            return candidate;
        }
        throw new UnsatisfiedLinkError("the Inpainterz native library " + FILE_NAME + " was not found; looked at " + tried
                + ". Build it with scripts/build-native.sh, or point -D" + PROPERTY + "=<file or folder> at it.");
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            out.add(Files.isDirectory(p) ? p.resolve(FILE_NAME) : p);
            return out; // an explicit choice is never silently replaced by another library
        }
        Path jarDir = jarDirectory();
        if (jarDir != null) {
            out.add(jarDir.resolve(FILE_NAME));
            out.add(jarDir.resolve("../../build/native").normalize().resolve(FILE_NAME)); // java/target -> build/native
        }
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) out.add(Path.of(dir).resolve(FILE_NAME));
        }
        return out;
    }

    private static Path jarDirectory() {
        try {
            var source = NativeLibrary.class.getProtectionDomain().getCodeSource();
            if (source == null) return null;
            Path p = Path.of(source.getLocation().toURI());
            return Files.isDirectory(p) ? p : p.getParent();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    @SuppressWarnings("restricted")
    private static void checkAbi(Path library) {
        MethodHandle abi = Linker.nativeLinker().downcallHandle(
                SymbolLookup.loaderLookup().findOrThrow("inp_abi_version"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        int version;
        try {
            version = (int) abi.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (version != ABI_VERSION) {
            throw new UnsatisfiedLinkError("the native library " + library + " has ABI version " + version
                    + " but this jar needs ABI version " + ABI_VERSION + "; rebuild both from the same checkout");
        }
    }
}
