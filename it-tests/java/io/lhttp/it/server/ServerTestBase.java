package io.lhttp.it.server;

import static io.lhttp.it.support.Frames.frame;

import io.lhttp.it.support.SdkClient;
import java.io.File;
import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR exactly as built ({@code target/lhttp.war}), plus a processor, a header filter and an
 * open observer that exist only in the test deployment: proof that users extend the server with
 * plain CDI beans. Runs in a real Payara Micro started by Arquillian; clients connect over
 * loopback.
 */
abstract class ServerTestBase {

    static final String TOKEN = "it-secret";
    static final int MAX_CHANNELS = 8;

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("lhttp.war", "target/lhttp.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war)
                .addClasses(
                        ShoutProcessor.class,
                        DenyFilter.class,
                        StatsProcessor.class,
                        OpenedObserver.class,
                        MembersOnlyPermissions.class);
    }

    /** The server's own address may be a public interface: always talk to it over loopback. */
    URI http(String path) {
        String context = base.getPath().endsWith("/") ? base.getPath() : base.getPath() + "/";
        return URI.create("http://127.0.0.1:" + base.getPort() + context + path);
    }

    URI ws() {
        String context = base.getPath().endsWith("/") ? base.getPath() : base.getPath() + "/";
        return URI.create("ws://127.0.0.1:" + base.getPort() + context);
    }

    SdkClient client() throws Exception {
        return SdkClient.connect(ws());
    }

    /**
     * Proves that nothing else was received before: asks the server to echo a unique marker and
     * expects it as the very next frame. Frames from the same server thread are ordered, so
     * anything sent to this client earlier would arrive first.
     */
    static void assertNothingBefore(SdkClient client, String marker) throws Exception {
        String echo = frame("echo", "", marker);
        client.send(echo);
        org.junit.jupiter.api.Assertions.assertEquals(echo, client.next(), "expected nothing before the marker");
    }
}
