package io.lhttp.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an upstream response body as text, but never more than a limit: a backend that answers
 * with gigabytes costs at most the limit in memory, and the call fails with {@link TooLarge}.
 * The charset is the Content-Type's, UTF-8 by default. What is read so far counts in the memory
 * budget (issue 18) until the body is complete; a body that would pass the budget's new-work mark
 * fails with {@link OverBudget}.
 */
public final class LimitedBody implements HttpResponse.BodyHandler<String> {

    private final int maxBytes;
    private final io.lhttp.memory.MemoryBudget budget;

    LimitedBody(int maxBytes) {
        this(maxBytes, new io.lhttp.memory.MemoryBudget(Long.MAX_VALUE));
    }

    public LimitedBody(int maxBytes, io.lhttp.memory.MemoryBudget budget) {
        this.maxBytes = maxBytes;
        this.budget = budget;
    }

    @Override
    public HttpResponse.BodySubscriber<String> apply(HttpResponse.ResponseInfo info) {
        long declared = info.headers().firstValueAsLong("content-length").orElse(-1L);
        return new Subscriber(
                maxBytes,
                declared,
                charset(info.headers().firstValue("content-type").orElse("")),
                budget);
    }

    static Charset charset(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                String name = p.substring("charset=".length()).replace("\"", "").trim();
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException unknown) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** The response body was larger than the limit. */
    public static class TooLarge extends IOException {

        private static final long serialVersionUID = 1L;

        TooLarge(int maxBytes) {
            this("upstream response larger than " + maxBytes + " bytes");
        }

        TooLarge(String message) {
            super(message, null);
        }
    }

    /** The server's memory budget had no room for the body. */
    public static final class OverBudget extends TooLarge {

        private static final long serialVersionUID = 1L;

        OverBudget() {
            super("server memory budget full: try again later");
        }
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<String> {

        private final int maxBytes;
        private final long declared;
        private final Charset charset;
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;
        private final io.lhttp.memory.MemoryBudget budget;
        private long taken; // bytes counted in the budget; given back when the body ends either way

        Subscriber(int maxBytes, long declared, Charset charset, io.lhttp.memory.MemoryBudget budget) {
            this.maxBytes = maxBytes;
            this.declared = declared;
            this.charset = charset;
            this.budget = budget;
        }

        private void giveBack() {
            budget.give(io.lhttp.memory.MemoryBudget.Use.UPSTREAM, taken);
            taken = 0;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declared > maxBytes) {
                s.cancel();
                result.completeExceptionally(new TooLarge(maxBytes));
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                if (bytes.size() + b.remaining() > maxBytes) {
                    subscription.cancel();
                    giveBack();
                    result.completeExceptionally(new TooLarge(maxBytes));
                    return;
                }
                if (!budget.tryTake(io.lhttp.memory.MemoryBudget.Use.UPSTREAM, b.remaining())) {
                    subscription.cancel();
                    giveBack();
                    result.completeExceptionally(new OverBudget());
                    return;
                }
                taken += b.remaining();
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            giveBack();
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            giveBack(); // the text goes on as a frame, counted in the client's send queue
            result.complete(bytes.toString(charset));
        }
    }
}
