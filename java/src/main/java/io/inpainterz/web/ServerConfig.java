package io.inpainterz.web;

import io.inpainterz.InvalidInputException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of {@code inpainterz serve}.
 *
 * @param host        address to bind (loopback unless told otherwise)
 * @param port        TCP port (0: any free one)
 * @param media       folder whose videos the page may open (null: uploads only)
 * @param temp        where sessions keep their files (uploads, masks, results)
 * @param uploadLimit largest upload in bytes
 * @param sessionIdle a session unused this long is closed and its files removed
 * @param renderJobs  track and remove jobs that run at once; the others wait in order
 * @param token       the token every request must carry (null: none; required off loopback)
 * @param publicUrl   the address users open when a proxy (TLS) sits in front, or null: its host and origin are allowed too
 * @param allowHosts  further host names the server answers to (DNS names of this machine)
 */
public record ServerConfig(String host, int port, Path media, Path temp, long uploadLimit, Duration sessionIdle, int renderJobs, String token,
                           URI publicUrl, List<String> allowHosts) {
    public static final long DEFAULT_UPLOAD_LIMIT = 2L << 30;
    public static final Duration DEFAULT_SESSION_IDLE = Duration.ofHours(1);

    public ServerConfig {
        if (host == null || host.isBlank()) host = "127.0.0.1";
        if (port < 0 || port > 65535) throw new InvalidInputException("--port must be 0..65535, got " + port);
        if (uploadLimit < 1) throw new InvalidInputException("--upload-limit must be positive, got " + uploadLimit);
        if (sessionIdle == null || sessionIdle.isNegative() || sessionIdle.isZero()) throw new InvalidInputException("--session-idle must be positive");
        if (renderJobs < 1) throw new InvalidInputException("--render-jobs must be >= 1, got " + renderJobs);
        if (temp == null) temp = Path.of(System.getProperty("java.io.tmpdir"));
        if (token != null && token.isBlank()) token = null;
        if (publicUrl != null && (publicUrl.getScheme() == null || publicUrl.getHost() == null
                || !(publicUrl.getScheme().equals("http") || publicUrl.getScheme().equals("https")))) {
            throw new InvalidInputException("--public-url must be an http(s) URL like https://video.example.org, got " + publicUrl);
        }
        allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
    }

    /** Loopback, port 8080, no media folder, the system temp folder, the documented limits. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, null, null, DEFAULT_UPLOAD_LIMIT, DEFAULT_SESSION_IDLE, 1, null, null, List.of());
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, media, temp, uploadLimit, sessionIdle, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, media, temp, uploadLimit, sessionIdle, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withMedia(Path m) {
        return new ServerConfig(host, port, m, temp, uploadLimit, sessionIdle, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withTemp(Path t) {
        return new ServerConfig(host, port, media, t, uploadLimit, sessionIdle, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withUploadLimit(long bytes) {
        return new ServerConfig(host, port, media, temp, bytes, sessionIdle, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withSessionIdle(Duration d) {
        return new ServerConfig(host, port, media, temp, uploadLimit, d, renderJobs, token, publicUrl, allowHosts);
    }

    public ServerConfig withRenderJobs(int n) {
        return new ServerConfig(host, port, media, temp, uploadLimit, sessionIdle, n, token, publicUrl, allowHosts);
    }

    public ServerConfig withToken(String t) {
        return new ServerConfig(host, port, media, temp, uploadLimit, sessionIdle, renderJobs, t, publicUrl, allowHosts);
    }

    public ServerConfig withPublicUrl(URI u) {
        return new ServerConfig(host, port, media, temp, uploadLimit, sessionIdle, renderJobs, token, u, allowHosts);
    }

    public ServerConfig withAllowHosts(List<String> hosts) {
        return new ServerConfig(host, port, media, temp, uploadLimit, sessionIdle, renderJobs, token, publicUrl, hosts);
    }
}
