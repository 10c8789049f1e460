package io.lhttp.image;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container image's {@code HEALTHCHECK}: exit status 0 when the server's readiness endpoint
 * answers 200, 1 otherwise. Run by the container engine inside the container as
 * {@code java -cp /opt/lhttp/lhttp-healthcheck.jar io.lhttp.image.HealthCheck}, because the only
 * program every base image ({@code BASE_IMAGE}: any image with {@code java} on the PATH) is sure to
 * have is {@code java}: no curl, wget or shell is needed. JDK classes only ({@code java.base}).
 *
 * <p>The URL is the first argument, else {@code LHTTP_HEALTH_URL}, else
 * {@value #DEFAULT_URL} (readiness: DOWN while a configured NATS is not connected).
 */
public final class HealthCheck {

    public static final String DEFAULT_URL = "http://127.0.0.1:8080/health/ready";
    /** Connect and read timeout each; the engine's own timeout (Containerfile) is longer. */
    static final int TIMEOUT_MS = 3_000;

    private HealthCheck() {}

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : System.getenv().getOrDefault("LHTTP_HEALTH_URL", DEFAULT_URL);
        int status = status(url);
        System.out.println(url + " -> " + (status < 0 ? "no answer" : "HTTP " + status));
        System.exit(status == 200 ? 0 : 1);
    }

    /** The HTTP status of GET url, or -1 when there is no answer. */
    static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            c.setUseCaches(false);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
    }
}
