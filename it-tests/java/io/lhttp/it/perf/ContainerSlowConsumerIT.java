package io.lhttp.it.perf;

import io.lhttp.it.support.ContainerServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SlowConsumerIT}'s stalled reader on WildFly and TomEE: the same WAR, the same options, the
 * same assertions (the stalled client is closed with 1008, every reading subscriber gets every
 * message intact and in order). One server boot per container.
 */
class ContainerSlowConsumerIT {

    @ParameterizedTest
    @EnumSource(ContainerServer.Kind.class)
    void closePolicyClosesTheStalledClientWith1008AndTheOthersGetEverything(ContainerServer.Kind kind)
            throws Exception {
        try (ContainerServer server = ContainerServer.start(kind, SlowConsumerIT.CLOSE_POLICY_OPTIONS)) {
            SlowConsumerIT.assertStalledClientClosedWith1008AndOthersGetEverything(server.wsUri());
        }
    }
}
