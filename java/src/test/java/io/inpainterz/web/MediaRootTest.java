package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inpainterz.FileAccessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaRootTest {
    @TempDir
    Path tmp;
    Path media, secret;

    @BeforeEach
    void layout() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.mp4"), "x");
        Files.writeString(media.resolve("a.mp4"), "a");
        Files.createDirectories(media.resolve("sub"));
        Files.writeString(media.resolve("sub/b.mkv"), "b");
        Files.writeString(media.resolve("notes.txt"), "t");
        Files.createSymbolicLink(media.resolve("link.mp4"), secret);                 // a file link out
        Files.createSymbolicLink(media.resolve("linkdir"), outside);                 // a folder link out
        Files.createSymbolicLink(media.resolve("inside.mp4"), media.resolve("a.mp4")); // a link that stays inside
        Files.createSymbolicLink(media.resolve("sub/up.mp4"), Path.of("../../outside/secret.mp4"));
    }

    @Test
    void resolvesInsideOnly() throws Exception {
        MediaRoot r = new MediaRoot(media);
        assertEquals(media.toRealPath().resolve("a.mp4"), r.resolve("a.mp4"));
        assertEquals(media.toRealPath().resolve("sub/b.mkv"), r.resolve("sub/b.mkv"));
        assertEquals(media.toRealPath().resolve("a.mp4"), r.resolve("inside.mp4"));
        for (String bad : List.of("../outside/secret.mp4", "sub/../../outside/secret.mp4", "sub/../a.mp4", secret.toString(), "/etc/passwd",
                "link.mp4", "linkdir/secret.mp4", "sub/up.mp4", "", "sub", "missing.mp4", "a.mp4\0.txt", "..\\outside\\secret.mp4")) {
            FileAccessException e = assertThrows(FileAccessException.class, () -> r.resolve(bad), bad);
            assertEquals("no video '" + bad + "' in the media folder", e.getMessage());
        }
    }

    @Test
    void listsVideosThatStayInside() {
        assertEquals(List.of("a.mp4", "inside.mp4", "sub/b.mkv"), new MediaRoot(media).list());
    }

    @Test
    void missingFolder() {
        assertThrows(FileAccessException.class, () -> new MediaRoot(tmp.resolve("nope")));
    }
}
