package io.inpainterz.bench;

import io.inpainterz.pipeline.ClassicalInpainter;
import io.inpainterz.pipeline.ClassicalTracker;
import io.inpainterz.pipeline.NeuralInpainter;
import io.inpainterz.quality.Clip;
import io.inpainterz.quality.GroundTruthClip;
import io.inpainterz.quality.Methods;
import io.inpainterz.quality.QualityHarness;
import io.inpainterz.quality.QualityHarness.Entry;
import io.inpainterz.quality.QualityHarness.Masks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality table of benchmarks/RESULTS.md: the standard ground-truth set (photos, synthetic
 * camera motion) plus any footage named in $INPAINTERZ_FOOTAGE, through per-frame Telea (true
 * masks), the weight-free engine (frame 0's mask only: its tracking counts) and the weight-free
 * inpainter alone (true masks); with {@code --e2fgvi FILE}, also E2FGVI on that checkpoint (true
 * masks, 432x240 clips only: the parity checkpoint's random weights show that the harness runs it,
 * nothing of the real model's quality).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.inpainterz.bench.QualityReport OUT W H FRAMES SEED [--e2fgvi FILE]</pre>
 *
 * {@code -Dquality.clips=NAME,NAME} keeps only the clips of those names (for quick comparisons).
 */
public final class QualityReport {
    private QualityReport() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int w = Integer.parseInt(args[1]), h = Integer.parseInt(args[2]), frames = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        Path e2fgvi = args.length > 6 && args[5].equals("--e2fgvi") ? Path.of(args[6]) : null;
        List<Clip> clips = new ArrayList<>(GroundTruthClip.standardSet(w, h, frames, seed));
        clips.addAll(GroundTruthClip.footageSet(w, h, frames, seed));
        String only = System.getProperty("quality.clips");
        if (only != null) {
            List<String> names = List.of(only.split(","));
            clips.removeIf(c -> !names.contains(c.name()));
            if (clips.isEmpty()) throw new IllegalArgumentException("quality.clips: no clip named " + names);
        }
        List<Entry> methods = new ArrayList<>(List.of(
                new Entry("Telea (per frame)", Masks.ALL_FRAMES, Methods.telea(5)),
                new Entry("classical", Masks.FIRST_FRAME, Methods.trackAndInpaint(new ClassicalTracker(), new ClassicalInpainter(), 8)),
                new Entry("classical inpainter", Masks.ALL_FRAMES, Methods.inpaint(new ClassicalInpainter(), 8))));
        io.inpainterz.engine.Inpainter model = null;
        if (e2fgvi != null) {
            model = io.inpainterz.engine.Inpainter.load(e2fgvi);
            methods.add(new Entry("E2FGVI (parity ckpt)", Masks.ALL_FRAMES,
                    Methods.inpaint(NeuralInpainter.of(model, io.inpainterz.engine.Inpainter.SessionOptions.defaults()), 4)));
        }
        try {
            QualityHarness.Report r = new QualityHarness(out, frames / 3, 2 * frames / 3).run(clips, methods);
            System.out.println(r.markdown());
            Files.writeString(out.resolve("quality.md"), r.markdown());
        } finally {
            if (model != null) model.close();
        }
    }
}
