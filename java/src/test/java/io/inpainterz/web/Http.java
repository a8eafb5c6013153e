package io.inpainterz.web;

import io.inpainterz.util.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test client of the server's API (java.base only, as the module reads nothing more): JSON in
 * and out, multipart uploads, server-sent events, and raw requests with a Host of our choosing.
 */
final class Http {
    final String base;
    String token;
    String cookie;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    record Response(int status, byte[] body, Map<String, String> headers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) Json.parse(text());
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private HttpURLConnection connect(String method, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(5000);
        c.setReadTimeout(60_000);
        if (token != null) c.setRequestProperty("Authorization", "Bearer " + token);
        if (cookie != null) c.setRequestProperty("Cookie", cookie);
        return c;
    }

    private static Response read(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] body = in == null ? new byte[0] : in.readAllBytes();
        Map<String, String> h = new LinkedHashMap<>();
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null && !v.isEmpty()) h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0));
        });
        c.disconnect();
        return new Response(status, body, h);
    }

    private Response send(String method, String path, String contentType, byte[] body) throws IOException {
        HttpURLConnection c = connect(method, path);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", contentType);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream o = c.getOutputStream()) {
                o.write(body);
            }
        }
        return read(c);
    }

    Response get(String path) throws IOException {
        return send("GET", path, null, null);
    }

    Response delete(String path) throws IOException {
        return send("DELETE", path, null, null);
    }

    Response post(String path, Object json) throws IOException {
        return send("POST", path, "application/json", Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    Response put(String path, Object json) throws IOException {
        return send("PUT", path, "application/json", Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    /** POST /api/videos with {@code file} in the field named {@code field}, sent as {@code name}. */
    Response upload(Path file, String name, String field) throws IOException {
        String boundary = "----inpainterz" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(file));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send("POST", "/api/videos", "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    /** Every event of a job until its outcome (the server closes the stream then). */
    List<Map<String, Object>> events(String job) throws IOException {
        HttpURLConnection c = connect("GET", "/api/jobs/" + job + "/events");
        c.setRequestProperty("Accept", "text/event-stream");
        List<Map<String, Object>> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("data: ")) continue;
                @SuppressWarnings("unchecked")
                Map<String, Object> o = (Map<String, Object>) Json.parse(line.substring(6));
                out.add(o);
                if (o.containsKey("event")) break;
            }
        } finally {
            c.disconnect();
        }
        return out;
    }

    /** The status code of a raw HTTP/1.1 request with these header lines (the JDK's clients will not send a Host of our choosing). */
    int raw(String method, String path, String... headers) throws IOException {
        URI u = URI.create(base);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            for (String h : headers) req.append(h).append("\r\n");
            req.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            OutputStream o = s.getOutputStream();
            o.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            o.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII); // "HTTP/1.1 200"
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
