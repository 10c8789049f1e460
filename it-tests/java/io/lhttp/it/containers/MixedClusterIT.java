package io.lhttp.it.containers;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.cluster.NatsNode;
import io.lhttp.it.support.ContainerServer;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One chat room across Payara Micro, WildFly and TomEE over one nats-server: the same WAR on each,
 * configured with {@code -Dlhttp.nats.url} alone. Every instance's client receives what every
 * instance's client publishes, byte for byte and in each publisher's order.
 */
class MixedClusterIT {

    private static final String CHANNEL = "mixed-room";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void clientsOnPayaraWildFlyAndTomEEChatInOneRoom() throws Exception {
        try (NatsNode nats = NatsNode.standalone("mixed").start();
                UberJarServer payara = UberJarServer.start(options(nats, "payara"));
                ContainerServer wildfly =
                        ContainerServer.start(ContainerServer.Kind.WILDFLY, options(nats, "wildfly"));
                ContainerServer tomee = ContainerServer.start(ContainerServer.Kind.TOMEE, options(nats, "tomee"))) {
            Map<String, URI> instances = new LinkedHashMap<>();
            instances.put("payara", payara.wsUri());
            instances.put("wildfly", wildfly.wsUri());
            instances.put("tomee", tomee.wsUri());

            Map<String, SdkClient> clients = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, URI> e : instances.entrySet()) {
                    SdkClient c = SdkClient.connect(e.getValue());
                    clients.put(e.getKey(), c);
                    c.send(frame("chat", "subscribe:" + CHANNEL + "\r\n", ""));
                    ContainerContract.assertNothingBefore(c, "subscribed");
                }
                // The instance's NATS subscription is made asynchronously: wait until nats-server has each.
                for (String name : instances.keySet()) {
                    Instant deadline = Instant.now().plus(DEADLINE);
                    while (nats.subscriptions(name, "lhttp." + CHANNEL) != 1) {
                        assertTrue(Instant.now().isBefore(deadline), name + " subscribed on nats-server");
                        Thread.sleep(50); // polling nats-server's monitor, with a deadline
                    }
                }
                for (Map.Entry<String, SdkClient> from : clients.entrySet()) {
                    for (int i = 0; i < 3; i++) {
                        from.getValue()
                                .send(frame(
                                        "chat", "publish:" + CHANNEL + "\r\n", from.getKey() + " says " + i + " ü€"));
                    }
                    for (Map.Entry<String, SdkClient> to : clients.entrySet()) {
                        for (int i = 0; i < 3; i++) {
                            assertEquals(
                                    frame("chat", "publish:" + CHANNEL + "\r\n", from.getKey() + " says " + i + " ü€"),
                                    to.getValue().next(),
                                    from.getKey() + " -> " + to.getKey());
                        }
                    }
                }
            } finally {
                for (SdkClient c : clients.values()) c.close();
            }
        }
    }

    private static String[] options(NatsNode nats, String name) {
        return new String[] {"-Dlhttp.nats.url=" + nats.url(), "-Dlhttp.instance-name=" + name, "-Xmx512m"};
    }
}
