package io.lhttp.proxy;

import io.lhttp.memory.MemoryConfig;
import io.lhttp.upstream.LimitedBody;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks the backend: POSTs one JSON object to a proxy URL and reads one JSON object back, under the
 * rules of {@code upstream} (docs/UPSTREAM.md): one deadline for connect, headers and body
 * ({@code lhttp.proxy.timeout}), a cap on the answer ({@code lhttp.proxy.max-response-bytes},
 * counted in the memory budget), redirects never followed, and at most
 * {@code lhttp.proxy.max-in-flight} calls running on the instance: one more fails at once, without
 * a request. Every failure is a {@link Failure}: the callers refuse, never allow.
 *
 * <p>The caller's thread waits for the answer (a handshake's request thread, a subscribe's socket
 * thread): what the backend says decides what happens next, in order. The concurrency bound keeps
 * a slow backend from holding more than that many of the container's threads.
 */
@ApplicationScoped
public class ProxyClient {

    private static final Logger LOG = Logger.getLogger(ProxyClient.class.getName());

    @Inject
    ProxyConfig proxy;

    @Inject
    MemoryConfig memory;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    private ScheduledThreadPoolExecutor executor;
    private HttpClient client;
    private LimitedBody bodyHandler;
    private Semaphore slots;

    @PostConstruct
    void start() {
        executor = new ScheduledThreadPoolExecutor(1, threadFactory);
        client = HttpClient.newBuilder()
                .executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(proxy.timeout())
                .build();
        bodyHandler = new LimitedBody(proxy.maxResponseBytes(), memory.memoryBudget());
        slots = new Semaphore(proxy.maxInFlight());
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /** Why the backend gave no usable answer; the message is safe to show a client. */
    public static final class Failure extends Exception {

        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * POSTs {@code request} to {@code url} and returns the answer's JSON object.
     *
     * @throws Failure busy (over the concurrency bound), unreachable, too slow, answered other than
     *                 200, too large, or not a JSON object
     */
    public JsonObject ask(URI url, JsonObject request) throws Failure {
        if (!slots.tryAcquire()) {
            throw new Failure("too many backend calls running: at most " + proxy.maxInFlight());
        }
        try {
            HttpRequest http = HttpRequest.newBuilder(url)
                    .timeout(proxy.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString(), StandardCharsets.UTF_8))
                    .build();
            CompletableFuture<HttpResponse<String>> answer = client.sendAsync(http, bodyHandler);
            HttpResponse<String> response;
            try {
                // The request timeout covers the headers only; this covers the body too.
                response = answer.get(proxy.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                throw new Failure(
                        "backend did not answer within " + proxy.timeout().toMillis() + " ms");
            } catch (InterruptedException e) {
                answer.cancel(true);
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof LimitedBody.TooLarge tooLarge) {
                    throw new Failure(
                            tooLarge instanceof LimitedBody.OverBudget
                                    ? tooLarge.getMessage()
                                    : "backend answer larger than " + proxy.maxResponseBytes() + " bytes");
                }
                if (cause instanceof java.net.http.HttpTimeoutException) {
                    throw new Failure(
                            "backend did not answer within " + proxy.timeout().toMillis() + " ms");
                }
                LOG.log(Level.FINE, "proxy call to {0} failed: {1}", new Object[] {url, cause});
                throw new Failure("backend unreachable");
            }
            if (response.statusCode() != 200) {
                throw new Failure("backend answered " + response.statusCode());
            }
            try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
                return reader.readObject();
            } catch (JsonException | IllegalStateException e) {
                throw new Failure("backend answer is not a JSON object");
            }
        } finally {
            slots.release();
        }
    }
}
