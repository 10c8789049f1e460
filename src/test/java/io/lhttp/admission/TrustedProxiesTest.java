package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    @Test
    void cidrBlocksContainExactlyTheirAddresses() {
        TrustedProxies p = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7 ,172.16.0.0/12,2001:db8::/32");
        assertTrue(p.trusts("10.0.0.0"));
        assertTrue(p.trusts("10.255.255.255"));
        assertFalse(p.trusts("11.0.0.0"));
        assertFalse(p.trusts("9.255.255.255"));
        assertTrue(p.trusts("192.168.1.7"));
        assertFalse(p.trusts("192.168.1.8"));
        assertTrue(p.trusts("172.31.255.255"));
        assertFalse(p.trusts("172.32.0.0"));
        assertTrue(p.trusts("2001:db8:ffff::1"));
        assertTrue(p.trusts("2001:0db8:0:0:0:0:0:1"));
        assertFalse(p.trusts("2001:db9::1"));
        assertFalse(p.trusts("10.0.0.1.5"));
        assertFalse(p.trusts("not-an-address"));
        assertFalse(p.trusts(""));
        assertEquals("10.0.0.0/8,192.168.1.7,172.16.0.0/12,2001:db8::/32", p.toString());
    }

    @Test
    void oddPrefixLengthsMaskInsideAByte() {
        TrustedProxies p = TrustedProxies.parse("192.168.1.64/26");
        assertTrue(p.trusts("192.168.1.64"));
        assertTrue(p.trusts("192.168.1.127"));
        assertFalse(p.trusts("192.168.1.63"));
        assertFalse(p.trusts("192.168.1.128"));
        TrustedProxies all = TrustedProxies.parse("0.0.0.0/0");
        assertTrue(all.trusts("8.8.8.8"));
        assertFalse(all.trusts("::1"), "an IPv4 block never holds an IPv6 address");
    }

    @Test
    void badEntriesAreRefusedByName() {
        for (String bad : List.of(
                "example.com",
                "10.0.0.0/33",
                "10.0.0/8",
                "256.1.1.1",
                "10.0.0.0/",
                "::1/129",
                "10.0.0.0/-1",
                "1.2.3.4/8/8")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void emptyTrustsNoOneAndIgnoresTheHeader() {
        TrustedProxies none = TrustedProxies.parse(" , ");
        assertTrue(none.isEmpty());
        assertEquals("none", none.toString());
        assertEquals("10.0.0.5", none.clientAddress("10.0.0.5", List.of("1.2.3.4")));
        assertEquals("10.0.0.5", TrustedProxies.none().clientAddress("10.0.0.5", List.of("1.2.3.4")));
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItForwards() {
        TrustedProxies p = TrustedProxies.parse("10.0.0.0/8");
        assertEquals("203.0.113.9", p.clientAddress("203.0.113.9", List.of("10.1.1.1", "1.2.3.4")));
    }

    @Test
    void aTrustedPeerGivesTheRightmostUntrustedEntry() {
        TrustedProxies p = TrustedProxies.parse("10.0.0.0/8");
        // The client wrote "6.6.6.6" itself; the first proxy appended the real peer 198.51.100.7.
        assertEquals("198.51.100.7", p.clientAddress("10.0.0.2", List.of("6.6.6.6, 198.51.100.7")));
        // Two trusted proxies in a row.
        assertEquals("198.51.100.7", p.clientAddress("10.0.0.2", List.of("6.6.6.6, 198.51.100.7, 10.0.0.3")));
        // Several header lines count as one list, in order.
        assertEquals("198.51.100.7", p.clientAddress("10.0.0.2", List.of("6.6.6.6", "198.51.100.7", "10.0.0.3")));
        // v4:port and [v6]:port forms; IPv6 given in its canonical form.
        assertEquals("198.51.100.7", p.clientAddress("10.0.0.2", List.of("198.51.100.7:5555")));
        assertEquals("2001:db8:0:0:0:0:0:1", p.clientAddress("10.0.0.2", List.of("[2001:db8::1]:443")));
    }

    @Test
    void garbageOrAllTrustedStopsAtTheLastAddressKnown() {
        TrustedProxies p = TrustedProxies.parse("10.0.0.0/8");
        assertEquals("10.0.0.2", p.clientAddress("10.0.0.2", List.of("unknown")));
        assertEquals("10.0.0.9", p.clientAddress("10.0.0.2", List.of("evil.example, 10.0.0.9")));
        assertEquals("10.0.0.8", p.clientAddress("10.0.0.2", List.of("10.0.0.8, 10.0.0.9")));
        assertEquals("10.0.0.2", p.clientAddress("10.0.0.2", List.of()));
        assertEquals("10.0.0.2", p.clientAddress("10.0.0.2", Collections.emptyEnumeration()));
        assertEquals("198.51.100.7", p.clientAddress("10.0.0.2", Collections.enumeration(List.of("198.51.100.7"))));
    }

    @Test
    void hostNamesAreNeverLookedUp() {
        assertEquals(null, TrustedProxies.literal("localhost"));
        assertEquals(null, TrustedProxies.literal("cafe")); // hex letters but no colon: not IPv6
        assertEquals(4, TrustedProxies.literal("::ffff:10.0.0.1").length);
    }
}
