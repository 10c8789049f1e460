package io.lhttp.it.support;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;

/** Addresses of this machine for tests that must not come from loopback. */
public final class Addresses {

    private Addresses() {}

    /**
     * A non-loopback IPv4 address of this machine (eth0 here and in CI). A connection to a server
     * on all interfaces through it has this address as its source: a client on "another host" as
     * far as the server can tell, without a second machine.
     */
    public static InetAddress external() throws Exception {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nif.isUp() && !nif.isLoopback()) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return a;
                    }
                }
            }
        }
        throw new AssertionError("this machine has no non-loopback IPv4 address to connect from");
    }
}
