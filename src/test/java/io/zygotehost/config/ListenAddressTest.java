package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

    @Test
    void barePortMeansAllIpv4Interfaces() {
        // Proves "8080" binds 0.0.0.0:8080.
        assertEquals(new ListenAddress("0.0.0.0", 8080), ListenAddress.parse("8080"));
    }

    @Test
    void ipv4HostAndPort() {
        // Proves a literal IPv4 host is kept as written.
        ListenAddress address = ListenAddress.parse("10.1.2.3:9000");
        assertEquals("10.1.2.3", address.host());
        assertEquals(9000, address.port());
        assertEquals("10.1.2.3:9000", address.toString());
    }

    @Test
    void localhostMeansIpv4Loopback() {
        // Proves localhost is turned into 127.0.0.1 without a name lookup.
        assertEquals(new ListenAddress("127.0.0.1", 8080), ListenAddress.parse("localhost:8080"));
        assertEquals(new ListenAddress("127.0.0.1", 8080), ListenAddress.parse("LocalHost:8080"));
    }

    @Test
    void ipv6InBracketsIsCompressed() {
        // Proves IPv6 literals parse, are stored in RFC 5952 form without brackets, and print with brackets.
        ListenAddress loopback = ListenAddress.parse("[::1]:8080");
        assertEquals("::1", loopback.host());
        assertEquals("[::1]:8080", loopback.toString());
        assertEquals("::", ListenAddress.parse("[::]:80").host());
        assertEquals("2001:db8::1", ListenAddress.parse("[2001:0DB8:0:0:0:0:0:1]:443").host());
        assertEquals("2001:db8:0:1::1", ListenAddress.parse("[2001:db8:0:1:0:0:0:1]:443").host());
        assertEquals("fe80::1:0:0:1", ListenAddress.parse("[fe80:0:0:0:1:0:0:1]:443").host());
        assertEquals(ListenAddress.parse("[::1]:8080"), ListenAddress.parse(loopback.toString()));
    }

    @Test
    void loopbackDetection() {
        // Proves isLoopback is true for 127/8 and ::1 only.
        assertTrue(ListenAddress.parse("127.0.0.1:1").isLoopback());
        assertTrue(ListenAddress.parse("127.9.9.9:1").isLoopback());
        assertTrue(ListenAddress.parse("[::1]:1").isLoopback());
        assertFalse(ListenAddress.parse("1").isLoopback());
        assertFalse(ListenAddress.parse("[::]:1").isLoopback());
        assertFalse(ListenAddress.parse("192.168.1.1:1").isLoopback());
    }

    @Test
    void socketAddressIsResolvedWithoutLookup() {
        // Proves toSocketAddress gives a resolved address with the right IP and port.
        InetSocketAddress socket = ListenAddress.parse("[::1]:8443").toSocketAddress();
        assertFalse(socket.isUnresolved());
        assertEquals(InetAddress.ofLiteral("::1"), socket.getAddress());
        assertEquals(8443, socket.getPort());
        assertEquals(InetAddress.ofLiteral("0.0.0.0"), ListenAddress.parse("80").toSocketAddress().getAddress());
    }

    @Test
    void overlapsCoversWildcards() {
        // Proves the same port on the same host, or on a wildcard host, counts as a clash.
        ListenAddress any = ListenAddress.parse("8080");
        assertTrue(any.overlaps(ListenAddress.parse("127.0.0.1:8080")));
        assertTrue(ListenAddress.parse("[::1]:8080").overlaps(ListenAddress.parse("[::]:8080")));
        assertFalse(any.overlaps(ListenAddress.parse("8081")));
        assertFalse(ListenAddress.parse("127.0.0.1:8080").overlaps(ListenAddress.parse("127.0.0.2:8080")));
    }

    @Test
    void badTextIsRefusedWithAFix() {
        // Proves names, missing ports, bad ports and unbracketed IPv6 are refused, each with a suggestion.
        assertFix("example.com:80", "0.0.0.0:80");
        assertFix("::1:8080", "write [::1]:8080");
        assertFix("127.0.0.1", "write 127.0.0.1:8080");
        assertFix("*:8080", "write 0.0.0.0:8080");
        assertFix("[::1]", "write [::1]:8080");
        for (String bad : new String[] {"", "0", "65536", "99999999999", "1.2.3:80", "1.2.3.256:80", "01.2.3.4:80",
                "[1.2.3.4]:80", "[::g]:80", "[fe80::1%eth0]:80", "127.0.0.1:http", "[::1:80"}) {
            assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad), bad);
        }
    }

    private static void assertFix(String text, String expectedInFix) {
        BadValueException e = assertThrows(BadValueException.class, () -> ListenAddress.parse(text));
        assertTrue(e.fix() != null && e.fix().contains(expectedInFix), text + " -> " + e.fix());
    }
}
