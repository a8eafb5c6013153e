package io.inpainterz.util;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The progress objects of {@code --progress json} and of the web server's job events, made in
 * one place so both say the same: {@code {"stage","done","total","fps","eta_s"}} at most every
 * 0.2 s per stage (and always for a stage's last unit), then one outcome
 * {@code {"stage","event":"done"|"cancelled"|"failed","message"}}, and one-time
 * {@code {"notice": ...}} lines. Fed from one thread at a time.
 */
public final class ProgressEvents {
    private static final long INTERVAL_NS = 200_000_000L;

    private String stage;
    private long stageStart, lastEmit, lastDone;

    /** {@code stage}: the first stage's name, whose rate counts from now. */
    public ProgressEvents(String stage) {
        this.stage = stage;
        this.stageStart = System.nanoTime();
    }

    /** The progress object for this report, or null when it falls within 0.2 s of the last one of its stage. */
    public Map<String, Object> progress(String s, long done, long total) {
        long now = System.nanoTime();
        if (!s.equals(stage) || done < lastDone) { // a new stage, or the same stage again (a second crop)
            stage = s;
            stageStart = now;
            lastEmit = 0;
        }
        lastDone = done;
        if (done != total && now - lastEmit < INTERVAL_NS) return null;
        lastEmit = now;
        double seconds = Math.max(1e-9, (now - stageStart) / 1e9);
        double rate = done / seconds;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("stage", s);
        o.put("done", done);
        o.put("total", total);
        o.put("fps", round(rate));
        o.put("eta_s", rate > 0 ? round((total - done) / rate) : null);
        return o;
    }

    /** Whether {@code s} starts a new stage (for drawers that keep one bar per stage). */
    public boolean isNewStage(String s, long done) {
        return !s.equals(stage) || done < lastDone;
    }

    /** The outcome object: {@code event} is done, cancelled or failed. */
    public Map<String, Object> end(String event, String message) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("stage", stage);
        o.put("event", event);
        o.put("message", message);
        return o;
    }

    public static Map<String, Object> notice(String message) {
        return Map.of("notice", message);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
