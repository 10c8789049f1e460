package io.lhttp.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for the servers the tests start. Taken from 20000–32767, below Linux's
 * ephemeral range (32768–60999): a server that binds its port only at the end of a long boot
 * must not lose it meanwhile to an outgoing connection or to a tool that asks the kernel for
 * "any free port" (chromedriver does). Never the same port twice in one test JVM.
 */
public final class Ports {

    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /** A loopback port free now, not handed out before by this JVM. */
    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_768);
            if (!TAKEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IllegalStateException("no free loopback port in 20000-32767");
    }
}
