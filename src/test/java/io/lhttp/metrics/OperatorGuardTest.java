package io.lhttp.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Who may read /lhttp/* (the whole filter against a server: OperateIT), and which keys are secrets. */
class OperatorGuardTest {

    @Test
    void loopbackLiteralsOnly() {
        assertTrue(OperatorGuard.isLoopback("127.0.0.1"));
        assertTrue(OperatorGuard.isLoopback("127.9.9.9"));
        assertTrue(OperatorGuard.isLoopback("::1"));
        assertTrue(OperatorGuard.isLoopback("[::1]"));
        assertFalse(OperatorGuard.isLoopback("10.0.0.1"));
        assertFalse(OperatorGuard.isLoopback("localhost"), "a name is not resolved");
        assertFalse(OperatorGuard.isLoopback(""));
        assertFalse(OperatorGuard.isLoopback(null));
    }

    @Test
    void bearerTokenMustMatchExactly() {
        assertTrue(OperatorGuard.bearerMatches("Bearer t0k", "t0k"));
        assertTrue(OperatorGuard.bearerMatches("bearer  t0k ", "t0k"));
        assertFalse(OperatorGuard.bearerMatches("Bearer t0", "t0k"));
        assertFalse(OperatorGuard.bearerMatches("Basic t0k", "t0k"));
        assertFalse(OperatorGuard.bearerMatches(null, "t0k"));
    }

    @Test
    void secretsAreMaskedSwitchesAreNot() {
        assertTrue(EffectiveConfig.secret("lhttp.publish.token"));
        assertTrue(EffectiveConfig.secret("lhttp.auth.hmac-secret"));
        assertTrue(EffectiveConfig.secret("lhttp.auth.public-key"));
        assertTrue(EffectiveConfig.secret("lhttp.nats.password"));
        assertFalse(EffectiveConfig.secret("lhttp.status.allow-remote-without-token"));
        assertFalse(EffectiveConfig.secret("lhttp.publish.allow-remote-without-token"));
        assertFalse(EffectiveConfig.secret("lhttp.send-queue"));
        assertFalse(EffectiveConfig.secret("lhttp.auth.max-token-chars"), "a size, shown");
        assertFalse(EffectiveConfig.secret("lhttp.auth.public-key-file"), "a path, shown");
        assertFalse(EffectiveConfig.secret("lhttp.metrics.enabled"));
    }
}
