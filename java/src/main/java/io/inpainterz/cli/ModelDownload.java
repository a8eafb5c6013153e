package io.inpainterz.cli;

import io.inpainterz.CheckpointException;
import io.inpainterz.engine.Job;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Fetches one catalogue file into a folder: into {@code NAME.part}, resumed with an HTTP Range
 * request after an interrupted transfer (or by a later run), through Google Drive's
 * confirmation page for large files, then verified ({@link ModelCatalog#verify}); only a
 * verified file is renamed to its name, a bad one is removed.
 */
final class ModelDownload {
    private static final int MAX_CONFIRMATIONS = 3, MAX_PAGE = 1 << 20;

    private final HttpClient http;
    private final CookieManager cookies = new CookieManager();
    private final int attempts;
    private final Duration retryDelay, stallTimeout;

    /**
     * @param attempts     tries in a row that bring no byte before giving up
     * @param retryDelay   the wait before the first retry (then twice as long each time, at most 30 s)
     * @param stallTimeout a transfer with no byte for this long is dropped and retried
     */
    ModelDownload(int attempts, Duration retryDelay, Duration stallTimeout) {
        this.attempts = attempts;
        this.retryDelay = retryDelay;
        this.stallTimeout = stallTimeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).cookieHandler(cookies).build();
    }

    static ModelDownload defaults() {
        return new ModelDownload(5, Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    /**
     * Downloads {@code m} from {@code source} into {@code dir} and verifies it; returns the
     * verification. A bad file is removed ({@link CheckpointException}); a transfer that fails
     * for good is an {@link IOException} and leaves the {@code .part} file for the next run.
     */
    ModelCatalog.Verified fetch(ModelCatalog.Model m, ModelCatalog.Source source, Path dir, Job job) throws IOException, InterruptedException {
        Path part = dir.resolve(source.name() + ".part"), target = dir.resolve(m.file());
        try {
            transfer(source.uri(), part, m.bytes(), "download " + m.file(), job);
        } catch (IOException | RuntimeException e) {
            if (Files.exists(part) && Files.size(part) == 0) Files.delete(part); // nothing to resume
            throw e;
        }
        Path candidate = part;
        if (m.archive() != null && source.name().equals(m.archive())) candidate = extract(part, m.file(), dir.resolve(m.file() + ".part"));
        ModelCatalog.Verified v;
        try {
            v = ModelCatalog.verify(m, candidate, job);
        } catch (CheckpointException e) {
            Files.deleteIfExists(candidate);
            Files.deleteIfExists(part);
            throw new CheckpointException(e.getMessage() + "; the download was removed");
        }
        try {
            Files.move(candidate, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(candidate, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(part);
        return v;
    }

    /** Brings {@code part} to the whole file at {@code uri}: appends from its current size, retries interrupted transfers. */
    void transfer(URI uri, Path part, long expectedBytes, String stage, Job job) throws IOException, InterruptedException {
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) throw new IOException(part + " is being downloaded by another process");
            URI url = uri;
            int confirmations = 0, fruitless = 0;
            for (int round = 0; ; round++) {
                long have = ch.size();
                HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).header("User-Agent", "inpainterz");
                if (have > 0) rb.header("Range", "bytes=" + have + "-");
                long[] wrote = {0};
                try {
                    HttpResponse<InputStream> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = r.body()) {
                        int code = r.statusCode();
                        if (code == 416 && have > 0) return; // nothing past what we have: verification decides
                        if (code >= 400 && code < 500 && code != 408 && code != 429) throw new Fatal("HTTP " + code + " from " + url);
                        if (code >= 300) throw new IOException("HTTP " + code + " from " + url);
                        String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
                        if (code == 200 && type.startsWith("text/html")) { // never a checkpoint: Drive's "can't scan for viruses" page
                            String page = new String(body.readNBytes(MAX_PAGE), StandardCharsets.UTF_8);
                            URI next = confirmation(page, r.uri(), cookies);
                            if (next == null) throw new Fatal(url + " answered a web page instead of the file" + title(page));
                            if (++confirmations > MAX_CONFIRMATIONS) throw new Fatal(url + " keeps asking for a download confirmation");
                            url = next;
                            continue;
                        }
                        long start = 0, total = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                        if (code == 206) {
                            long[] range = contentRange(r.headers().firstValue("Content-Range").orElse(""));
                            if (range == null || range[0] != have) throw new Fatal(url + " answered a range other than the one asked for: "
                                    + r.headers().firstValue("Content-Range").orElse("none"));
                            start = have;
                            total = range[1];
                        } else {
                            ch.truncate(0); // a whole file (the server ignored the range, or there was none): start over
                        }
                        if (total < 0) total = expectedBytes;
                        ch.position(start);
                        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                        copy(body, ch, start, total, stage, job, wrote);
                        if (length >= 0 && wrote[0] < length) throw new IOException("the transfer ended after " + wrote[0] + " of " + length + " bytes");
                        return;
                    }
                } catch (Fatal e) {
                    throw e;
                } catch (IOException e) {
                    fruitless = wrote[0] > 0 ? 1 : fruitless + 1; // a transfer that brought bytes starts the count again
                    if (fruitless >= attempts || round >= 100 * attempts) {
                        throw new IOException("download from " + uri + " failed after " + (round + 1) + " tries: " + e.getMessage()
                                + (ch.size() > 0 ? " (" + part.getFileName() + " is kept: run again to resume)" : ""));
                    }
                    long ms = Math.min(30_000, retryDelay.toMillis() << Math.min(10, fruitless - 1));
                    Thread.sleep(ms);
                }
            }
        }
    }

    /** Not worth a retry (a 404, a page that is not the file). */
    private static final class Fatal extends IOException {
        Fatal(String message) {
            super(message);
        }
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inpainterz-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * Copies the body to the channel, counting into {@code wrote[0]}; a body that brings nothing
     * for {@code stallTimeout} is closed, which fails the read.
     */
    private void copy(InputStream body, FileChannel ch, long start, long total, String stage, Job job, long[] wrote) throws IOException {
        AtomicLong last = new AtomicLong(System.nanoTime());
        ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - last.get() > stallTimeout.toNanos()) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader sees the failure
                }
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
        long reported = 0;
        try {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = body.read(buf)) > 0; ) {
                last.set(System.nanoTime());
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) ch.write(b);
                wrote[0] += n;
                if (job != null && wrote[0] - reported >= (1 << 20)) {
                    job.step(stage, start + wrote[0], total);
                    reported = wrote[0];
                }
            }
            if (System.nanoTime() - last.get() > stallTimeout.toNanos()) throw new IOException("no data for " + stallTimeout.toSeconds() + " s");
            if (job != null) job.step(stage, start + wrote[0], Math.max(total, start + wrote[0]));
        } catch (IOException e) {
            if (System.nanoTime() - last.get() > stallTimeout.toNanos()) throw new IOException("no data for " + stallTimeout.toSeconds() + " s", e);
            throw e;
        } finally {
            watch.cancel(false);
            ch.force(false);
        }
    }

    /** "bytes START-END/TOTAL" as {START, TOTAL} (TOTAL -1 for "*"), or null. */
    static long[] contentRange(String header) {
        Matcher m = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)").matcher(header.strip());
        if (!m.matches()) return null;
        return new long[] {Long.parseLong(m.group(1)), m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3))};
    }

    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE),
            INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE),
            ATTRIBUTE = Pattern.compile("([a-zA-Z_-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')"),
            CONFIRM_LINK = Pattern.compile("href\\s*=\\s*\"([^\"]*[?&](?:amp;)?confirm=[^\"]*)\"", Pattern.CASE_INSENSITIVE),
            CONFIRM_TOKEN = Pattern.compile("confirm=([0-9A-Za-z_-]+)"),
            TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    /**
     * Where Google Drive's "can't scan this file for viruses" page leads: the newer page's form
     * (its action with every named input, {@code id}, {@code export}, {@code confirm},
     * {@code uuid}, ...); the older page's link with {@code confirm=TOKEN}; or the older
     * {@code download_warning} cookie's token added to the page's address. Null when the page has
     * none of these (a quota or error page).
     */
    static URI confirmation(String page, URI at, CookieManager cookies) {
        Matcher f = FORM.matcher(page);
        while (f.find()) {
            Map<String, String> form = attributes(f.group(1));
            Map<String, String> inputs = new LinkedHashMap<>();
            Matcher in = INPUT.matcher(f.group(2));
            while (in.find()) {
                Map<String, String> a = attributes(in.group(1));
                if (a.containsKey("name")) inputs.put(a.get("name"), a.getOrDefault("value", ""));
            }
            if (!inputs.containsKey("confirm") && !inputs.containsKey("id")) continue;
            URI action = at.resolve(form.getOrDefault("action", at.getPath()));
            StringBuilder q = new StringBuilder();
            for (Map.Entry<String, String> e : inputs.entrySet()) {
                if (!q.isEmpty()) q.append('&');
                q.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
            return URI.create(action.getScheme() + "://" + action.getRawAuthority() + action.getRawPath() + "?" + q);
        }
        Matcher link = CONFIRM_LINK.matcher(page);
        if (link.find()) return at.resolve(unescape(link.group(1)));
        Matcher token = CONFIRM_TOKEN.matcher(page);
        if (token.find()) return withConfirm(at, token.group(1));
        if (cookies != null) {
            for (HttpCookie c : cookies.getCookieStore().get(at)) {
                if (c.getName().startsWith("download_warning")) return withConfirm(at, c.getValue());
            }
        }
        return null;
    }

    private static URI withConfirm(URI at, String token) {
        String q = at.getRawQuery();
        return URI.create(at.getScheme() + "://" + at.getRawAuthority() + at.getRawPath() + "?" + (q == null ? "" : q + "&") + "confirm="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> a = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag);
        while (m.find()) a.put(m.group(1).toLowerCase(java.util.Locale.ROOT), unescape(m.group(2) != null ? m.group(2) : m.group(3)));
        return a;
    }

    private static String unescape(String s) {
        return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">");
    }

    private static String title(String page) {
        Matcher t = TITLE.matcher(page);
        return t.find() ? " (\"" + t.group(1).strip().replaceAll("\\s+", " ") + "\")" : "";
    }

    /**
     * The checkpoint inside a downloaded zip: the entry named {@code name} (in any folder),
     * written to {@code out}; the archive is removed. A download that is no such zip is taken
     * as the checkpoint itself (a mirror may serve it unzipped), and verification decides.
     */
    static Path extract(Path archive, String name, Path out) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry found = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                if (!z.isDirectory() && (z.getName().equals(name) || z.getName().endsWith("/" + name))) found = z;
            }
            if (found == null) return archive;
            try (InputStream in = zip.getInputStream(found); OutputStream o = Files.newOutputStream(out)) {
                in.transferTo(o);
            }
        } catch (ZipException notAZip) {
            return archive;
        }
        Files.delete(archive);
        return out;
    }
}
