package com.example.chat;

import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.TreeSet;

/**
 * Answering asynchronously: {@code LHTTP/1.0 who} with header {@code room: <room>} is answered
 * {@code members} (one nick a line) from a container-managed thread, as a processor does when the
 * answer needs slow work (a database, another service). The processor returns at once, so the
 * connection's next message is not held up; the other thread answers through
 * {@link ClientConnection#send}, which is thread-safe and never blocks. The exchange itself stays on the
 * processor's thread: take what the task needs from it before submitting.
 */
@ApplicationScoped
public class WhoProcessor {

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    @Inject
    RoomProcessor rooms;

    void who(@Observes @Command("who") Exchange ex) {
        String room = ex.header("room");
        if (room == null) {
            ex.fail(400, "who needs a room header");
            return;
        }
        ClientConnection connection = ex.connection();
        executor.submit(() -> {
            String members = String.join("\n", new TreeSet<>(rooms.members(room))); // the "slow" work
            connection.send(Message.of("members", List.of(new Header("room", room)), members));
        });
    }
}
