package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /health/ready}: DOWN while a configured NATS is not connected, because this instance
 * then refuses publishes (503) and receives nothing from the other instances; a load balancer
 * should send new clients elsewhere. Always UP on the in-process bus. Liveness is not affected:
 * the process is healthy and reconnects by itself.
 */
@Readiness
@ApplicationScoped
public class BusReadiness implements HealthCheck {

    @Inject
    Bus bus;

    @Override
    public HealthCheckResponse call() {
        // Status only: /health is open to every host (load balancers), and a bus description could
        // name servers and, before it was masked, credentials; operators read it in the status JSON.
        return HealthCheckResponse.named("lhttp-bus").status(bus.isConnected()).build();
    }
}
