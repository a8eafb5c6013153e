package io.inpainterz.web;

import io.inpainterz.CancelledException;
import io.inpainterz.FileAccessException;
import io.inpainterz.InpainterzException;
import io.inpainterz.InternalErrorException;
import io.inpainterz.DeviceException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.pipeline.Engines;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.pipeline.Prompts;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import io.inpainterz.pipeline.MaskPng;
import io.inpainterz.util.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code inpainterz serve}: the page and its JSON API on an embedded Jetty (Javalin), in this
 * JVM. Routes only translate HTTP into session, interactive and job calls; the stages come from
 * one {@link StageSource}. Every request passes the {@link Guard} first; files are named only
 * under the media folder ({@link MediaRoot}); uploads get names of the server's own.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebServer.class.getName());
    // Jetty's and Javalin's start-up chatter stays out of the terminal; their warnings do not (strong references: JUL keeps weak ones).
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.eclipse.jetty"), Logger.getLogger("io.javalin"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
    }
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, String> PAGE = Map.of("index.html", "text/html; charset=utf-8", "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final ServerConfig config;
    private final StageSource stages;
    private final MediaRoot media;
    private final Path root;
    private final Priority priority = new Priority();
    private final Interactive interactive;
    private final Jobs jobs;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final String token;
    private Javalin app;
    private Guard guard;
    private int port;

    private WebServer(ServerConfig config, StageSource stages) {
        this.config = config;
        this.stages = stages;
        this.media = config.media() == null ? null : new MediaRoot(config.media());
        try {
            InetAddress bound = InetAddress.getByName(config.host());
            this.token = config.token() != null ? config.token() : bound.isLoopbackAddress() ? null : newToken();
            Files.createDirectories(config.temp());
            this.root = Files.createTempDirectory(config.temp(), "inpainterz-serve-");
        } catch (IOException e) {
            throw new FileAccessException("serve: cannot use --host " + config.host() + " / --temp " + config.temp() + ": " + e.getMessage());
        }
        this.interactive = new Interactive(stages, priority);
        this.jobs = new Jobs(config.renderJobs());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "inpainterz-sessions");
            t.setDaemon(true);
            return t;
        });
    }

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Starts the server; {@link #close()} stops it, cancels its jobs and removes every session's files. */
    public static WebServer start(ServerConfig config, StageSource stages) {
        WebServer s = new WebServer(config, stages);
        try {
            s.startHttp();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The URL to open (with the token when one is needed). */
    public String url() {
        String h = config.host();
        if (h.equals("0.0.0.0") || h.equals("::")) h = "localhost";
        else if (h.contains(":")) h = "[" + h + "]";
        return "http://" + h + ":" + port + "/" + (token == null ? "" : "?token=" + token);
    }

    public int port() {
        return port;
    }

    /** The token requests must carry, or null on loopback without --token. */
    public String token() {
        return token;
    }

    Path root() {
        return root;
    }

    private void startHttp() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.multipartConfig.cacheDirectory(root.toString());
            cfg.http.maxRequestSize = 1 << 20; // JSON bodies; uploads are streamed to disk with their own limit
            routes(cfg.routes);
        });
        app.start(config.host(), config.port());
        port = app.port();
        try {
            guard = Guard.forServer(InetAddress.getByName(config.host()), port, token, config.publicUrl(), config.allowHosts());
        } catch (IOException e) {
            throw new FileAccessException("serve: --host " + config.host() + ": " + e.getMessage());
        }
        long every = Math.max(100, Math.min(60_000, config.sessionIdle().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    // --- routes ------------------------------------------------------------------------------

    private void routes(io.javalin.config.RoutesConfig r) {
        r.before(this::guard);
        r.get("/", ctx -> page(ctx, "index.html"));
        r.get("/app.js", ctx -> page(ctx, "app.js"));
        r.get("/app.css", ctx -> page(ctx, "app.css"));

        r.get("/api/info", ctx -> json(ctx, info()));
        r.get("/api/media", ctx -> json(ctx, Map.of("files", media == null ? List.of() : media.list())));
        r.post("/api/videos", this::upload);
        r.post("/api/sessions", this::openMedia);
        r.get("/api/sessions/{sid}", ctx -> json(ctx, describe(session(ctx))));
        r.delete("/api/sessions/{sid}", ctx -> {
            closeSession(session(ctx));
            ctx.status(204);
        });
        r.get("/api/sessions/{sid}/video", this::video);
        r.get("/api/sessions/{sid}/frames/{n}", this::frame);
        r.post("/api/sessions/{sid}/embedding", this::embed);
        r.get("/api/sessions/{sid}/embedding", ctx -> {
            Session s = session(ctx);
            long n = Long.parseLong(required(ctx.queryParam("frame"), "frame"));
            String engine = engine(ctx.queryParam("engine"));
            json(ctx, Map.of("frame", n, "engine", engine, "state", interactive.state(s, engine, n)));
        });
        r.post("/api/sessions/{sid}/objects", ctx -> {
            Session.WebObject o = session(ctx).addObject();
            ctx.status(201);
            json(ctx, describe(o));
        });
        r.delete("/api/sessions/{sid}/objects/{oid}", ctx -> {
            session(ctx).removeObject(intParam(ctx, "oid"));
            ctx.status(204);
        });
        r.put("/api/sessions/{sid}/objects/{oid}/prompts/{n}", this::prompt);
        r.delete("/api/sessions/{sid}/objects/{oid}/prompts/{n}", ctx -> {
            Session s = session(ctx);
            s.setPrompts(intParam(ctx, "oid"), frameParam(ctx, s), null);
            ctx.status(204);
        });
        r.get("/api/sessions/{sid}/masks/{n}", this::masks);
        r.post("/api/sessions/{sid}/track", ctx -> startJob(ctx, "track"));
        r.post("/api/sessions/{sid}/remove", ctx -> startJob(ctx, "remove"));
        r.get("/api/jobs/{jid}", ctx -> json(ctx, job(ctx).describe()));
        r.post("/api/jobs/{jid}/cancel", ctx -> {
            Jobs.WebJob j = job(ctx);
            jobs.cancel(j);
            json(ctx, j.describe());
        });
        r.sse("/api/jobs/{jid}/events", this::events);
        r.get("/api/jobs/{jid}/result", this::result);
        r.get("/api/jobs/{jid}/masks.zip", this::masksZip);

        r.exception(Refused.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        r.exception(Session.NotFound.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        r.exception(CancelledException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        r.exception(InpainterzException.class, (e, ctx) -> {
            boolean ours = e instanceof InternalErrorException || e instanceof DeviceException;
            if (ours) LOG.log(Level.WARNING, ctx.method() + " " + ctx.path(), e);
            error(ctx, ours ? 500 : 400, e.getMessage());
        });
        r.exception(NumberFormatException.class, (e, ctx) -> error(ctx, 400, "not a number: " + e.getMessage()));
        r.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.log(Level.WARNING, ctx.method() + " " + ctx.path(), e);
            error(ctx, 500, "internal error: " + e);
        });
        r.error(404, ctx -> {
            if (ctx.result() == null) error(ctx, 404, "no such page: " + ctx.path());
        });
    }

    /** An HTTP refusal with a status of its own. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void guard(Context ctx) {
        Guard.Refusal no = guard.check(ctx.header("Host"), ctx.header("Origin"), ctx.header("Sec-Fetch-Site"), ctx.path().startsWith("/api/"),
                ctx.header("Authorization"), ctx.cookie(Guard.COOKIE), ctx.path().equals("/") ? ctx.queryParam("token") : null);
        if (no != null) throw new Refused(no.status(), no.message());
        if (token != null && ctx.path().equals("/") && ctx.queryParam("token") != null) {
            // The token moves from the address bar into a cookie the page's requests (and EventSource) carry.
            ctx.header("Set-Cookie", Guard.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
            ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
            ctx.skipRemainingHandlers();
        }
    }

    private static void json(Context ctx, Object o) {
        ctx.contentType("application/json").result(Json.write(o));
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status);
        if (ctx.path().startsWith("/api/")) json(ctx, Map.of("error", message == null ? "error" : message));
        else ctx.contentType("text/plain; charset=utf-8").result(message == null ? "error" : message);
    }

    private void page(Context ctx, String name) throws IOException {
        try (InputStream in = WebServer.class.getResourceAsStream("page/" + name)) {
            if (in == null) throw new Session.NotFound("the page's " + name + " is missing from the jar");
            ctx.contentType(PAGE.get(name)).header("Cache-Control", "no-cache")
                    .header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self'; frame-ancestors 'none'")
                    .header("X-Content-Type-Options", "nosniff")
                    .result(in.readAllBytes());
        }
    }

    private Map<String, Object> info() {
        Map<String, Object> o = new LinkedHashMap<>();
        List<String> engines = stages.engines();
        o.put("engines", engines);
        o.put("engine", engines.get(0));
        Map<String, Object> dil = new LinkedHashMap<>();
        for (String e : engines) dil.put(e, stages.defaultDilate(e));
        o.put("dilate", dil);
        // What each engine means now (auto: by the checkpoints present), and what a render with it would say.
        Map<String, Object> kinds = new LinkedHashMap<>(), notes = new LinkedHashMap<>();
        for (String e : engines) {
            Map<String, Object> k = new LinkedHashMap<>();
            List<String> n = new ArrayList<>();
            for (Engines.Decision d : stages.plan(e)) {
                k.put(d.stage().name(), d.kind().name());
                if (d.fallback()) n.add(fallback(d));
            }
            n.addAll(stages.notices(e));
            if (!k.isEmpty()) kinds.put(e, k);
            notes.put(e, n);
        }
        o.put("stages", kinds);
        o.put("notices", notes);
        o.put("media", media != null);
        o.put("upload_limit", config.uploadLimit());
        o.put("session_idle_s", config.sessionIdle().toSeconds());
        o.put("render_jobs", config.renderJobs());
        return o;
    }

    /** The page's line for a stage auto gave to the classical engine. */
    private static String fallback(Engines.Decision d) {
        return "auto: " + d.reason();
    }

    // --- sessions ------------------------------------------------------------------------------

    private Session session(Context ctx) {
        Session s = sessions.get(ctx.pathParam("sid"));
        if (s == null) throw new Session.NotFound("no session " + ctx.pathParam("sid") + " (it may have expired after "
                + config.sessionIdle().toMinutes() + " min idle)");
        s.touch();
        return s;
    }

    private Jobs.WebJob job(Context ctx) {
        Jobs.WebJob j = jobs.get(ctx.pathParam("jid"));
        j.session.touch();
        return j;
    }

    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Opens a session on {@code input}; on failure its folder goes and the error says what was wrong with the video. */
    private Session open(String id, Path dir, Path input, String name) {
        try {
            Session s = new Session(id, dir, input, name);
            sessions.put(id, s);
            return s;
        } catch (InpainterzException e) {
            Session.deleteTree(dir);
            // The message names the stored file; the user knows it by their own name.
            throw new InvalidInputException("'" + name + "' is not a video this server can read: " + e.getMessage().replace("'" + input + "'", "").replace(input.toString(), name).replaceFirst("^video\\s*:\\s*", ""));
        } catch (RuntimeException e) {
            Session.deleteTree(dir);
            throw e;
        }
    }

    private void upload(Context ctx) throws Exception {
        long length = ctx.req().getContentLengthLong();
        if (length > config.uploadLimit() + (1 << 16)) throw tooLarge();
        String id = newId();
        Path dir = Files.createDirectory(root.resolve(id));
        try {
            ctx.req().setAttribute("org.eclipse.jetty.multipartConfig",
                    new MultipartConfigElement(root.toString(), config.uploadLimit(), config.uploadLimit() + (1 << 16), 1 << 20));
            Part part;
            try {
                part = ctx.req().getContentType() != null && ctx.req().getContentType().startsWith("multipart/") ? ctx.req().getPart("file") : null;
            } catch (IllegalStateException | jakarta.servlet.ServletException | IOException e) {
                StringBuilder all = new StringBuilder();
                for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append(" | ");
                String m = all.toString().toLowerCase(Locale.ROOT);
                if (m.contains("max") || m.contains("exceed") || m.contains("too large") || m.contains("limit")) throw tooLarge();
                throw new InvalidInputException("the upload did not arrive whole (" + all.substring(0, all.length() - 3) + ")");
            }
            if (part == null) throw new InvalidInputException("POST /api/videos takes multipart form data with the video in a field named 'file'");
            String name = displayName(part.getSubmittedFileName());
            // The user's file name is shown, never used as a path: the file is stored under a name of ours.
            Path input = dir.resolve("upload" + extension(name));
            try (InputStream in = part.getInputStream()) {
                Files.copy(in, input);
            } finally {
                part.delete();
            }
            if (Files.size(input) == 0) throw new InvalidInputException("'" + name + "' is empty");
            Session s = open(id, dir, input, name);
            ctx.status(201);
            json(ctx, describe(s));
        } catch (RuntimeException | IOException e) {
            if (!sessions.containsKey(id)) Session.deleteTree(dir);
            throw e;
        }
    }

    private Refused tooLarge() {
        return new Refused(413, "the upload is larger than this server's limit of " + human(config.uploadLimit()) + " (serve --upload-limit)");
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GB";
        if (bytes >= 1L << 20) return Math.round(bytes / (double) (1L << 20)) + " MB";
        return bytes + " bytes";
    }

    /** The submitted file name, for display only: its last path part, control characters out, at most 200 characters. */
    static String displayName(String submitted) {
        if (submitted == null || submitted.isBlank()) return "upload";
        String n = submitted.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "").strip();
        if (n.isEmpty()) n = "upload";
        return n.length() > 200 ? n.substring(0, 200) : n;
    }

    /** A known video extension of {@code name} (FFmpeg probes some formats by it), else none. */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) return "";
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return MediaRoot.VIDEO_EXTENSIONS.contains(ext) ? "." + ext : "";
    }

    private void openMedia(Context ctx) throws IOException {
        if (media == null) throw new Refused(403, "this server has no media folder (serve --media DIR); upload the video instead");
        Object name = body(ctx).get("media");
        if (!(name instanceof String n)) throw new InvalidInputException("POST /api/sessions takes {\"media\": \"name in the media folder\"}");
        Path file = media.resolve(n);
        String id = newId();
        Path dir = Files.createDirectory(root.resolve(id));
        Session s = open(id, dir, file, n);
        ctx.status(201);
        json(ctx, describe(s));
    }

    private static Map<?, ?> body(Context ctx) {
        String b = ctx.body();
        if (b.isBlank()) return Map.of();
        Object o = Json.parse(b);
        if (!(o instanceof Map<?, ?> m)) throw new InvalidInputException("the request body must be a JSON object");
        return m;
    }

    private Map<String, Object> describe(Session s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", s.id);
        o.put("name", s.name);
        o.put("width", s.width());
        o.put("height", s.height());
        o.put("frames", s.info.frameCount());
        o.put("frame_count_exact", s.info.frameCountExact());
        o.put("fps", s.info.fps());
        o.put("duration_s", s.info.durationS());
        o.put("audio_streams", s.info.audioStreams());
        List<Object> objs = new ArrayList<>();
        synchronized (s) { // prompts change under the session's lock
            for (Session.WebObject w : s.objects()) objs.add(describe(w));
        }
        o.put("objects", objs);
        o.put("tracked_frames", s.trackedFrames());
        List<String> js;
        synchronized (s) {
            js = List.copyOf(s.jobs);
        }
        o.put("jobs", js);
        return o;
    }

    private static Map<String, Object> describe(Session.WebObject w) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", w.id);
        o.put("color", w.color());
        List<Object> ps = new ArrayList<>();
        w.prompts.forEach((f, p) -> ps.add(describe(f, w.id, p)));
        o.put("prompts", ps);
        return o;
    }

    private static Map<String, Object> describe(long frame, int object, Session.FramePrompts p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("object", object);
        o.put("frame", frame);
        List<Object> pts = new ArrayList<>();
        for (float[] pt : p.points()) pts.add(List.of(pt[0], pt[1], (int) pt[2]));
        o.put("points", pts);
        o.put("box", p.box() == null ? null : List.of(p.box()[0], p.box()[1], p.box()[2], p.box()[3]));
        o.put("area", p.area());
        o.put("bbox", p.bbox() == null ? null : List.of(p.bbox()[0], p.bbox()[1], p.bbox()[2], p.bbox()[3]));
        return o;
    }

    private void closeSession(Session s) {
        if (sessions.remove(s.id) == null) return;
        jobs.forget(s);
        interactive.close(s);
        s.close();
        Session.deleteTree(s.dir);
    }

    /** Closes sessions idle longer than the limit (none with a job queued or running), removing their files. */
    void sweep() {
        long now = System.nanoTime(), limit = config.sessionIdle().toNanos();
        for (Session s : List.copyOf(sessions.values())) {
            if (s.idleNanos(now) > limit && !jobs.hasActive(s)) {
                LOG.fine("session " + s.id + " expired");
                closeSession(s);
            }
        }
    }

    int sessionCount() {
        return sessions.size();
    }

    // --- frames, prompts, masks ------------------------------------------------------------------

    private static long frameNumber(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceFirst("\\.(jpe?g|png)$", "");
        return Long.parseLong(t);
    }

    private static long frameParam(Context ctx, Session s) {
        long n = frameNumber(ctx.pathParam("n"));
        if (n < 0 || (s.info.frameCountExact() && n >= s.info.frameCount())) {
            throw new InvalidInputException("frame " + n + " is outside the video (0.." + (s.info.frameCount() - 1) + ")");
        }
        return n;
    }

    private static int intParam(Context ctx, String name) {
        return Integer.parseInt(ctx.pathParam(name));
    }

    private static String required(String v, String name) {
        if (v == null) throw new InvalidInputException("missing parameter '" + name + "'");
        return v;
    }

    private String engine(Object given) {
        List<String> es = stages.engines();
        if (given == null) return es.get(0);
        if (!(given instanceof String e) || !es.contains(e)) throw new InvalidInputException("unknown engine '" + given + "'; this server offers " + es);
        return e;
    }

    private void frame(Context ctx) {
        Session s = session(ctx);
        long n = frameParam(ctx, s);
        String raw = ctx.pathParam("n").toLowerCase(Locale.ROOT);
        boolean png = raw.endsWith(".png") || "png".equals(ctx.queryParam("format"));
        Session.Decoded d = s.decode(n);
        ctx.header("X-Frame-Pts-Us", String.valueOf(d.ptsMicros())).header("Cache-Control", "private, max-age=3600")
                .contentType(png ? "image/png" : "image/jpeg").result(Images.encodeRgb(d.rgb(), s.width(), s.height(), png));
    }

    private void embed(Context ctx) {
        Session s = session(ctx);
        Map<?, ?> b = body(ctx);
        if (!(b.get("frame") instanceof Long n)) throw new InvalidInputException("POST embedding takes {\"frame\": N, \"engine\": \"...\"}");
        if (n < 0 || (s.info.frameCountExact() && n >= s.info.frameCount())) throw new InvalidInputException("frame " + n + " is outside the video");
        String engine = engine(b.get("engine"));
        interactive.embed(s, engine, n, true);
        ctx.status(202);
        json(ctx, Map.of("frame", n, "engine", engine, "state", interactive.state(s, engine, n)));
    }

    private void prompt(Context ctx) {
        Session s = session(ctx);
        int oid = intParam(ctx, "oid");
        long n = frameParam(ctx, s);
        s.object(oid);
        Map<?, ?> b = body(ctx);
        String engine = engine(b.get("engine"));
        List<float[]> points = new ArrayList<>();
        if (b.get("points") instanceof List<?> l) {
            for (Object p : l) {
                if (!(p instanceof List<?> xy) || xy.size() != 3 || !(xy.get(0) instanceof Number x) || !(xy.get(1) instanceof Number y)
                        || !(xy.get(2) instanceof Number lab) || (lab.intValue() != 0 && lab.intValue() != 1)) {
                    throw new InvalidInputException("\"points\" is a list of [x, y, 1 (object) | 0 (background)]");
                }
                points.add(new float[] {x.floatValue(), y.floatValue(), lab.intValue()});
            }
        } else if (b.get("points") != null) {
            throw new InvalidInputException("\"points\" is a list of [x, y, 1 (object) | 0 (background)]");
        }
        float[] box = null;
        if (b.get("box") instanceof List<?> l) {
            if (l.size() != 4 || !l.stream().allMatch(v -> v instanceof Number)) throw new InvalidInputException("\"box\" is [x0, y0, x1, y1]");
            box = new float[4];
            for (int i = 0; i < 4; i++) box[i] = ((Number) l.get(i)).floatValue();
            if (box[0] > box[2]) { float t = box[0]; box[0] = box[2]; box[2] = t; }
            if (box[1] > box[3]) { float t = box[1]; box[1] = box[3]; box[3] = t; }
        } else if (b.get("box") != null) {
            throw new InvalidInputException("\"box\" is [x0, y0, x1, y1]");
        }
        int w = s.width(), h = s.height();
        for (float[] p : points) inside(p[0], p[1], w, h);
        if (box != null) {
            inside(box[0], box[1], w, h);
            inside(box[2], box[3], w, h);
        }
        if (points.isEmpty() && box == null) {
            s.setPrompts(oid, n, null);
            ctx.status(204);
            return;
        }
        float[] xy = new float[2 * points.size()];
        int[] labels = new int[points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[2 * i] = points.get(i)[0];
            xy[2 * i + 1] = points.get(i)[1];
            labels[i] = (int) points.get(i)[2];
        }
        byte[] mask = interactive.segment(s, engine, n, new Segmenter.FramePrompt(xy, labels, box));
        long area = 0;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask[y * w + x] == 0) continue;
                mask[y * w + x] = (byte) 255;
                area++;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x);
                y1 = Math.max(y1, y);
            }
        }
        Session.FramePrompts fp = new Session.FramePrompts(points, box, Images.pack(mask), area, area == 0 ? null : new int[] {x0, y0, x1 + 1, y1 + 1});
        s.setPrompts(oid, n, fp);
        json(ctx, describe(n, oid, fp));
    }

    private static void inside(float x, float y, int w, int h) {
        if (!(x >= 0 && x <= w && y >= 0 && y <= h)) throw new InvalidInputException("point " + x + "," + y + " lies outside the " + w + "x" + h + " frame");
    }

    private void masks(Context ctx) {
        Session s = session(ctx);
        long n = frameParam(ctx, s);
        byte[] map = s.trackedMap(n);
        String source = "tracked";
        if (map == null) {
            map = s.promptMap(n);
            source = "prompts";
        }
        if (map == null) {
            map = new byte[s.width() * s.height()];
            source = "none";
        }
        ctx.header("X-Mask-Source", source).header("Cache-Control", "no-store").contentType("image/png")
                .result(Images.encodeGray(map, s.width(), s.height()));
    }

    private void video(Context ctx) throws IOException {
        Session s = session(ctx);
        String type = switch (extension(s.input.getFileName().toString())) {
            case ".webm" -> "video/webm";
            case ".mkv" -> "video/x-matroska";
            case ".mov" -> "video/quicktime";
            default -> "video/mp4";
        };
        ctx.writeSeekableStream(Files.newInputStream(s.input), type, Files.size(s.input));
    }

    // --- jobs ---------------------------------------------------------------------------------

    private void startJob(Context ctx, String kind) throws IOException {
        Session s = session(ctx);
        Map<?, ?> b = body(ctx);
        String engine = engine(b.get("engine"));
        int dilate = stages.defaultDilate(engine);
        if (b.get("dilate") != null) {
            if (!(b.get("dilate") instanceof Long d) || d < 0 || d > 100) throw new InvalidInputException("\"dilate\" is an integer 0..100");
            dilate = d.intValue();
        }
        boolean render = kind.equals("remove");
        // Before anything is written: a neural stage without its checkpoint is refused here.
        var tracker = priority.tracker(stages.tracker(engine));
        var inpainter = render ? priority.inpainter(stages.inpainter(engine)) : null;
        List<String> notices = new ArrayList<>();
        Map<String, Object> used = new LinkedHashMap<>();
        for (Engines.Decision d : stages.plan(engine)) {
            // Jobs take mask prompts (no segmenter); a track job does not inpaint.
            if (d.stage() == Engines.Stage.segmenter || (!render && d.stage() == Engines.Stage.inpainter)) continue;
            used.put(d.stage().name(), d.kind().name());
            if (d.fallback()) notices.add(fallback(d));
        }
        if (render) notices.addAll(stages.notices(engine));
        long version = s.version();
        List<Session.WebObject> objs = s.objects();
        Path dir = Files.createDirectories(s.dir.resolve("job-" + newId().substring(0, 12)));
        Path promptDir = Files.createDirectories(dir.resolve("prompts"));
        // What the user saw is what is tracked: each object's prompt masks go in as mask prompts.
        List<List<Prompt>> list = new ArrayList<>();
        int[] toObject = new int[256];
        int w = s.width(), h = s.height();
        for (Session.WebObject o : objs) {
            List<Prompt> ps = new ArrayList<>();
            Map<Long, Session.FramePrompts> copy;
            synchronized (s) {
                copy = new java.util.TreeMap<>(o.prompts);
            }
            for (Map.Entry<Long, Session.FramePrompts> e : copy.entrySet()) {
                if (e.getValue().area() == 0) continue;
                Path f = promptDir.resolve("object" + o.id + "_frame" + e.getKey() + ".png");
                MaskPng.write(Images.unpack(e.getValue().packedMask(), w * h), w, h, f);
                ps.add(new Prompt.MaskFile(e.getKey(), f));
            }
            if (ps.isEmpty()) continue;
            list.add(ps);
            toObject[list.size()] = o.id;
        }
        if (list.isEmpty()) {
            Session.deleteTree(dir);
            throw new InvalidInputException("no object has a mask yet: add an object and click on it (or drag a box) first");
        }
        Prompts prompts = new Prompts(list);
        Path masksOut = dir.resolve("masks");
        Path output = kind.equals("remove") ? dir.resolve("removed.mp4") : null;
        RemovePipeline.Options opts = RemovePipeline.Options.defaults().withDilate(dilate).withTemp(dir).withMasksOut(masksOut);
        RemovePipeline.StageFactory<Segmenter> noSegmenter = job -> {
            throw new IllegalStateException("mask prompts need no segmenter");
        };
        String finalEngine = engine;
        int finalDilate = dilate;
        s.resetTracked(version);
        Jobs.WebJob j = jobs.submit(kind, s, dir, "segment", (job, notice) -> {
            for (String warn : RemovePipeline.warnings(s.info)) notice.accept(warn);
            notices.forEach(notice);
            RemovePipeline p = output != null ? RemovePipeline.remove(s.input, output, prompts, opts, noSegmenter, tracker, inpainter)
                    : RemovePipeline.track(s.input, prompts, opts, noSegmenter, tracker);
            byte[] remapped = new byte[w * h];
            p.onLabels((t, map) -> {
                for (int i = 0; i < map.length; i++) remapped[i] = (byte) toObject[map[i] & 0xff];
                s.putTracked(version, t, remapped);
            });
            RemovePipeline.Result r = p.run(job);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("engine", finalEngine);
            if (!used.isEmpty()) report.put("stages", used);
            if (output != null) report.put("dilate", finalDilate);
            report.put("frames", r.frames());
            report.put("tracked_frames", r.trackedFrames());
            report.put("backward_frames", r.backwardFrames());
            report.put("objects", r.objects());
            if (r.workingSize() != null) report.put("working_size", r.workingSize().toString());
            report.put("masks_written", r.masksWritten());
            report.put("seconds", r.seconds());
            if (r.truncation() != null) report.put("input_truncated", r.truncation());
            return report;
        });
        ctx.status(202);
        json(ctx, j.describe());
    }

    private void events(SseClient client) {
        Jobs.WebJob j;
        try {
            j = jobs.get(client.ctx().pathParam("jid"));
        } catch (Session.NotFound e) {
            client.sendEvent("message", Json.write(Map.of("stage", "job", "event", "failed", "message", e.getMessage())));
            client.close();
            return;
        }
        client.keepAlive();
        Consumer<String> send = line -> {
            if (client.terminated()) throw new IllegalStateException("client gone");
            client.sendEvent("message", line);
        };
        client.onClose(() -> j.unsubscribe(send));
        if (j.subscribe(send)) client.close();
        else j.onEnd(client::close);
    }

    private void result(Context ctx) throws IOException {
        Jobs.WebJob j = job(ctx);
        Path out = j.dir.resolve("removed.mp4");
        if (!j.kind.equals("remove") || j.state() != Jobs.State.done || !Files.isRegularFile(out)) {
            throw new Session.NotFound("job " + j.id + " has no result" + (j.active() ? " yet" : ""));
        }
        String stem = j.session.name.replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        ctx.header("Content-Disposition", "attachment; filename=\"" + stem + "-removed.mp4\"");
        ctx.writeSeekableStream(Files.newInputStream(out), "video/mp4", Files.size(out));
    }

    private void masksZip(Context ctx) throws IOException {
        Jobs.WebJob j = job(ctx);
        Path dir = j.dir.resolve("masks");
        if (j.state() != Jobs.State.done || !Files.isDirectory(dir)) throw new Session.NotFound("job " + j.id + " has no masks" + (j.active() ? " yet" : ""));
        ctx.header("Content-Disposition", "attachment; filename=\"masks.zip\"").contentType("application/zip");
        OutputStream raw = ctx.outputStream();
        try (ZipOutputStream zip = new ZipOutputStream(raw); Stream<Path> files = Files.list(dir)) {
            zip.setLevel(1);
            for (Path f : files.sorted().toList()) {
                zip.putNextEntry(new ZipEntry("masks/" + f.getFileName()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    @Override
    public void close() {
        if (app != null) app.stop();
        sweeper.shutdownNow();
        jobs.close();
        for (Session s : List.copyOf(sessions.values())) closeSession(s);
        interactive.close();
        Session.deleteTree(root);
    }
}
