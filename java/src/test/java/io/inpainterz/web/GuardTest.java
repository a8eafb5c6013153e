package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuardTest {
    private static Guard loopback(String token) throws Exception {
        return Guard.forServer(InetAddress.getByName("127.0.0.1"), 8080, token, null, List.of());
    }

    @Test
    void hostMustNameThisServer() throws Exception {
        Guard g = loopback(null);
        assertNull(g.check("127.0.0.1:8080", null, null, true, null, null, null));
        assertNull(g.check("localhost:8080", null, null, true, null, null, null));
        assertNull(g.check("LOCALHOST:8080", null, null, true, null, null, null));
        assertNull(g.check("[::1]:8080", null, null, true, null, null, null));
        // DNS rebinding: the attacker's name re-pointed at 127.0.0.1 arrives as the Host.
        assertEquals(421, g.check("attacker.example:8080", null, null, true, null, null, null).status());
        assertEquals(421, g.check("127.0.0.1:9999", null, null, true, null, null, null).status());
        assertEquals(421, g.check("127.0.0.1", null, null, true, null, null, null).status());
        assertEquals(421, g.check(null, null, null, false, null, null, null).status());
    }

    @Test
    void originMustBeThisServers() throws Exception {
        Guard g = loopback(null);
        assertNull(g.check("127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin", true, null, null, null));
        assertNull(g.check("127.0.0.1:8080", "http://localhost:8080", null, true, null, null, null));
        assertEquals(403, g.check("127.0.0.1:8080", "http://attacker.example", null, true, null, null, null).status());
        assertEquals(403, g.check("127.0.0.1:8080", "https://127.0.0.1:8080", null, true, null, null, null).status());
        assertEquals(403, g.check("127.0.0.1:8080", "null", null, true, null, null, null).status());
        // A cross-site fetch without Origin (a GET) is still refused on the API; the page itself may be linked to.
        assertEquals(403, g.check("127.0.0.1:8080", null, "cross-site", true, null, null, null).status());
        assertNull(g.check("127.0.0.1:8080", null, "cross-site", false, null, null, null));
    }

    @Test
    void tokenWhenSet() throws Exception {
        Guard g = Guard.forServer(InetAddress.getByName("127.0.0.1"), 8080, "s3cret", null, List.of());
        assertTrue(g.needsToken());
        Guard.Refusal none = g.check("127.0.0.1:8080", null, null, true, null, null, null);
        assertEquals(401, none.status());
        assertTrue(none.message().contains("token"), none.message());
        assertEquals(401, g.check("127.0.0.1:8080", null, null, true, "Bearer wrong", null, null).status());
        assertEquals(401, g.check("127.0.0.1:8080", null, null, true, null, "s3cre", null).status());
        assertNull(g.check("127.0.0.1:8080", null, null, true, "Bearer s3cret", null, null));
        assertNull(g.check("127.0.0.1:8080", null, null, true, null, "s3cret", null));
        assertNull(g.check("127.0.0.1:8080", null, null, false, null, null, "s3cret"), "the page takes ?token= once");
        assertEquals(401, g.check("127.0.0.1:8080", null, null, true, null, null, "s3cret").status(), "the API does not take ?token=");
        // The host check comes first: a rebinding request with the right token is still refused.
        assertEquals(421, g.check("attacker.example:8080", null, null, true, "Bearer s3cret", null, null).status());
    }

    @Test
    void publicUrlAndAllowedHosts() throws Exception {
        Guard g = Guard.forServer(InetAddress.getByName("127.0.0.1"), 8080, null, URI.create("https://video.example.org"), List.of("box.lan"));
        assertNull(g.check("video.example.org", "https://video.example.org", null, true, null, null, null));
        assertEquals(403, g.check("video.example.org", "http://video.example.org", null, true, null, null, null).status());
        assertNull(g.check("box.lan:8080", "http://box.lan:8080", null, true, null, null, null));
        assertNotNull(g.check("box.lan", null, null, true, null, null, null));
    }

    @Test
    void anyAddressAnswersToThisMachinesAddresses() throws Exception {
        Guard g = Guard.forServer(InetAddress.getByName("0.0.0.0"), 8080, "t", null, List.of());
        assertNull(g.check("127.0.0.1:8080", null, null, true, "Bearer t", null, null));
        assertEquals(421, g.check("attacker.example:8080", null, null, true, "Bearer t", null, null).status());
    }
}
