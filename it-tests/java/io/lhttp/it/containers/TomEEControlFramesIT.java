package io.lhttp.it.containers;

import io.lhttp.it.support.ContainerServer;
import java.net.URI;

/** {@link ControlFramesContract} on TomEE 9 (Tomcat). */
class TomEEControlFramesIT extends ControlFramesContract {

    private ContainerServer server;

    @Override
    URI start(String... jvmOptions) {
        server = ContainerServer.start(ContainerServer.Kind.TOMEE, jvmOptions);
        return server.wsUri();
    }

    @Override
    void stop() {
        if (server != null) server.close();
    }
}
