package com.example.chat;

import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.Publisher;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each room's member list and tells the room who comes and goes.
 *
 * <p>A page joins with {@code lhttp.subscribe(room, "join", {nick})}, i.e. the frame
 * {@code LHTTP/1.0 join} with headers {@code nick: bob} and {@code subscribe: <room>}. This
 * processor runs before the built-in subscribe filter: it records the member, answers the joiner
 * with {@code members} (the list, one nick a line) and publishes {@code joined} to the room with
 * {@link Exchange#publish(String, Message)}; then the subscribe filter subscribes the connection.
 * When the connection closes, {@code left} is published through the injected {@link Publisher}.
 */
@ApplicationScoped
public class RoomProcessor {

    /** Members of one room at most: the list is sent whole to every joiner. */
    static final int MAX_MEMBERS = 500;
    /** Longest nick, in characters. */
    static final int MAX_NICK = 40;

    private static final String ROOM = "chat.room";
    private static final String NICK = "chat.nick";

    @Inject
    Publisher channels;

    private final Map<String, Set<String>> rooms = new ConcurrentHashMap<>();

    void join(@Observes @Command("join") Exchange ex) {
        String room = ex.header("subscribe");
        String nick = ex.header("nick");
        if (room == null || room.contains(" ") || nick == null || nick.isBlank() || nick.length() > MAX_NICK) {
            ex.fail(400, "join needs one room (subscribe header) and a nick of 1-" + MAX_NICK + " characters");
            return;
        }
        if (ex.attributes().putIfAbsent(ROOM, room) != null) {
            ex.fail(400, "this connection has joined a room already");
            return;
        }
        Set<String> members = rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet());
        if (members.size() >= MAX_MEMBERS || !members.add(nick)) {
            ex.attributes().remove(ROOM);
            ex.fail(409, members.contains(nick) ? "nick taken in this room" : "room is full");
            return;
        }
        ex.attributes().put(NICK, nick);
        ex.connection().send(Message.of("members", String.join("\n", members)));
        // To everyone already in the room, on every instance; the joiner is subscribed just after this.
        // ex.publish is Publisher.publish for processors.
        ex.publish(room, Message.of("joined", List.of(new Header("nick", nick), new Header("room", room)), ""));
    }

    void left(@Observes @Closed ClientConnection connection) {
        String room = (String) connection.attributes().get(ROOM);
        String nick = (String) connection.attributes().get(NICK);
        if (room == null || nick == null) {
            return;
        }
        Set<String> members = rooms.get(room);
        if (members != null) {
            members.remove(nick);
            rooms.computeIfPresent(room, (r, m) -> m.isEmpty() ? null : m);
        }
        channels.publish(room, Message.of("left", List.of(new Header("nick", nick), new Header("room", room)), ""));
    }

    /** The room's members now (for tests and pages). */
    public Set<String> members(String room) {
        return Set.copyOf(rooms.getOrDefault(room, Set.of()));
    }
}
