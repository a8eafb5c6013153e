package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Ffmpeg;
import io.inpainterz.testing.Fixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The page in a real browser: Debian's headless Chromium and chromedriver at fixed paths
 * (nothing is downloaded: the driver's path is given, so Selenium Manager never runs), against
 * a server on a free loopback port with the real stages ({@link EngineStages}). On a clip with a
 * magenta box moving over a textured background it opens the clip, checks what the default
 * engine (auto) says it will run, picks the classical engine (weight-free: GrabCut, optical
 * flow, flow-guided inpainting), drags a box on the object and checks that the overlay covers it,
 * tracks and checks the masks follow the moving box, removes, and checks the downloaded result:
 * the magenta gone, the pixels far from the object unchanged up to codec error, size, frames and
 * audio. Screenshots of each state go to {@code java/target/serve-screenshots}
 * ({@code 5-final.png}, the whole page at the end, is the README's {@code docs/serve.png}).
 */
class PageTest {
    static final int W = 432, H = 240, FRAMES = 24, SPEED = 3;
    // Clear of the colour bars' edges: with the box at (60, 64) on a 320x176 clip, the classical tracker's
    // mask picks up a sliver of a bar's edge on frame ~12, which then rides along with the background.
    static final Clips.Box START = new Clips.Box(80, 90, 64, 48);
    static final Path SHOTS = Path.of(System.getProperty("user.dir"), "java", "target", "serve-screenshots");

    @TempDir
    Path tmp;
    WebServer server;
    StageSource stages;
    ChromeDriver driver;
    Path downloads;

    /**
     * The real stages, with no SAM or DeAOT weights and the parity fixtures' E2FGVI as the
     * E2FGVI checkpoint: auto then takes classical for two stages and neural for the third
     * (nothing is loaded unless a neural stage runs, and none does here).
     */
    StageSource stages() {
        return new EngineStages(new EngineStages.Neural(tmp.resolve("ckpt/sam.pth"), tmp.resolve("ckpt/deaot.pth"),
                Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth"), Sam.Options.defaults(), Tracker.Options.defaults(), Inpainter.Options.defaults()));
    }

    @BeforeEach
    void start() throws Exception {
        stages = stages();
        server = WebServer.start(ServerConfig.defaults().withPort(0).withTemp(tmp.resolve("serve")), stages);
        downloads = Files.createDirectories(tmp.resolve("downloads"));
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                "--no-first-run", "--disable-extensions", "--disable-background-networking");
        o.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (stages != null) stages.close();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void waitFor(String what, Duration limit, java.util.function.Supplier<Boolean> condition) {
        long until = System.nanoTime() + limit.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out (" + limit + ") waiting until " + what + "; the page says: "
                        + js("return document.getElementById('status').textContent + ' | ' + document.getElementById('progressText').textContent"));
            }
            TestStages.sleep(100);
        }
    }

    private String data(String key) {
        return (String) js("return document.body.dataset[arguments[0]] || ''", key);
    }

    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** The fraction of the object's pixels on frame {@code f} that the shown overlay paints (alpha > 0). */
    private double overlayCover(Clips.Box box) {
        Object r = js("""
                const c = document.getElementById('overlay'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const [x0, y0, w, h] = arguments;
                let n = 0;
                for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (d[4 * (y * c.width + x) + 3] > 0) n++;
                return n / (w * h);""", box.x(), box.y(), box.w(), box.h());
        return ((Number) r).doubleValue();
    }

    /** The fraction of the overlay outside the object's box (spill onto the background). */
    private double overlaySpill(Clips.Box box) {
        Object r = js("""
                const c = document.getElementById('overlay'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const [x0, y0, w, h] = arguments;
                let out = 0, all = 0;
                for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) if (d[4 * (y * c.width + x) + 3] > 0) {
                  all++; if (x < x0 - 3 || x >= x0 + w + 3 || y < y0 - 3 || y >= y0 + h + 3) out++; }
                return all ? out / all : 1;""", box.x(), box.y(), box.w(), box.h());
        return ((Number) r).doubleValue();
    }

    /** The page's "stage kind" list of the chosen engine, e.g. "auto:segmenter=classical,tracker=classical,inpainter=neural". */
    private String engineShown() {
        return data("engine");
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private void selectEngine(String name) {
        js("document.getElementById('engine').value = arguments[0]; document.getElementById('engine').dispatchEvent(new Event('change'))", name);
        waitFor("the page shows engine " + name, Duration.ofSeconds(10), () -> engineShown().startsWith(name + ":"));
    }

    @Test
    void openPromptTrackRemoveDownload() throws Exception {
        Path clip = Clips.make(tmp, "moving box.mp4", W, H, FRAMES, START, SPEED);
        driver.get("http://127.0.0.1:" + server.port() + "/");
        waitFor("the page's script starts", Duration.ofSeconds(20), () -> "ready".equals(js("return document.getElementById('status').textContent")));

        // The default engine is auto, as remove's; the page says what it chose for each stage and why, and E2FGVI's licence.
        assertEquals("auto", js("return document.getElementById('engine').value"));
        assertEquals(List.of("auto", "neural", "classical"), js("return [...document.getElementById('engine').options].map(o => o.value)"));
        assertEquals("auto:segmenter=classical,tracker=classical,inpainter=neural", engineShown());
        assertEquals("auto: segmenter classical · tracker classical · inpainter neural", text("engineStages"));
        String notes = text("engineNotices");
        assertTrue(notes.contains("auto: no SAM weights at " + tmp.resolve("ckpt/sam.pth") + ": segmenting with GrabCut (weight-free)"), notes);
        assertTrue(notes.contains("auto: no DeAOT weights at " + tmp.resolve("ckpt/deaot.pth") + ": tracking along optical flow"), notes);
        assertTrue(notes.contains("E2FGVI's weights (weights.pth) are licensed CC BY-NC 4.0: non-commercial use only"), notes);
        // The classical engine: every stage weight-free, and no licence to mention.
        selectEngine("classical");
        assertEquals("classical:segmenter=classical,tracker=classical,inpainter=classical", engineShown());
        assertEquals("", text("engineNotices"));

        // Open the clip (upload through the file input).
        driver.findElement(By.id("file")).sendKeys(clip.toString());
        waitFor("the clip opens", Duration.ofSeconds(30), () -> !data("session").isEmpty()
                && Boolean.TRUE.equals(js("const i = document.getElementById('frame'); return i.complete && i.naturalWidth > 0")));
        assertTrue(text("frameLabel").startsWith("frame 0 / " + (FRAMES - 1) + " · 0:00.000"), text("frameLabel"));
        waitFor("frame 0 is prepared", Duration.ofSeconds(60), () -> data("embedding").equals("ready:0"));
        shot("1-opened.png");

        // Drag a box a little larger than the object, as a user would: GrabCut finds the object inside it.
        WebElement marks = driver.findElement(By.id("marks"));
        Rectangle rect = marks.getRect();
        double scale = rect.getWidth() / (double) W;
        int bx0 = START.x() - 6, by0 = START.y() - 6, bx1 = START.x() + START.w() + 6, by1 = START.y() + START.h() + 6;
        new Actions(driver).moveToLocation(rect.getX() + (int) Math.round(bx0 * scale), rect.getY() + (int) Math.round(by0 * scale))
                .clickAndHold().moveByOffset((int) Math.round((bx1 - bx0) * scale / 2), (int) Math.round((by1 - by0) * scale / 2))
                .moveByOffset((int) Math.round((bx1 - bx0) * scale / 2), (int) Math.round((by1 - by0) * scale / 2)).release().perform();
        waitFor("the mask is drawn", Duration.ofSeconds(60), () -> data("maskFrame").equals("0:prompts"));
        double cover = overlayCover(START), spill = overlaySpill(START);
        assertTrue(cover > 0.9, "the overlay covers most of the object: " + cover);
        assertTrue(spill < 0.1, "and little of the background: " + spill);
        // The API's mask agrees with the pixels drawn.
        Http http = new Http(server.port());
        String sid = data("session");
        assertTrue(maskCover(http, sid, 0, START) > 0.9, "API mask covers the object");
        shot("2-mask.png");

        // Track: the masks follow the moving box, on the page and in the API.
        driver.findElement(By.id("track")).click();
        waitFor("tracking ends", Duration.ofSeconds(120), () -> data("job").equals("track:done"));
        assertEquals((long) FRAMES, http.get("/api/sessions/" + sid).json().get("tracked_frames"));
        scrubTo(FRAMES - 1);
        waitFor("the last frame's tracked mask", Duration.ofSeconds(30), () -> data("maskFrame").equals((FRAMES - 1) + ":tracked"));
        checkTracked(http, sid);
        shot("3-tracked.png");

        // Remove with the classical engine, then download.
        driver.findElement(By.id("remove")).click();
        waitFor("removing ends", Duration.ofSeconds(300), () -> data("job").equals("remove:done"));
        Map<String, Object> job = http.get("/api/jobs/" + data("result")).json();
        assertEquals("classical", ((Map<?, ?>) job.get("result")).get("engine"));
        assertEquals(Map.of("tracker", "classical", "inpainter", "classical"), ((Map<?, ?>) job.get("result")).get("stages"));
        assertTrue(text("progressText").contains("tracker classical, inpainter classical"), text("progressText"));
        waitFor("the result plays", Duration.ofSeconds(30), () -> Boolean.TRUE.equals(js("return document.getElementById('removed').readyState >= 2")));
        js("document.getElementById('result').scrollIntoView()");
        shot("4-result.png");
        finalShot(FRAMES / 2);
        driver.findElement(By.id("download")).click();
        Path[] got = new Path[1];
        waitFor("the download arrives", Duration.ofSeconds(60), () -> {
            try (Stream<Path> s = Files.list(downloads)) {
                got[0] = s.filter(p -> p.toString().endsWith(".mp4")).findFirst().orElse(null);
                return got[0] != null;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertEquals("moving_box-removed.mp4", got[0].getFileName().toString());
        assertEquals(W + "x" + H, Clips.size(got[0]));
        assertEquals(FRAMES, Clips.packets(got[0], "v:0"));
        assertEquals("audio", Ffmpeg.probe(got[0], "-select_streams", "a:0", "-show_entries", "stream=codec_type", "-of", "csv=p=0"));
        checkRemoved(clip, got[0]);
    }

    private void scrubTo(int frame) {
        js("document.getElementById('scrubber').value = arguments[0]; document.getElementById('scrubber').dispatchEvent(new Event('input'))", frame);
    }

    /** The fraction of {@code box}'s pixels that the API's label map of frame {@code n} gives object 1. */
    private double maskCover(Http http, String sid, int n, Clips.Box box) throws Exception {
        byte[] map = WebServerTest.gray(http.get("/api/sessions/" + sid + "/masks/" + n + ".png").body());
        long inside = 0;
        for (int y = box.y(); y < box.y() + box.h(); y++) for (int x = box.x(); x < box.x() + box.w(); x++) if (map[y * W + x] == 1) inside++;
        return inside / (double) (box.w() * box.h());
    }

    /** The fraction of frame {@code n}'s mask pixels farther than 3 pixels from {@code box} (a mask left behind, or spilled). */
    private double maskSpill(Http http, String sid, int n, Clips.Box box) throws Exception {
        byte[] map = WebServerTest.gray(http.get("/api/sessions/" + sid + "/masks/" + n + ".png").body());
        long all = 0, out = 0;
        Clips.Box near = new Clips.Box(box.x() - 3, box.y() - 3, box.w() + 6, box.h() + 6);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (map[y * W + x] == 0) continue;
                all++;
                if (!near.contains(x, y)) out++;
            }
        }
        return all == 0 ? 1 : out / (double) all;
    }

    /** On later frames the mask is at the box's moved position (by then clear of where it started), not left behind. */
    void checkTracked(Http http, String sid) throws Exception {
        Clips.Box last = Clips.movingBox(START, SPEED, FRAMES - 1);
        assertTrue(overlayCover(last) > 0.8, "the overlay covers the moved object on the last frame: " + overlayCover(last));
        assertTrue(overlaySpill(last) < 0.2, "the overlay stays on it: " + overlaySpill(last));
        for (int n = 4; n < FRAMES; n += 4) {
            Clips.Box moved = Clips.movingBox(START, SPEED, n);
            Http.Response r = http.get("/api/sessions/" + sid + "/masks/" + n + ".png");
            assertEquals("tracked", r.header("X-Mask-Source"));
            double cover = maskCover(http, sid, n, moved), spill = maskSpill(http, sid, n, moved);
            assertTrue(cover > 0.8, "frame " + n + ": the tracked mask covers the box at " + moved + ": " + cover);
            assertTrue(spill < 0.2, "frame " + n + ": and little else: " + spill);
        }
    }

    /** Magenta-ish: strong red and blue, little green (the box is 0xff00ff; the background's colours are not). */
    static boolean magenta(byte[] rgb, int p) {
        int r = rgb[3 * p] & 0xff, g = rgb[3 * p + 1] & 0xff, b = rgb[3 * p + 2] & 0xff;
        return r > 160 && b > 160 && g < 100;
    }

    /**
     * In the result, the box's region (at its position on each frame) has lost its magenta, and
     * pixels well away from it (beyond the dilation and the tracker's slack) are the source's up to
     * the re-encode.
     */
    void checkRemoved(Path source, Path result) throws Exception {
        byte[][] in = Clips.frames(source, W, H), out = Clips.frames(result, W, H);
        assertEquals(FRAMES, in.length);
        assertEquals(FRAMES, out.length);
        long before = 0, after = 0;
        double worst = Double.POSITIVE_INFINITY;
        for (int t = 0; t < FRAMES; t++) {
            Clips.Box b = Clips.movingBox(START, SPEED, t);
            for (int y = b.y(); y < b.y() + b.h(); y++) {
                for (int x = b.x(); x < b.x() + b.w(); x++) {
                    if (magenta(in[t], y * W + x)) before++;
                    if (magenta(out[t], y * W + x)) after++;
                }
            }
            byte[] near = new Clips.Box(b.x() - 16, b.y() - 16, b.w() + 32, b.h() + 32).mask(W, H);
            worst = Math.min(worst, Clips.psnr(in[t], out[t], near, false));
        }
        long area = (long) FRAMES * START.w() * START.h();
        assertTrue(before > 0.95 * area, "the source's box is magenta: " + before + " of " + area);
        assertTrue(after < 0.02 * before, "the result's box region has lost it: " + after + " magenta pixels of " + before);
        assertTrue(worst > 38, "far from the object the result is the source up to the re-encode: worst frame " + worst + " dB");
        System.out.printf("PageTest: magenta %d -> %d pixels; far from the object, worst frame %.1f dB%n", before, after, worst);
    }

    /** The whole page at the end, both videos on frame {@code frame} and the viewer on it too: the README's screenshot. */
    private void finalShot(int frame) throws Exception {
        scrubTo(frame);
        waitFor("frame " + frame + "'s tracked mask", Duration.ofSeconds(30), () -> data("maskFrame").equals(frame + ":tracked"));
        waitFor("frame " + frame + " is prepared", Duration.ofSeconds(30), () -> data("embedding").equals("ready:" + frame));
        js("""
                for (const id of ['original', 'removed']) { const v = document.getElementById(id); v.pause(); v.currentTime = arguments[0]; }""",
                (frame + 0.5) / 25.0);
        waitFor("both videos show frame " + frame, Duration.ofSeconds(30), () -> Boolean.TRUE.equals(js(
                "return ['original', 'removed'].every(id => { const v = document.getElementById(id); return !v.seeking && v.readyState === 4; })")));
        long height = ((Number) js("return document.documentElement.scrollHeight")).longValue();
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, (int) Math.min(2000, height + 140)));
        js("window.scrollTo(0, 0)");
        TestStages.sleep(300);
        shot("5-final.png");
    }
}
