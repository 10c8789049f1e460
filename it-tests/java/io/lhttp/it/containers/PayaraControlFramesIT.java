package io.lhttp.it.containers;

import io.lhttp.it.support.UberJarServer;
import java.net.URI;

/** {@link ControlFramesContract} on the uberjar (Payara Micro, Tyrus). */
class PayaraControlFramesIT extends ControlFramesContract {

    private UberJarServer server;

    @Override
    URI start(String... jvmOptions) {
        server = UberJarServer.start(jvmOptions);
        return server.wsUri();
    }

    @Override
    void stop() {
        if (server != null) server.close();
    }
}
