package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Ffmpeg;
import io.inpainterz.util.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over HTTP with stand-in stages ({@link TestStages}): the API end to end, and every limit and safety check. */
class WebServerTest {
    static final int W = 160, H = 96, FRAMES = 12;
    static final Clips.Box START = new Clips.Box(20, 30, 30, 24);

    @TempDir
    static Path clips;
    static Path clip;

    @TempDir
    Path tmp;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(clips, "clip.mp4", W, H, FRAMES, START, 4);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    WebServer start(ServerConfig config, StageSource stages) {
        WebServer s = WebServer.start(config.withPort(0).withTemp(tmp.resolve("serve")), stages);
        open.add(s);
        return s;
    }

    WebServer start(TestStages stages) {
        return start(ServerConfig.defaults(), stages);
    }

    static String openClip(Http http) throws Exception {
        Http.Response r = http.upload(clip, "my clip.mp4", "file");
        assertEquals(201, r.status(), r.text());
        Map<String, Object> s = r.json();
        assertEquals("my clip.mp4", s.get("name"));
        assertEquals((long) W, s.get("width"));
        assertEquals((long) FRAMES, s.get("frames"));
        assertEquals(1L, s.get("audio_streams"));
        return (String) s.get("id");
    }

    static byte[] gray(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        byte[] out = new byte[img.getWidth() * img.getHeight()];
        img.getRaster().getDataElements(0, 0, img.getWidth(), img.getHeight(), out);
        return out;
    }

    @Test
    void promptsTrackRemoveAndDownloads() throws Exception {
        TestStages stages = new TestStages();
        WebServer server = start(stages);
        Http http = new Http(server.port());
        assertEquals(List.of("fake", "other"), http.get("/api/info").json().get("engines"));
        String sid = openClip(http);
        String s = "/api/sessions/" + sid;

        Http.Response frame = http.get(s + "/frames/5.png");
        assertEquals(200, frame.status());
        assertEquals("image/png", frame.header("Content-Type"));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(frame.body()));
        assertEquals(W, img.getWidth());
        int rgb = img.getRGB(START.x() + 20 + 10, START.y() + 10); // the box has moved 4 px a frame: magenta
        assertTrue(((rgb >> 16) & 255) > 200 && ((rgb >> 8) & 255) < 60 && (rgb & 255) > 200, Integer.toHexString(rgb));
        assertEquals("image/jpeg", http.get(s + "/frames/5.jpg").header("Content-Type"));
        assertEquals(400, http.get(s + "/frames/12.jpg").status());

        assertEquals(1L, http.post(s + "/objects", Map.of()).json().get("id"));
        assertEquals(2L, http.post(s + "/objects", Map.of()).json().get("id"));
        Http.Response p = http.put(s + "/objects/1/prompts/0", Map.of("engine", "fake", "box", List.of(20, 30, 50, 54)));
        assertEquals(200, p.status(), p.text());
        assertEquals((long) 30 * 24, p.json().get("area"));
        assertEquals(List.of(20L, 30L, 50L, 54L), p.json().get("bbox"));
        assertEquals(1, stages.prepared.get());
        // A second prompt on the same frame reuses its embedding.
        http.put(s + "/objects/2/prompts/0", Map.of("engine", "fake", "points", List.of(List.of(120, 50, 1))));
        assertEquals(1, stages.prepared.get());
        Http.Response m = http.get(s + "/masks/0.png");
        assertEquals("prompts", m.header("X-Mask-Source"));
        byte[] map = gray(m.body());
        assertEquals(30 * 24, count(map, 1));
        assertEquals(20 * 20, count(map, 2));
        assertEquals(1, map[40 * W + 30]);
        assertEquals("none", http.get(s + "/masks/3.png").header("X-Mask-Source"));
        assertEquals(204, http.delete(s + "/objects/2").status());

        Map<String, Object> job = http.post(s + "/track", Map.of("engine", "fake")).json();
        String jid = (String) job.get("id");
        List<Map<String, Object>> events = http.events(jid);
        Map<String, Object> last = events.get(events.size() - 1);
        assertEquals("done", last.get("event"), events.toString());
        assertTrue(events.stream().anyMatch(e -> "track".equals(e.get("stage")) && Long.valueOf(FRAMES).equals(e.get("done"))), events.toString());
        // Every progress object has the CLI's fields.
        for (Map<String, Object> e : events) {
            if (!e.containsKey("event") && !e.containsKey("notice")) assertEquals(List.of("stage", "done", "total", "fps", "eta_s"), List.copyOf(e.keySet()));
        }
        Http.Response t = http.get(s + "/masks/7.png");
        assertEquals("tracked", t.header("X-Mask-Source"));
        assertEquals(30 * 24, count(gray(t.body()), 1), "the copy tracker carries frame 0's box");
        assertEquals((long) FRAMES, http.get(s).json().get("tracked_frames"));

        job = http.post(s + "/remove", Map.of("engine", "fake", "dilate", 1)).json();
        jid = (String) job.get("id");
        events = http.events(jid);
        assertEquals("test stages: no models", events.get(0).get("notice"));
        assertEquals("done", events.get(events.size() - 1).get("event"), events.toString());
        Map<String, Object> done = http.get("/api/jobs/" + jid).json();
        assertEquals("done", done.get("state"));
        assertEquals(1L, ((Map<?, ?>) done.get("result")).get("dilate"));
        Http.Response video = http.get("/api/jobs/" + jid + "/result");
        assertEquals(200, video.status());
        assertTrue(video.header("Content-Disposition").contains("my_clip-removed.mp4"), video.header("Content-Disposition"));
        Path out = Files.write(tmp.resolve("out.mp4"), video.body());
        assertEquals(W + "x" + H, Clips.size(out));
        assertEquals(FRAMES, Clips.packets(out, "v:0"));
        assertTrue(Clips.packets(out, "a:0") > 0, "audio kept");
        Http.Response zip = http.get("/api/jobs/" + jid + "/masks.zip");
        int entries = 0;
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            while (z.getNextEntry() != null) entries++;
        }
        assertEquals(FRAMES, entries);
        assertEquals(404, http.get("/api/jobs/nope").status());
    }

    /**
     * The real stages decide as {@code remove --engine} does: auto takes neural where the
     * checkpoint is a file (here only DeAOT, the parity fixtures' DeAOT-T), classical elsewhere,
     * and says so; neural without a checkpoint is refused before a job exists; classical needs
     * no weights (GrabCut from a box, optical-flow tracking).
     */
    @Test
    void realStagesChooseTheEngineAsRemoveDoes() throws Exception {
        Path sam = tmp.resolve("ckpt/sam_vit_b_01ec64.pth"), e2fgvi = tmp.resolve("ckpt/E2FGVI-CVPR22.pth");
        Path deaot = io.inpainterz.testing.Fixtures.file("deaot/deaott/weights.pth");
        EngineStages stages = new EngineStages(new EngineStages.Neural(sam, deaot, e2fgvi, io.inpainterz.engine.Sam.Options.defaults(),
                io.inpainterz.engine.Tracker.Options.defaults(), io.inpainterz.engine.Inpainter.Options.defaults()));
        open.add(stages);
        WebServer server = start(ServerConfig.defaults(), stages);
        Http http = new Http(server.port());
        Map<String, Object> info = http.get("/api/info").json();
        assertEquals(List.of("auto", "neural", "classical"), info.get("engines"));
        assertEquals("auto", info.get("engine"));
        assertEquals(Map.of("segmenter", "classical", "tracker", "neural", "inpainter", "classical"), Json.at(info, "stages", "auto"));
        assertEquals(Map.of("segmenter", "neural", "tracker", "neural", "inpainter", "neural"), Json.at(info, "stages", "neural"));
        assertEquals(Map.of("segmenter", "classical", "tracker", "classical", "inpainter", "classical"), Json.at(info, "stages", "classical"));
        String noSam = "auto: no SAM weights at " + sam + ": segmenting with GrabCut (weight-free)";
        String noE2fgvi = "auto: no E2FGVI weights at " + e2fgvi + ": inpainting with flow-guided propagation (weight-free)";
        assertEquals(List.of(noSam, noE2fgvi), Json.at(info, "notices", "auto"));
        assertEquals(List.of("E2FGVI's weights (E2FGVI-CVPR22.pth) are licensed CC BY-NC 4.0: non-commercial use only"), Json.at(info, "notices", "neural"));
        assertEquals(List.of(), Json.at(info, "notices", "classical"));

        String sid = openClip(http);
        String s = "/api/sessions/" + sid;
        http.post(s + "/objects", Map.of());
        // Neural with no SAM weights: refused with the file and the way out, and nothing is segmented.
        Http.Response refused = http.put(s + "/objects/1/prompts/0", Map.of("engine", "neural", "box", List.of(14, 24, 56, 60)));
        assertEquals(400, refused.status(), refused.text());
        assertTrue(refused.text().contains("the SAM checkpoint " + sam + " is missing") && refused.text().contains("--sam FILE"), refused.text());
        // GrabCut from a box a little larger than the object: the object, not the box.
        Http.Response p = http.put(s + "/objects/1/prompts/0", Map.of("engine", "auto", "box", List.of(14, 24, 56, 60)));
        assertEquals(200, p.status(), p.text());
        byte[] map = gray(http.get(s + "/masks/0.png").body());
        long inside = 0;
        for (int y = START.y(); y < START.y() + START.h(); y++) for (int x = START.x(); x < START.x() + START.w(); x++) if (map[y * W + x] == 1) inside++;
        long area = (Long) p.json().get("area");
        assertTrue(inside > 0.9 * START.w() * START.h() && area < 1.2 * START.w() * START.h(), "GrabCut's mask: " + inside + " inside, " + area + " in all");

        // Neural without E2FGVI: a render is refused before a job exists.
        Http.Response noJob = http.post(s + "/remove", Map.of("engine", "neural"));
        assertEquals(400, noJob.status(), noJob.text());
        assertTrue(noJob.text().contains("the E2FGVI checkpoint " + e2fgvi + " is missing"), noJob.text());
        assertEquals(List.of(), http.get(s).json().get("jobs"));

        // Classical tracking follows the box (4 px a frame) with no notice; auto renders with DeAOT and says why the fill is classical.
        String jid = (String) http.post(s + "/track", Map.of("engine", "classical")).json().get("id");
        List<Map<String, Object>> events = http.events(jid);
        assertEquals("done", events.getLast().get("event"), events.toString());
        assertTrue(events.stream().noneMatch(e -> e.containsKey("notice")), events.toString());
        assertEquals(Map.of("tracker", "classical"), Json.at(http.get("/api/jobs/" + jid).json(), "result", "stages"));
        byte[] last = gray(http.get(s + "/masks/" + (FRAMES - 1) + ".png").body());
        Clips.Box moved = Clips.movingBox(START, 4, FRAMES - 1);
        long on = 0;
        for (int y = moved.y(); y < moved.y() + moved.h(); y++) for (int x = moved.x(); x < moved.x() + moved.w(); x++) if (last[y * W + x] == 1) on++;
        assertTrue(on > 0.8 * moved.w() * moved.h(), "the tracked mask is on the moved box: " + on);

        jid = (String) http.post(s + "/remove", Map.of("engine", "auto")).json().get("id");
        events = http.events(jid);
        assertEquals("done", events.getLast().get("event"), events.toString());
        assertEquals(List.of(noE2fgvi), events.stream().filter(e -> e.containsKey("notice")).map(e -> e.get("notice")).toList());
        assertEquals(Map.of("tracker", "neural", "inpainter", "classical"), Json.at(http.get("/api/jobs/" + jid).json(), "result", "stages"));
    }

    static long count(byte[] map, int id) {
        long n = 0;
        for (byte b : map) if ((b & 0xff) == id) n++;
        return n;
    }

    @Test
    void dnsRebindingAndCrossSiteRequestsAreRefusedOnLoopback() throws Exception {
        WebServer server = start(new TestStages());
        Http http = new Http(server.port());
        int port = server.port();
        assertEquals(200, http.raw("GET", "/api/info", "Host: 127.0.0.1:" + port));
        assertEquals(200, http.raw("GET", "/", "Host: localhost:" + port));
        assertEquals(421, http.raw("GET", "/api/info", "Host: attacker.example:" + port));
        assertEquals(421, http.raw("GET", "/", "Host: attacker.example:" + port));
        assertEquals(403, http.raw("POST", "/api/sessions", "Host: 127.0.0.1:" + port, "Origin: http://attacker.example"));
        assertEquals(403, http.raw("GET", "/api/media", "Host: 127.0.0.1:" + port, "Sec-Fetch-Site: cross-site"));
        assertEquals(404, http.raw("GET", "/api/sessions/none", "Host: 127.0.0.1:" + port, "Origin: http://127.0.0.1:" + port));
    }

    @Test
    void aNonLoopbackAddressNeedsTheToken() throws Exception {
        WebServer server = start(ServerConfig.defaults().withHost("0.0.0.0"), new TestStages());
        assertNotNull(server.token());
        assertTrue(server.url().endsWith("/?token=" + server.token()), server.url());
        Http http = new Http(server.port());
        Http.Response refused = http.get("/api/info");
        assertEquals(401, refused.status());
        assertTrue(refused.text().contains("token"), refused.text());
        assertEquals(401, http.get("/").status());
        http.token = "wrong";
        assertEquals(401, http.get("/api/info").status());
        http.token = server.token();
        assertEquals(200, http.get("/api/info").status());
        // The page's link: the token becomes a cookie and leaves the address bar.
        http.token = null;
        Http.Response r = http.get("/?token=" + server.token());
        assertEquals(303, r.status());
        String cookie = r.header("Set-Cookie");
        assertTrue(cookie.startsWith(Guard.COOKIE + "=" + server.token() + ";") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        http.cookie = Guard.COOKIE + "=" + server.token();
        assertEquals(200, http.get("/api/info").status());
        WebServer loop = start(ServerConfig.defaults(), new TestStages());
        assertNull(loop.token(), "loopback needs no token unless --token is given");
    }

    @Test
    void mediaFolderIsTheOnlyOneReachable() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Files.copy(clip, media.resolve("clip.mp4"));
        Path outside = Files.copy(clip, tmp.resolve("outside.mp4"));
        Files.createSymbolicLink(media.resolve("escape.mp4"), outside);
        WebServer server = start(ServerConfig.defaults().withMedia(media), new TestStages());
        Http http = new Http(server.port());
        assertEquals(List.of("clip.mp4"), http.get("/api/media").json().get("files"));
        assertEquals(201, http.post("/api/sessions", Map.of("media", "clip.mp4")).status());
        for (String bad : List.of("../outside.mp4", outside.toString(), "escape.mp4", "./../outside.mp4")) {
            Http.Response r = http.post("/api/sessions", Map.of("media", bad));
            assertEquals(400, r.status(), bad);
            assertEquals("no video '" + bad + "' in the media folder", r.json().get("error"));
        }
        // An upload's name is never a path: it is stored under a name of the server's.
        Http.Response up = http.upload(clip, "../../evil/../x.mp4", "file");
        assertEquals(201, up.status());
        assertEquals("x.mp4", up.json().get("name"));
        try (var files = Files.walk(tmp)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().equals("x.mp4")));
        }
    }

    @Test
    void badUploadsGetAClearMessageAndTheServerStaysUp() throws Exception {
        WebServer server = start(ServerConfig.defaults().withUploadLimit(20_000), new TestStages());
        Http http = new Http(server.port());
        Path text = Files.writeString(tmp.resolve("notes.mp4"), "not a video at all\n".repeat(50));
        Http.Response r = http.upload(text, "notes.mp4", "file");
        assertEquals(400, r.status());
        String m = (String) r.json().get("error");
        assertTrue(m.startsWith("'notes.mp4' is not a video this server can read"), m);
        assertFalse(m.contains(server.root().toString()), "the message does not show the server's folders: " + m);
        byte[] whole = Files.readAllBytes(clip);
        Path truncated = Files.write(tmp.resolve("cut.mp4"), java.util.Arrays.copyOf(whole, 8_000));
        r = http.upload(truncated, "cut.mp4", "file");
        assertEquals(400, r.status(), r.text());
        assertTrue(((String) r.json().get("error")).startsWith("'cut.mp4' is not a video"), r.text());
        assertEquals(400, http.upload(clip, "clip.mp4", "video").status(), "the field must be named file");
        Path big = Files.write(tmp.resolve("big.mp4"), new byte[30_000]);
        r = http.upload(big, "big.mp4", "file");
        assertEquals(413, r.status(), r.text());
        assertTrue(((String) r.json().get("error")).contains("limit"), r.text());
        Path huge = Files.write(tmp.resolve("huge.mp4"), new byte[200_000]); // refused by its Content-Length, before it is read
        assertEquals(413, http.upload(huge, "huge.mp4", "file").status());
        assertEquals(200, http.get("/api/info").status());
        assertEquals(0, server.sessionCount());
        try (var files = Files.list(server.root())) {
            assertEquals(List.of(), files.filter(Files::isDirectory).toList(), "no session folder is left behind");
        }
    }

    @Test
    void idleSessionsExpireWithTheirFiles() throws Exception {
        WebServer server = start(ServerConfig.defaults().withSessionIdle(Duration.ofMillis(400)), new TestStages());
        Http http = new Http(server.port());
        String sid = openClip(http);
        Path dir = server.root().resolve(sid);
        assertTrue(Files.isDirectory(dir));
        for (int i = 0; i < 5; i++) { // in use: stays
            Thread.sleep(150);
            assertEquals(200, http.get("/api/sessions/" + sid).status());
        }
        long until = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(dir) && System.nanoTime() < until) Thread.sleep(50);
        assertFalse(Files.exists(dir), "the expired session's files are removed");
        Http.Response gone = http.get("/api/sessions/" + sid);
        assertEquals(404, gone.status());
        assertTrue(((String) gone.json().get("error")).contains("expired"), gone.text());
    }

    @Test
    void oneRenderAtATimeTheOthersQueued() throws Exception {
        TestStages stages = new TestStages();
        stages.tracker.sleepMs = 40;
        WebServer server = start(stages);
        Http http = new Http(server.port());
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String s = "/api/sessions/" + openClip(http);
            http.post(s + "/objects", Map.of());
            http.put(s + "/objects/1/prompts/0", Map.of("engine", "fake", "box", List.of(20, 30, 50, 54)));
            jobs.add((String) http.post(s + "/track", Map.of("engine", "fake")).json().get("id"));
        }
        assertEquals("queued", http.get("/api/jobs/" + jobs.get(2)).json().get("state"));
        List<Map<String, Object>> third = http.events(jobs.get(2));
        assertTrue(third.stream().anyMatch(e -> String.valueOf(e.get("notice")).startsWith("queued: 2 jobs ahead")), third.toString());
        assertEquals("done", third.get(third.size() - 1).get("event"));
        for (String j : jobs) assertEquals("done", http.get("/api/jobs/" + j).json().get("state"));
        assertEquals(1, stages.maxRunningTrackers.get(), "render jobs never overlap");
        // A queued job cancels at once.
        stages.tracker.sleepMs = 200;
        String s = "/api/sessions/" + openClip(http);
        http.post(s + "/objects", Map.of());
        http.put(s + "/objects/1/prompts/0", Map.of("engine", "fake", "box", List.of(20, 30, 50, 54)));
        String running = (String) http.post(s + "/track", Map.of("engine", "fake")).json().get("id");
        String waiting = (String) http.post(s + "/track", Map.of("engine", "fake")).json().get("id");
        assertEquals("cancelled", http.post("/api/jobs/" + waiting + "/cancel", Map.of()).json().get("state"));
        http.post("/api/jobs/" + running + "/cancel", Map.of());
        List<Map<String, Object>> ev = http.events(running);
        assertEquals("cancelled", ev.get(ev.size() - 1).get("event"), ev.toString());
    }

    @Test
    void interactiveRequestsGoBeforeARunningRender() throws Exception {
        TestStages stages = new TestStages();
        stages.tracker.sleepMs = 30;
        WebServer server = start(stages);
        Http http = new Http(server.port());
        String s = "/api/sessions/" + openClip(http);
        http.post(s + "/objects", Map.of());
        http.put(s + "/objects/1/prompts/0", Map.of("engine", "fake", "box", List.of(20, 30, 50, 54)));
        stages.prepareMs = 600;
        String jid = (String) http.post(s + "/track", Map.of("engine", "fake")).json().get("id");
        long until = System.nanoTime() + 5_000_000_000L;
        while (stages.log.stream().noneMatch(l -> l.startsWith("track@")) && System.nanoTime() < until) Thread.sleep(10);
        Http.Response p = http.put(s + "/objects/1/prompts/6", Map.of("engine", "fake", "box", List.of(40, 30, 70, 54)));
        assertEquals(200, p.status(), p.text());
        assertEquals("done", http.events(jid).getLast().get("event"));
        long start, end;
        List<String> lines = List.copyOf(stages.log);
        List<Long> prepareStarts = new ArrayList<>(), prepareEnds = new ArrayList<>(), tracks = new ArrayList<>();
        for (String l : lines) {
            long at = Long.parseLong(l.substring(l.indexOf('@') + 1));
            if (l.startsWith("track@")) tracks.add(at);
            else if (l.contains(":start@")) prepareStarts.add(at);
            else if (l.contains(":end@")) prepareEnds.add(at);
        }
        start = prepareStarts.getLast();
        end = prepareEnds.getLast();
        assertTrue(tracks.getFirst() < start && tracks.getLast() > end, "the prepare ran in the middle of the render");
        long s0 = start, e0 = end;
        assertEquals(0, tracks.stream().filter(t -> t > s0 + 40_000_000L && t < e0).count(),
                "no tracking step started while the interactive request ran (beyond the one already under way)");
    }

    @Test
    void aNewerEmbeddingRequestCancelsTheOlder() throws Exception {
        TestStages stages = new TestStages();
        WebServer server = start(stages);
        Http http = new Http(server.port());
        String s = "/api/sessions/" + openClip(http);
        stages.prepareMs = 3000;
        assertEquals(202, http.post(s + "/embedding", Map.of("frame", 2, "engine", "fake")).status());
        long until = System.nanoTime() + 5_000_000_000L;
        while (stages.log.stream().noneMatch(l -> l.contains(":start@")) && System.nanoTime() < until) Thread.sleep(10);
        assertEquals("computing", http.get(s + "/embedding?frame=2&engine=fake").json().get("state"));
        stages.prepareMs = 0;
        http.post(s + "/embedding", Map.of("frame", 3, "engine", "fake"));
        until = System.nanoTime() + 5_000_000_000L;
        while (!"ready".equals(http.get(s + "/embedding?frame=3&engine=fake").json().get("state")) && System.nanoTime() < until) Thread.sleep(20);
        assertEquals("ready", http.get(s + "/embedding?frame=3&engine=fake").json().get("state"));
        assertEquals("none", http.get(s + "/embedding?frame=2&engine=fake").json().get("state"));
        assertEquals(1, stages.log.stream().filter(l -> l.startsWith("cancelled:")).count(), stages.log.toString());
        assertEquals(1, stages.prepared.get());
    }

    @Test
    void stoppingRemovesEverySessionsFiles() throws Exception {
        TestStages stages = new TestStages();
        WebServer server = WebServer.start(ServerConfig.defaults().withPort(0).withTemp(tmp), stages);
        Http http = new Http(server.port());
        openClip(http);
        Path root = server.root();
        assertTrue(Files.isDirectory(root));
        server.close();
        assertFalse(Files.exists(root));
        assertTrue(Ffmpeg.probe(clip, "-show_entries", "format=duration", "-of", "csv=p=0").length() > 0, "the source is untouched");
    }
}
