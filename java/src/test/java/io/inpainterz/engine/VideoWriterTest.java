package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Written files checked with ffprobe and by decoding them again. */
class VideoWriterTest {
    @TempDir
    Path tmp;

    static String probe(Path file, String... options) throws Exception {
        String[] cmd = new String[options.length + 4];
        cmd[0] = "ffprobe";
        cmd[1] = "-v";
        cmd[2] = "error";
        System.arraycopy(options, 0, cmd, 3, options.length);
        cmd[cmd.length - 1] = file.toString();
        return new String(VideoReaderTest.run(cmd), StandardCharsets.UTF_8).strip();
    }

    /** Copies `in` through a reader and a writer, with the source's timestamps and audio. */
    static void transcode(Path in, Path out) {
        try (VideoReader r = VideoReader.open(in); Arena arena = Arena.ofConfined();
             VideoWriter w = VideoWriter.open(out, r.info().width(), r.info().height(),
                     VideoWriter.Options.defaults().withFps(r.info().fps()).withAudioFrom(in))) {
            Frame f = r.allocateFrame(arena);
            while (r.read(f)) w.write(f, r.lastPtsMicros());
            w.finish();
        }
    }

    @Test
    void roundTripKeepsSizeFramesTimesPixelsAndAudioPackets() throws Exception {
        VideoReaderTest.tmp = tmp;
        Path in = VideoReaderTest.make("in.mp4", "320x240", "25", 2, true, "-c:v", "libx264", "-c:a", "aac");
        Path out = tmp.resolve("out.mp4");
        transcode(in, out);
        assertEquals("320,240", probe(out, "-select_streams", "v", "-show_entries", "stream=width,height", "-of", "csv=p=0"));
        assertEquals("50", probe(out, "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"));
        assertEquals(probe(in, "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0"),
                probe(out, "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0"));
        // Audio copied bit for bit: same packets, sizes and times.
        String[] audio = {"-select_streams", "a", "-show_entries", "packet=pts_time,size,flags", "-of", "csv=p=0"};
        assertFalse(probe(in, audio).isEmpty());
        assertEquals(probe(in, audio), probe(out, audio));
        // Pixels: visually lossless at crf 18 (mean error well under one level per channel).
        try (VideoReader a = VideoReader.open(in); VideoReader b = VideoReader.open(out); Arena arena = Arena.ofConfined()) {
            Frame fa = a.allocateFrame(arena), fb = b.allocateFrame(arena);
            long sum = 0, n = 0;
            while (a.read(fa) && b.read(fb)) {
                for (long i = 0; i < fa.data().byteSize(); i += 7) {
                    sum += Math.abs((fa.data().get(ValueLayout.JAVA_BYTE, i) & 0xff) - (fb.data().get(ValueLayout.JAVA_BYTE, i) & 0xff));
                    n++;
                }
            }
            assertTrue((double) sum / n < 2.0, "mean abs error " + (double) sum / n);
        }
    }

    @Test
    void audioTheContainerCannotCarryIsReencodedToAacNeverDropped() throws Exception {
        VideoReaderTest.tmp = tmp;
        Path in = VideoReaderTest.make("pcm.mkv", "160x120", "25", 1, true, "-c:v", "libx264", "-c:a", "pcm_s16le");
        Path out = tmp.resolve("pcm.mp4"); // mp4 cannot carry PCM: re-encoded to AAC
        transcode(in, out);
        assertEquals("aac,44100,1", probe(out, "-select_streams", "a", "-show_entries", "stream=codec_name,sample_rate,channels", "-of", "csv=p=0"));
        assertEquals(audioEnd(in), audioEnd(out), 0.05, "the re-encoded audio covers the source's duration");
        Path mkv = tmp.resolve("pcm_out.mkv"); // Matroska carries PCM: copied as is
        transcode(in, mkv);
        String[] audio = {"-select_streams", "a", "-show_entries", "packet=pts_time,size", "-of", "csv=p=0"};
        assertEquals(probe(in, audio), probe(mkv, audio));
    }

    /** End time of the last audio packet, in seconds. */
    static double audioEnd(Path file) throws Exception {
        String packets = probe(file, "-select_streams", "a", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0");
        String[] last = packets.lines().reduce((a, b) -> b).orElseThrow().split(",");
        return Double.parseDouble(last[0]) + Double.parseDouble(last[1]);
    }

    @Test
    void oddSizesKeepTheirVisibleSize() throws Exception {
        Path out = tmp.resolve("odd.mkv");
        try (Arena arena = Arena.ofConfined(); VideoWriter w = VideoWriter.open(out, 321, 241, VideoWriter.Options.defaults().withPreset("ultrafast"))) {
            Frame f = Frame.allocate(arena, 321, 241);
            for (int i = 0; i < 5; i++) {
                f.data().fill((byte) (40 * i));
                w.write(f, -1);
            }
            w.finish();
        }
        try (VideoReader r = VideoReader.open(out)) {
            assertEquals(321, r.info().width());
            assertEquals(241, r.info().height());
        }
        assertEquals("5", probe(out, "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"));
    }

    @Test
    void anAbandonedOrFailedRenderLeavesNothingBehind() throws Exception {
        Path out = tmp.resolve("abandoned.mp4");
        try (Arena arena = Arena.ofConfined(); VideoWriter w = VideoWriter.open(out, 64, 48, VideoWriter.Options.defaults())) {
            w.write(Frame.allocate(arena, 64, 48), -1);
            // no finish(): an error or a cancel
        }
        assertFalse(Files.exists(out));
        assertEquals(List.of(), Files.list(tmp).toList(), "no temporary file may remain");

        FileAccessException e = assertThrows(FileAccessException.class,
                () -> VideoWriter.open(tmp.resolve("missing/dir/out.mp4"), 64, 48, VideoWriter.Options.defaults()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(io.inpainterz.VideoException.class, () -> VideoWriter.open(tmp.resolve("out.notacontainer"), 64, 48, VideoWriter.Options.defaults()));
        assertThrows(io.inpainterz.InvalidInputException.class, () -> VideoWriter.open(tmp.resolve("x.mp4"), 0, 48, VideoWriter.Options.defaults()));
        try (Arena arena = Arena.ofConfined(); VideoWriter w = VideoWriter.open(tmp.resolve("t.mp4"), 64, 48, VideoWriter.Options.defaults())) {
            w.write(Frame.allocate(arena, 64, 48), 40_000);
            assertThrows(io.inpainterz.InvalidInputException.class, () -> w.write(Frame.allocate(arena, 64, 48), 40_000));
            assertThrows(io.inpainterz.InvalidInputException.class, () -> w.write(Frame.allocate(arena, 32, 48), 80_000));
        }
        assertEquals(List.of(), Files.list(tmp).toList());
    }
}
