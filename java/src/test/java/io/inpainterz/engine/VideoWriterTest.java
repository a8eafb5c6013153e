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

    /** Copies `in` through a reader and a writer, with the source's timestamps and streams; returns the writer's notes. */
    static List<String> transcode(Path in, Path out) {
        return transcode(in, out, VideoWriter.Options.defaults());
    }

    static List<String> transcode(Path in, Path out, VideoWriter.Options options) {
        try (VideoReader r = VideoReader.open(in); Arena arena = Arena.ofConfined();
             VideoWriter w = VideoWriter.open(out, r.info().width(), r.info().height(), options.withFps(r.info().fps()).withSource(in))) {
            Frame f = r.allocateFrame(arena);
            while (r.read(f)) w.write(f, r.lastPtsMicros());
            w.finish();
            return w.notes();
        }
    }

    /** Mean absolute difference per channel value between the decoded frames of two files (every 7th byte). */
    static double meanError(Path a, Path b) {
        try (VideoReader ra = VideoReader.open(a); VideoReader rb = VideoReader.open(b); Arena arena = Arena.ofConfined()) {
            Frame fa = ra.allocateFrame(arena), fb = rb.allocateFrame(arena);
            long sum = 0, n = 0;
            while (ra.read(fa) && rb.read(fb)) {
                for (long i = 0; i < fa.data().byteSize(); i += 7) {
                    sum += Math.abs((fa.data().get(ValueLayout.JAVA_BYTE, i) & 0xff) - (fb.data().get(ValueLayout.JAVA_BYTE, i) & 0xff));
                    n++;
                }
            }
            return (double) sum / n;
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
        double err = meanError(in, out);
        assertTrue(err < 2.0, "mean abs error " + err);
    }

    @Test
    void hevcOutputTaggedForEveryPlayerAtEvenAndOddSizes() throws Exception {
        VideoReaderTest.tmp = tmp;
        Path in = VideoReaderTest.make("in.mp4", "320x240", "25", 1, true, "-c:v", "libx264", "-c:a", "aac");
        Path out = tmp.resolve("hevc.mp4");
        VideoWriter.Options hevc = VideoWriter.Options.defaults().withPreset("ultrafast").withCodec(VideoWriter.Codec.HEVC);
        assertEquals(List.of(), transcode(in, out, hevc));
        assertEquals("hevc,hvc1,yuv420p", probe(out, "-select_streams", "v", "-show_entries", "stream=codec_name,codec_tag_string,pix_fmt", "-of", "csv=p=0"));
        assertEquals("25", probe(out, "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"));
        assertEquals(probe(in, "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0"),
                probe(out, "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0"));
        double err = meanError(in, out);
        assertTrue(err < 2.5, "mean abs error " + err);

        Path odd = tmp.resolve("odd_hevc.mkv");
        try (Arena arena = Arena.ofConfined(); VideoWriter w = VideoWriter.open(odd, 161, 121, hevc)) {
            Frame f = Frame.allocate(arena, 161, 121);
            for (int i = 0; i < 3; i++) {
                f.data().fill((byte) (60 * i));
                w.write(f, -1);
            }
            w.finish();
        }
        assertEquals("hevc,161,121,yuv444p", probe(odd, "-select_streams", "v", "-show_entries", "stream=codec_name,width,height,pix_fmt", "-of", "csv=p=0"));
    }

    /** A 2-s Matroska source with SubRip subtitles, two chapters, a title, a creation time and stream languages. */
    private Path richSource() throws Exception {
        Path srt = tmp.resolve("subs.srt");
        Files.writeString(srt, "1\n00:00:00,200 --> 00:00:00,900\nHello there\n\n2\n00:00:01,100 --> 00:00:01,800\nSecond line\n\n");
        Path meta = tmp.resolve("chapters.txt");
        Files.writeString(meta, ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Opening\n"
                + "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Ending\n");
        Path src = tmp.resolve("rich.mkv");
        VideoReaderTest.run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=2",
                "-f", "lavfi", "-i", "sine=duration=2", "-i", srt.toString(), "-i", meta.toString(),
                "-map", "0", "-map", "1", "-map", "2", "-map_chapters", "3",
                "-metadata", "title=Holiday", "-metadata", "creation_time=2024-05-01T10:20:30.000000Z",
                "-metadata:s:v:0", "language=fra", "-metadata:s:s:0", "language=eng",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "srt", src.toString());
        return src;
    }

    private static String chapters(Path f) throws Exception {
        return probe(f, "-show_entries", "chapter=start_time,end_time:chapter_tags=title", "-of", "csv=p=0");
    }

    private static String subtitleText(Path f) throws Exception {
        return new String(VideoReaderTest.run("ffmpeg", "-v", "error", "-i", f.toString(), "-map", "0:s:0", "-f", "srt", "-"), StandardCharsets.UTF_8);
    }

    @Test
    void subtitlesChaptersAndTagsAreKept() throws Exception {
        Path src = richSource();
        assertEquals("0.000000,1.000000,Opening\n1.000000,2.000000,Ending", chapters(src), "the source as made");

        // The same container: subtitles copied packet for packet.
        Path mkv = tmp.resolve("out.mkv");
        assertEquals(List.of(), transcode(src, mkv));
        String[] subs = {"-select_streams", "s", "-show_entries", "packet=pts_time,duration_time,size", "-of", "csv=p=0"};
        assertFalse(probe(src, subs).isEmpty());
        assertEquals(probe(src, subs), probe(mkv, subs));
        assertEquals(chapters(src), chapters(mkv));
        assertEquals("Holiday", probe(mkv, "-show_entries", "format_tags=title", "-of", "csv=p=0"));
        assertEquals("fra", probe(mkv, "-select_streams", "v", "-show_entries", "stream_tags=language", "-of", "csv=p=0"));
        assertEquals("eng", probe(mkv, "-select_streams", "s", "-show_entries", "stream_tags=language", "-of", "csv=p=0"));

        // MP4 cannot carry SubRip: converted to mov_text, same text at the same times, and said so.
        Path mp4 = tmp.resolve("out.mp4");
        List<String> notes = transcode(src, mp4);
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("subrip") && notes.get(0).contains("converted to mov_text"), notes.get(0));
        assertEquals("mov_text", probe(mp4, "-select_streams", "s", "-show_entries", "stream=codec_name", "-of", "csv=p=0"));
        assertEquals(subtitleText(src), subtitleText(mp4));
        // (ffmpeg shifted the source by AAC's 23-ms priming: its cues start at 0.223 s and 1.123 s, as the video does.)
        assertTrue(subtitleText(mp4).matches("(?s)1\n00:00:00,2\\d\\d --> 00:00:00,9\\d\\d\nHello there\n\n2\n00:00:01,1\\d\\d --> .*Second line\n\n"),
                subtitleText(mp4));
        assertEquals(chapters(src), chapters(mp4));
        assertEquals("2024-05-01T10:20:30.000000Z", probe(mp4, "-show_entries", "format_tags=creation_time", "-of", "csv=p=0"));
        assertEquals("Holiday", probe(mp4, "-show_entries", "format_tags=title", "-of", "csv=p=0"));
    }

    @Test
    void aPhonesQuickTimeTagsAndLocationAreKept() throws Exception {
        Path in = tmp.resolve("phone.mov");
        VideoReaderTest.run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=1",
                "-metadata", "com.apple.quicktime.make=Apple", "-metadata", "com.apple.quicktime.model=iPhone 15",
                "-metadata", "location=+48.8584+002.2945/", "-metadata", "creation_time=2024-05-01T10:20:30Z",
                "-movflags", "use_metadata_tags", "-c:v", "libx264", "-preset", "ultrafast", in.toString());
        Path out = tmp.resolve("phone_out.mp4");
        transcode(in, out, VideoWriter.Options.defaults().withPreset("ultrafast"));
        String tags = probe(out, "-show_entries", "format_tags", "-of", "default=noprint_wrappers=1");
        for (String want : List.of("com.apple.quicktime.make=Apple", "com.apple.quicktime.model=iPhone 15", "location=+48.8584+002.2945/",
                "creation_time=2024-05-01T10:20:30")) {
            assertTrue(tags.contains(want), "kept " + want + ": " + tags);
        }
    }

    @Test
    void streamsTheOutputCannotKeepAreNamedInTheNotes() throws Exception {
        VideoReaderTest.tmp = tmp;
        // A QuickTime timecode track (a data stream): no place for it in the output.
        Path in = VideoReaderTest.make("tc.mov", "160x120", "25", 1, false, "-c:v", "libx264", "-timecode", "01:00:00:00");
        assertTrue(probe(in, "-show_entries", "stream=codec_type", "-of", "csv=p=0").contains("data"), "the source as made has a data stream");
        List<String> notes = transcode(in, tmp.resolve("tc.mp4"));
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("data") && notes.get(0).contains("dropped"), notes.get(0));
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
