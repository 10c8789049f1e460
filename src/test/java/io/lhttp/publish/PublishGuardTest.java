package io.lhttp.publish;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PublishGuardTest {

    @Test
    void loopbackLiteralsOnly() {
        for (String a : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"}) {
            assertTrue(PublishGuard.isLoopback(a), a);
        }
        for (String a :
                new String[] {"192.0.2.2", "10.0.0.1", "::ffff:10.0.0.1", "localhost", "", "garbage", "0.0.0.0"}) {
            assertFalse(PublishGuard.isLoopback(a), a);
        }
        assertFalse(PublishGuard.isLoopback(null));
    }
}
