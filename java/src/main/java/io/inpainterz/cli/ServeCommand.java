package io.inpainterz.cli;

import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import io.inpainterz.web.EngineStages;
import io.inpainterz.web.ServerConfig;
import io.inpainterz.web.StageSource;
import io.inpainterz.web.WebServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", sortOptions = false, description = {
        "A local web page to click objects away: open a video, prompt on any frame, see the masks, track, remove, download.",
        "Binds to 127.0.0.1 unless --host says otherwise and prints the URL to open. The page offers remove's engines (auto, "
                + "the default: neural for each stage whose weights are present, classical for the others; neural; classical). "
                + "Models load once, on first use. "
                + "Off loopback every request needs the printed token, which travels in plain HTTP unless a TLS proxy sits in front "
                + "(README: serve). Ctrl-C stops the server and removes every session's files."})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "TCP port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "address to listen on; anything but loopback "
            + "needs the token. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--media", paramLabel = "DIR", description = "a folder whose videos the page may open (nothing outside it, symlinks "
            + "included); without it, uploads only")
    Path media;

    @Option(names = "--upload-limit", defaultValue = "2G", paramLabel = "SIZE", description = "largest upload (K, M, G suffixes). "
            + "Default: ${DEFAULT-VALUE}.")
    String uploadLimit;

    @Option(names = "--session-idle", defaultValue = "1h", paramLabel = "TIME", description = "close a session unused this long and remove "
            + "its files (s, m, h suffixes). Default: ${DEFAULT-VALUE}.")
    String sessionIdle;

    @Option(names = "--render-jobs", defaultValue = "1", paramLabel = "N", description = "track/remove jobs at once; the others wait in order. "
            + "Default: ${DEFAULT-VALUE}.")
    int renderJobs;

    @Option(names = "--token", paramLabel = "T", description = "the token requests must carry (default: a random one off loopback, "
            + "none on loopback); also $INPAINTERZ_TOKEN")
    String token;

    @Option(names = "--public-url", paramLabel = "URL", description = "the address users open when a proxy sits in front "
            + "(https://video.example.org): its host and origin are accepted")
    URI publicUrl;

    @Option(names = "--allow-host", paramLabel = "NAME", description = "another host name this server answers to (repeatable)")
    List<String> allowHosts;

    @Option(names = "--temp", paramLabel = "DIR", description = "folder for the sessions' files (default: the system's temporary folder)")
    Path temp;

    @Mixin
    ModelOptions models;

    @Option(names = "--e2fgvi", paramLabel = "FILE", description = "E2FGVI or E2FGVI-HQ checkpoint (default: ckpt/" + ModelOptions.DEFAULT_E2FGVI + ")")
    Path e2fgvi;

    @Override
    public Integer call() {
        if (token == null) token = System.getenv("INPAINTERZ_TOKEN");
        ServerConfig config = new ServerConfig(host, port, media, temp, size(uploadLimit, "--upload-limit"), duration(sessionIdle, "--session-idle"),
                renderJobs, token, publicUrl, allowHosts);
        EngineStages.Neural neural = new EngineStages.Neural(
                models.sam != null ? models.sam : ModelOptions.defaultPath(ModelOptions.DEFAULT_SAM),
                models.deaot != null ? models.deaot : ModelOptions.defaultPath(ModelOptions.DEFAULT_DEAOT),
                e2fgvi != null ? e2fgvi : ModelOptions.defaultPath(ModelOptions.DEFAULT_E2FGVI),
                Sam.Options.defaults().withDevice(models.device(true)),
                Tracker.Options.defaults().withDevice(models.trackerDevice()),
                Inpainter.Options.defaults().withDevice(models.device(true)));
        StageSource stages = new EngineStages(neural);
        WebServer server = WebServer.start(config, stages);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stages.close();
            stopped.countDown();
        }, "inpainterz-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        main.out().println("inpainterz serve: open " + server.url());
        // What the page's default engine runs with, as remove --engine auto says it.
        for (var d : stages.plan("auto")) if (d.fallback()) main.err().println("inpainterz serve: engine auto: " + d.reason());
        if (server.token() != null && !isLoopback(host)) {
            main.err().println("inpainterz: warning: the token travels over plain HTTP and can be read on the network; put a TLS proxy in front "
                    + "(README: serve) and pass --public-url");
        }
        main.out().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    private static boolean isLoopback(String h) {
        try {
            return java.net.InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** "2G", "500M", "64K", "1000" bytes. */
    long size(String text, String option) {
        String t = text.strip().toUpperCase(Locale.ROOT).replaceFirst("B$", "");
        long unit = 1;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit > 1) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t.strip());
            if (v > 0) return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException ignored) {
            // the usage error below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), option + " takes a size like 2G, 500M or 1000000, got '" + text + "'");
    }

    /** "1h", "30m", "90s", "250ms". */
    Duration duration(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) return positive(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), text, option);
            if (t.endsWith("s")) return positive(Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))), text, option);
            if (t.endsWith("m")) return positive(Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))), text, option);
            if (t.endsWith("h")) return positive(Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1))), text, option);
        } catch (NumberFormatException ignored) {
            // the usage error below
        }
        throw new CommandLine.ParameterException(spec.commandLine(), option + " takes a time like 1h, 30m or 90s, got '" + text + "'");
    }

    private Duration positive(Duration d, String text, String option) {
        if (d.isNegative() || d.isZero()) throw new CommandLine.ParameterException(spec.commandLine(), option + " must be positive, got '" + text + "'");
        return d;
    }
}
