package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Ffmpeg;
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
 * a server on a free loopback port. On a clip with a magenta box moving over a textured
 * background it opens the clip, drags a box on the object, checks that the overlay covers it,
 * tracks, removes and downloads the result. Screenshots of each state go to
 * {@code java/target/serve-screenshots}.
 */
class PageTest {
    static final int W = 320, H = 176, FRAMES = 24, SPEED = 3;
    static final Clips.Box START = new Clips.Box(60, 64, 56, 44);
    static final Path SHOTS = Path.of(System.getProperty("user.dir"), "java", "target", "serve-screenshots");

    @TempDir
    Path tmp;
    WebServer server;
    StageSource stages;
    ChromeDriver driver;
    Path downloads;

    /** The stages the page runs on. */
    StageSource stages() {
        return new TestStages();
    }

    String engineName() {
        return "fake";
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

    @Test
    void openPromptTrackRemoveDownload() throws Exception {
        Path clip = Clips.make(tmp, "moving box.mp4", W, H, FRAMES, START, SPEED);
        driver.get("http://127.0.0.1:" + server.port() + "/");
        waitFor("the page's script starts", Duration.ofSeconds(20), () -> "ready".equals(js("return document.getElementById('status').textContent")));
        js("document.getElementById('engine').value = arguments[0]; document.getElementById('engine').dispatchEvent(new Event('change'))", engineName());

        // Open the clip (upload through the file input).
        driver.findElement(By.id("file")).sendKeys(clip.toString());
        waitFor("the clip opens", Duration.ofSeconds(30), () -> !data("session").isEmpty()
                && Boolean.TRUE.equals(js("const i = document.getElementById('frame'); return i.complete && i.naturalWidth > 0")));
        assertTrue(driver.findElement(By.id("frameLabel")).getText().startsWith("frame 0 / " + (FRAMES - 1) + " · 0:00.000"),
                driver.findElement(By.id("frameLabel")).getText());
        waitFor("frame 0 is prepared", Duration.ofSeconds(120), () -> data("embedding").equals("ready:0"));
        shot("1-opened.png");

        // Drag a box a little larger than the object, as a user would.
        WebElement marks = driver.findElement(By.id("marks"));
        Rectangle rect = marks.getRect();
        double scale = rect.getWidth() / (double) W;
        int bx0 = START.x() - 6, by0 = START.y() - 6, bx1 = START.x() + START.w() + 6, by1 = START.y() + START.h() + 6;
        new Actions(driver).moveToLocation(rect.getX() + (int) Math.round(bx0 * scale), rect.getY() + (int) Math.round(by0 * scale))
                .clickAndHold().moveByOffset((int) Math.round((bx1 - bx0) * scale / 2), (int) Math.round((by1 - by0) * scale / 2))
                .moveByOffset((int) Math.round((bx1 - bx0) * scale / 2), (int) Math.round((by1 - by0) * scale / 2)).release().perform();
        waitFor("the mask is drawn", Duration.ofSeconds(60), () -> data("maskFrame").equals("0:prompts"));
        double cover = overlayCover(START), spill = overlaySpill(START);
        assertTrue(cover > 0.8, "the overlay covers most of the object: " + cover);
        assertTrue(spill < 0.5, "and not mostly the background: " + spill);
        // The API's mask agrees with the pixels drawn.
        Http http = new Http(server.port());
        String sid = data("session");
        byte[] map = WebServerTest.gray(http.get("/api/sessions/" + sid + "/masks/0.png").body());
        long inside = 0;
        for (int y = START.y(); y < START.y() + START.h(); y++) for (int x = START.x(); x < START.x() + START.w(); x++) if (map[y * W + x] == 1) inside++;
        assertTrue(inside > 0.8 * START.w() * START.h(), "API mask covers the object: " + inside);
        shot("2-mask.png");

        // Track: the masks follow the clip while it runs.
        driver.findElement(By.id("track")).click();
        waitFor("tracking ends", Duration.ofSeconds(300), () -> data("job").equals("track:done"));
        assertEquals((long) FRAMES, http.get("/api/sessions/" + sid).json().get("tracked_frames"));
        js("document.getElementById('scrubber').value = arguments[0]; document.getElementById('scrubber').dispatchEvent(new Event('input'))", FRAMES - 1);
        waitFor("the last frame's tracked mask", Duration.ofSeconds(30), () -> data("maskFrame").equals((FRAMES - 1) + ":tracked"));
        checkTracked(Clips.movingBox(START, SPEED, FRAMES - 1));
        shot("3-tracked.png");

        // Remove, then download.
        driver.findElement(By.id("remove")).click();
        waitFor("removing ends", Duration.ofSeconds(600), () -> data("job").equals("remove:done"));
        waitFor("the result plays", Duration.ofSeconds(30), () -> Boolean.TRUE.equals(js("return document.getElementById('removed').readyState >= 2")));
        js("document.getElementById('result').scrollIntoView()");
        shot("4-result.png");
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
        assertTrue(Files.size(got[0]) > 1000);
        checkRemoved(got[0]);
    }

    /** With the stand-in tracker the maps do not move; engines that track check the moved object here. */
    void checkTracked(Clips.Box moved) {
        assertTrue(overlayCover(START) > 0.8, "the stand-in tracker carries frame 0's mask");
    }

    /** Engines that inpaint check the object's pixels here. */
    void checkRemoved(Path video) throws Exception {
        assertTrue(List.of(video).size() == 1);
    }
}
