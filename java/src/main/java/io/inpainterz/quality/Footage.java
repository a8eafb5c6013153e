package io.inpainterz.quality;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.VideoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real background footage, a user-given video file or a folder of frames (PNG or JPEG, in name
 * order), as {@code width x height} RGB frames: scaled to cover the size and centre-cropped, so
 * the aspect ratio is kept. Videos are decoded by the {@code ffmpeg} command line (Debian's
 * {@code ffmpeg} package, which {@code scripts/install-deps.sh} installs), so this needs no
 * native library. The footage's own camera motion is real; nothing synthetic is added.
 */
public final class Footage {
    private Footage() {}

    /** The environment variable (or, first, the system property {@value #PROPERTY}) that names footage to measure on. */
    public static final String ENV = "INPAINTERZ_FOOTAGE", PROPERTY = "inpainterz.footage";

    /**
     * The footage the user named in {@code -Dinpainterz.footage} or {@code $INPAINTERZ_FOOTAGE}:
     * video files or frame folders, separated by the platform's path separator ({@code :});
     * empty when neither is set. Nothing is shipped or downloaded.
     */
    public static List<Path> configured() {
        String v = System.getProperty(PROPERTY, System.getenv(ENV));
        if (v == null || v.isBlank()) return List.of();
        return Arrays.stream(v.split(java.io.File.pathSeparator)).filter(p -> !p.isBlank()).map(Path::of).toList();
    }

    /** The first {@code frames} frames of {@code source}; fails naming the file when it has fewer. */
    public static List<RgbImage> read(Path source, int width, int height, int frames) {
        if (width < 1 || height < 1 || frames < 1) throw new InvalidInputException("footage size " + width + "x" + height + " x " + frames + " frames is invalid");
        List<RgbImage> out = Files.isDirectory(source) ? readFolder(source, width, height, frames) : readVideo(source, width, height, frames);
        if (out.size() < frames) throw new InvalidInputException(source + " has " + out.size() + " frames; " + frames + " were asked for");
        return out;
    }

    private static List<RgbImage> readVideo(Path video, int width, int height, int frames) {
        if (!Files.isRegularFile(video)) throw new FileAccessException(video + ": no such video file");
        List<String> cmd = List.of("ffmpeg", "-v", "error", "-nostdin", "-i", video.toString(), "-map", "0:v:0",
                "-vf", "scale=" + width + ":" + height + ":force_original_aspect_ratio=increase:flags=area,crop=" + width + ":" + height,
                "-frames:v", String.valueOf(frames), "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
        byte[] all, err;
        int rc;
        try {
            Path errFile = Files.createTempFile("inpainterz-ffmpeg", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
                p.getOutputStream().close();
                all = p.getInputStream().readAllBytes();
                rc = p.waitFor();
                err = Files.readAllBytes(errFile);
            } finally {
                Files.deleteIfExists(errFile);
            }
        } catch (IOException e) {
            throw new FileAccessException("cannot run the ffmpeg command line (install Debian's ffmpeg package): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VideoException("interrupted while decoding " + video);
        }
        if (rc != 0) throw new VideoException(video + ": ffmpeg failed (exit " + rc + "): " + new String(err, StandardCharsets.UTF_8).strip());
        int size = 3 * width * height;
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i + size <= all.length; i += size) out.add(new RgbImage(width, height, Arrays.copyOfRange(all, i, i + size)));
        return out;
    }

    private static List<RgbImage> readFolder(Path dir, int width, int height, int frames) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase().matches(".*\\.(png|jpe?g)")).sorted().limit(frames).toList();
        } catch (IOException e) {
            throw new FileAccessException(dir + ": cannot list the frames: " + e.getMessage());
        }
        List<RgbImage> out = new ArrayList<>();
        for (Path f : files) out.add(cover(RgbImage.read(f), width, height));
        return out;
    }

    /** Scaled to cover {@code width x height}, then centre-cropped to it. */
    static RgbImage cover(RgbImage img, int width, int height) {
        double s = Math.max((double) width / img.width(), (double) height / img.height());
        int w = Math.max(width, (int) Math.round(img.width() * s)), h = Math.max(height, (int) Math.round(img.height() * s));
        RgbImage scaled = w == img.width() && h == img.height() ? img : img.resize(w, h);
        return scaled.crop((w - width) / 2, (h - height) / 2, width, height);
    }
}
