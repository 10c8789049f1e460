package io.lhttp.it.containers;

import io.lhttp.it.support.ContainerServer;

/** The WAR on WildFly 39 ({@code standalone-microprofile.xml}), unpacked by the build into target/servers/. */
class WildFlyIT extends ContainerContract {

    @Override
    ContainerServer.Kind kind() {
        return ContainerServer.Kind.WILDFLY;
    }
}
