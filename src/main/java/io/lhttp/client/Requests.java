package io.lhttp.client;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** {@link LhttpClient#request}: a frame with a fresh {@code request-id}, and the first frame answering it (PROTOCOL.md §2.1). */
final class Requests {

    /** Request ids: unique per process (prefix) and per request (counter), as the JS SDK's. */
    private static final String REQUEST_PREFIX =
            Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);

    private static final AtomicLong REQUESTS = new AtomicLong();

    private Requests() {}

    static CompletableFuture<Message> request(
            LhttpClient client, String command, List<Header> headers, String body, Duration timeout) {
        String id = REQUEST_PREFIX + "-" + Long.toString(REQUESTS.incrementAndGet(), 36);
        List<Header> pairs = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().trim().equalsIgnoreCase("request-id")) {
                pairs.add(h);
            }
        }
        pairs.add(new Header("request-id", id));
        CompletableFuture<Message> answer = new CompletableFuture<>();
        // Listeners rather than a table in the read path: a request is rare next to the frames it waits among.
        Runnable[] removers = {
            client.onMessage(m -> {
                if (id.equals(m.header("request-id"))) {
                    answer.complete(m);
                }
            }),
            client.onSubscribed(s -> {
                if (id.equals(s.message().header("request-id"))) {
                    answer.complete(s.message());
                }
            }),
            client.onError(e -> {
                if (e.message() != null && id.equals(e.message().header("request-id"))) {
                    answer.completeExceptionally(new LhttpClient.RequestException(e.code(), e.reason(), e.message()));
                }
            }),
            client.onStateChange(s -> {
                if (s == LhttpClient.State.CLOSED) {
                    answer.completeExceptionally(new LhttpClient.RequestException(0, "the client is closed", null));
                }
            })
        };
        answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, error) -> {
            for (Runnable r : removers) {
                r.run();
            }
        });
        try {
            client.send(command, pairs, body);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                e instanceof TimeoutException
                        ? new LhttpClient.RequestException(0, "no answer within " + timeout.toMillis() + " ms", null)
                        : e));
    }
}
