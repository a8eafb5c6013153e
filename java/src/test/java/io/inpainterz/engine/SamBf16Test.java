package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The opt-in bfloat16 encoder gives masks close to float32 ones on every fixture prompt case. */
class SamBf16Test {
    static final Path DIR = Fixtures.file("sam/tiny");

    static double iou(SamPrediction a, SamPrediction b) {
        long inter = 0, union = 0, n = a.masks().byteSize();
        for (long i = 0; i < n; i++) {
            boolean x = a.masks().get(ValueLayout.JAVA_BYTE, i) != 0, y = b.masks().get(ValueLayout.JAVA_BYTE, i) != 0;
            if (x && y) inter++;
            if (x || y) union++;
        }
        return union == 0 ? 1 : (double) inter / union;
    }

    @Test
    void bf16MasksOverlapTheFloat32Masks() {
        List<SamPrompt> cases = List.of(
                SamPrompt.point(412, 168),
                SamPrompt.point(412, 168).withPoint(150, 110, false).withMultimask(false),
                SamPrompt.box(350, 290, 610, 470),
                SamPrompt.box(50, 240, 270, 450).withPoint(160.5f, 345.25f, true),
                new SamPrompt(null, null, new float[] {350, 290, 610, 470, 50, 240, 270, 450, 100, 50, 300, 200}, null, false));
        try (Arena arena = Arena.ofShared();
             Sam f32 = Sam.load(DIR.resolve("weights.pth"));
             Sam bf16 = Sam.load(DIR.resolve("weights.pth"), Sam.Options.defaults().withBf16Encoder(true))) {
            NdArray image = Npy.read(DIR.resolve("image.npy"), arena);
            Frame frame = Frame.allocate(arena, 640, 480);
            frame.data().copyFrom(image.data());
            try (Sam.Embedding a = f32.embed(frame); Sam.Embedding b = bf16.embed(frame)) {
                double worst = 1;
                for (SamPrompt p : cases) worst = Math.min(worst, iou(f32.predict(a, p, arena), bf16.predict(b, p, arena)));
                System.out.println("SAM bf16 encoder: worst mask IoU vs float32 over the fixture prompt cases = " + worst);
                assertTrue(worst >= 0.98, "worst IoU " + worst);
            }
        }
    }
}
