package io.inpainterz.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A model host on 127.0.0.1 (a random port) for the download tests: files with Range support
 * ({@code /files/NAME}), transfers cut midway or stalled once, a server that ignores Range, and
 * Google Drive's confirmation step in its newer form (a page with a form of hidden inputs,
 * {@code /drive/download?id=ID&export=download}) and its older one (a link with
 * {@code confirm=TOKEN} and a {@code download_warning} cookie, {@code /olddrive/...}).
 */
final class ModelServer implements AutoCloseable {
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Drive id to file name. */
    final Map<String, String> drive = new ConcurrentHashMap<>();
    /** Names whose next transfer stops after half the file (the connection is dropped), or stalls there for {@link #stallMillis}. */
    final Set<String> cutOnce = ConcurrentHashMap.newKeySet(), stallOnce = ConcurrentHashMap.newKeySet();
    volatile long stallMillis = 3000;
    volatile boolean ignoreRange;
    /** Every request: path and query, then the Range header ("-" when none). */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private static final String UUID = "5b0f3c1e-uuid", TOKEN = "Xk9_tok";

    ModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath(), query = x.getRequestURI().getRawQuery();
        String range = x.getRequestHeaders().getFirst("Range");
        log.add(path + (query == null ? "" : "?" + query) + " " + (range == null ? "-" : range));
        Map<String, String> q = query(query);
        try {
            if (path.startsWith("/files/") && files.containsKey(path.substring(7))) {
                file(x, path.substring(7), range);
            } else if (path.equals("/drive/download") && drive.containsKey(q.get("id"))) {
                if ("t".equals(q.get("confirm")) && UUID.equals(q.get("uuid"))) file(x, drive.get(q.get("id")), range);
                else html(x, """
                        <!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
                        <p>Google Drive can't scan this file for viruses.</p>
                        <form id="download-form" action="%s/drive/download" method="get">
                        <input type="submit" id="uc-download-link" class="goog-inline-block jfk-button" value="Download anyway"/>
                        <input type="hidden" name="id" value="%s"><input type="hidden" name="export" value="download">
                        <input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="%s"></form></body></html>
                        """.formatted(url(), q.get("id"), UUID), null);
            } else if (path.equals("/olddrive/download") && drive.containsKey(q.get("id"))) {
                String cookie = x.getRequestHeaders().getFirst("Cookie");
                if (TOKEN.equals(q.get("confirm")) && cookie != null && cookie.contains("download_warning_1_" + q.get("id") + "=" + TOKEN)) {
                    file(x, drive.get(q.get("id")), range);
                } else {
                    html(x, "<html><head><title>Google Drive - Virus scan warning</title></head><body><a id=\"uc-download-link\" "
                            + "href=\"/olddrive/download?export=download&amp;confirm=" + TOKEN + "&amp;id=" + q.get("id") + "\">Download anyway</a></body></html>",
                            "download_warning_1_" + q.get("id") + "=" + TOKEN + "; Path=/");
                }
            } else if (path.equals("/quota")) {
                html(x, "<html><head><title>Google Drive - Quota exceeded</title></head><body>Too many users have viewed or downloaded this file recently.</body></html>", null);
            } else {
                x.sendResponseHeaders(404, -1);
            }
        } finally {
            x.close();
        }
    }

    private void file(HttpExchange x, String name, String range) throws IOException {
        byte[] data = files.get(name);
        int start = 0;
        if (range != null && !ignoreRange) {
            start = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            if (start >= data.length) {
                x.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                x.sendResponseHeaders(416, -1);
                return;
            }
            x.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
        }
        x.getResponseHeaders().set("Content-Type", "application/octet-stream");
        x.sendResponseHeaders(start > 0 ? 206 : 200, data.length - start);
        OutputStream o = x.getResponseBody();
        boolean cut = cutOnce.remove(name), stall = !cut && stallOnce.remove(name);
        if (cut || stall) {
            int half = Math.max(start, data.length / 2);
            o.write(data, start, half - start);
            o.flush();
            if (stall) {
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new IOException("cut"); // the server drops the connection with bytes of the fixed length missing
        }
        o.write(data, start, data.length - start);
    }

    private static void html(HttpExchange x, String page, String cookie) throws IOException {
        byte[] b = page.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        if (cookie != null) x.getResponseHeaders().set("Set-Cookie", cookie);
        x.sendResponseHeaders(200, b.length);
        x.getResponseBody().write(b);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
