package io.lhttp.it.uberjar;

import io.lhttp.it.support.BatchingChecks;
import io.lhttp.it.support.UberJarServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batch frames (PROTOCOL.md §7) on the Payara Micro uberjar: the checks every container passes (ContainerContract). */
class BatchingIT {

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theSubprotocolIsNegotiatedOnlyWhenOffered() throws Exception {
        BatchingChecks.theSubprotocolIsNegotiatedOnlyWhenOffered(server.wsUri());
    }

    @Test
    void batchesGoOnlyToClientsThatAskedAndKeepOrder() throws Exception {
        BatchingChecks.batchesGoOnlyToClientsThatAskedAndKeepOrder(server.wsUri(), "batch-room", false);
    }

    @Test
    void inboundBatchesAreHandledMessageByMessage() throws Exception {
        BatchingChecks.inboundBatchesAreHandledMessageByMessage(server.wsUri());
    }

    @Test
    void theJavaClientUnpacksTransparently() throws Exception {
        BatchingChecks.theJavaClientUnpacksTransparently(server.wsUri(), "sdk-room");
    }
}
