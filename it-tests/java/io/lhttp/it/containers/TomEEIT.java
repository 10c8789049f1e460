package io.lhttp.it.containers;

import io.lhttp.it.support.ContainerServer;

/** The WAR on TomEE 9 MicroProfile (Tomcat 10.0, Jakarta EE 9.1), unpacked by the build into target/servers/. */
class TomEEIT extends ContainerContract {

    @Override
    ContainerServer.Kind kind() {
        return ContainerServer.Kind.TOMEE;
    }
}
