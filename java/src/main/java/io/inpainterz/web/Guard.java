package io.inpainterz.web;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The checks every request passes before a handler runs (OWASP: DNS rebinding, cross-site
 * requests). {@code Host} must name this server: a page on another site whose name an attacker
 * re-points at 127.0.0.1 sends its own name and is refused. {@code Origin}, when a browser sends
 * one, must be this server's own, and a {@code Sec-Fetch-Site: cross-site} API request is
 * refused. Off loopback every request must carry the token (a cookie the page sets from
 * {@code /?token=...}, or {@code Authorization: Bearer ...}).
 */
final class Guard {
    static final String COOKIE = "inpainterz_token";

    /** Why a request is refused: the HTTP status and a message for the user. */
    record Refusal(int status, String message) {}

    private final Set<String> authorities; // lower-case host[:port] as a Host header carries it
    private final Set<String> origins;     // scheme://host[:port]
    private final String token;

    Guard(Set<String> authorities, Set<String> origins, String token) {
        this.authorities = Set.copyOf(authorities);
        this.origins = Set.copyOf(origins);
        this.token = token;
    }

    /**
     * The guard of a server bound to {@code bound} on {@code port}: loopback names on loopback;
     * off loopback also this machine's addresses and names; then {@code allowHosts} and
     * {@code publicUrl}'s host (a TLS proxy in front).
     */
    static Guard forServer(InetAddress bound, int port, String token, URI publicUrl, Iterable<String> allowHosts) {
        Set<String> hosts = new LinkedHashSet<>();
        hosts.add("localhost");
        hosts.add("127.0.0.1");
        hosts.add("[::1]");
        if (!bound.isLoopbackAddress()) {
            if (!bound.isAnyLocalAddress()) {
                hosts.add(literal(bound));
            } else {
                try {
                    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                        for (InetAddress a : Collections.list(ni.getInetAddresses())) hosts.add(literal(a));
                    }
                } catch (SocketException ignored) {
                    // no interface list: the loopback names, --allow-host and --public-url remain
                }
            }
            try {
                InetAddress self = InetAddress.getLocalHost();
                hosts.add(self.getHostName().toLowerCase(Locale.ROOT));
                hosts.add(self.getCanonicalHostName().toLowerCase(Locale.ROOT));
            } catch (java.io.IOException ignored) {
                // no name for this machine: --allow-host gives one
            }
        }
        for (String h : allowHosts) hosts.add(h.strip().toLowerCase(Locale.ROOT));
        Set<String> authorities = new LinkedHashSet<>(), origins = new LinkedHashSet<>();
        for (String h : hosts) {
            authorities.add(h + ":" + port);
            origins.add("http://" + h + ":" + port);
            if (port == 80) {
                authorities.add(h);
                origins.add("http://" + h);
            }
        }
        if (publicUrl != null) {
            String scheme = publicUrl.getScheme().toLowerCase(Locale.ROOT);
            String auth = publicUrl.getHost().toLowerCase(Locale.ROOT) + (publicUrl.getPort() == -1 ? "" : ":" + publicUrl.getPort());
            authorities.add(auth);
            origins.add(scheme + "://" + auth);
        }
        return new Guard(authorities, origins, token);
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int zone = s.indexOf('%');
        if (zone >= 0) s = s.substring(0, zone);
        return (a instanceof java.net.Inet6Address ? "[" + s + "]" : s).toLowerCase(Locale.ROOT);
    }

    Set<String> origins() {
        return origins;
    }

    boolean needsToken() {
        return token != null;
    }

    /**
     * Null when the request may go on, else why not.
     *
     * @param api           whether the path is under /api/
     * @param authorization the Authorization header or null
     * @param cookieToken   the token cookie or null
     * @param queryToken    {@code ?token=} of a page request (the page sets the cookie from it), or null
     */
    Refusal check(String host, String origin, String fetchSite, boolean api, String authorization, String cookieToken, String queryToken) {
        if (host == null || !authorities.contains(host.strip().toLowerCase(Locale.ROOT))) {
            return new Refusal(421, "this server does not answer to host '" + host + "' (DNS rebinding protection; use --allow-host NAME or --public-url URL)");
        }
        if (origin != null && !origins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
            return new Refusal(403, "cross-site request from origin '" + origin + "' refused");
        }
        if (api && "cross-site".equalsIgnoreCase(fetchSite)) return new Refusal(403, "cross-site request refused");
        if (token != null) {
            String given = null;
            if (authorization != null && authorization.startsWith("Bearer ")) given = authorization.substring(7).strip();
            else if (cookieToken != null) given = cookieToken;
            else if (queryToken != null && !api) given = queryToken;
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return new Refusal(401, given == null ? "this server needs its token: open the URL it printed at start-up (…/?token=…)"
                        : "wrong token");
            }
        }
        return null;
    }
}
