package io.zygotehost.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An address to bind: a literal IP and a port. Host names other than {@code localhost} are refused, because a
 * name could resolve to something else tomorrow and the master would silently bind elsewhere.
 *
 * @param host a literal IP, IPv6 in compressed form without brackets ({@code "::1"})
 */
public record ListenAddress(String host, int port) {

    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    // Leading zeros are refused: some tools read "010" as octal.
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    public ListenAddress {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /**
     * Parses {@code 8080} (all interfaces, IPv4), {@code 127.0.0.1:8080}, {@code [::1]:8080} or
     * {@code localhost:8080} (meaning 127.0.0.1).
     *
     * @throws IllegalArgumentException with a message saying what is wrong; it is a {@code BadValueException}
     *                                  carrying a suggested fix
     */
    public static ListenAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new BadValueException("expected an address such as 8080 or 127.0.0.1:8080, got nothing",
                    "write a port, e.g. 8080");
        }
        if (DIGITS.matcher(s).matches()) {
            return new ListenAddress("0.0.0.0", parsePort(s, text));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new BadValueException("missing ']' in \"" + text + "\"", "write [::1]:8080");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new BadValueException("missing port in \"" + text + "\"", "write " + s.substring(0, close + 1) + ":8080");
            }
            port = rest.substring(1);
            return new ListenAddress(ipv6(host, text), parsePort(port, text));
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new BadValueException("missing port in \"" + text + "\"", "write " + s + ":8080");
        }
        if (s.indexOf(':', colon + 1) >= 0) {
            throw new BadValueException("an IPv6 address needs brackets before the port, got \"" + text + "\"",
                    "write [" + s.substring(0, s.lastIndexOf(':')) + "]" + s.substring(s.lastIndexOf(':')));
        }
        host = s.substring(0, colon);
        port = s.substring(colon + 1);
        int portNumber = parsePort(port, text);
        if (host.isEmpty() || host.equals("*")) {
            throw new BadValueException("missing host in \"" + text + "\"",
                    "write 0.0.0.0:" + portNumber + " (all interfaces), or just " + portNumber);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return new ListenAddress("127.0.0.1", portNumber);
        }
        if (!IPV4.matcher(host).matches()) {
            throw new BadValueException("host must be a literal IP address or localhost, got \"" + host + "\"",
                    "write the address to bind, e.g. 0.0.0.0:" + portNumber + " for all interfaces or 127.0.0.1:"
                            + portNumber + " for this machine only");
        }
        return new ListenAddress(host, portNumber);
    }

    public InetSocketAddress toSocketAddress() {
        // ofLiteral never does a name lookup.
        return new InetSocketAddress(InetAddress.ofLiteral(host), port);
    }

    public boolean isLoopback() {
        return InetAddress.ofLiteral(host).isLoopbackAddress();
    }

    /** True for 0.0.0.0 and ::, which take the port on every interface. */
    public boolean isWildcard() {
        return InetAddress.ofLiteral(host).isAnyLocalAddress();
    }

    /** True when binding both would clash: same port, and the same host or either one on every interface. */
    public boolean overlaps(ListenAddress other) {
        return port == other.port && (host.equals(other.host) || isWildcard() || other.isWildcard());
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int parsePort(String port, String text) {
        if (!DIGITS.matcher(port).matches()) {
            throw new BadValueException("expected a port number, got \"" + port + "\" in \"" + text + "\"",
                    "use a port from 1 to 65535, e.g. 8080");
        }
        int value = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new BadValueException("port must be 1..65535, got " + port, "use a port from 1 to 65535");
        }
        return value;
    }

    private static String ipv6(String host, String text) {
        if (host.indexOf('%') >= 0) {
            throw new BadValueException("zone ids are not supported, got \"" + text + "\"",
                    "use an address without %zone, e.g. [::]");
        }
        InetAddress address;
        try {
            address = host.indexOf(':') >= 0 ? InetAddress.ofLiteral(host) : null;
        } catch (IllegalArgumentException e) {
            address = null;
        }
        if (address == null) {
            throw new BadValueException("expected an IPv6 address inside [], got \"" + host + "\"",
                    "write e.g. [::1]:8080, or an IPv4 address without brackets");
        }
        // An IPv4-mapped address comes back as IPv4; keep it in its simplest form.
        return address instanceof Inet6Address ? compress(address.getAddress()) : address.getHostAddress();
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
    private static String compress(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }
}
