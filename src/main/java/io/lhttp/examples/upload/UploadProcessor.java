package io.lhttp.examples.upload;

import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.Part;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.util.List;

/**
 * The original README's multipart example: command {@code upload} answers the sender with one
 * frame whose body is a JSON array of the message's parts, in order:
 * {@code [{"headers":{"k1":"v1"},"body":"body1"},…]} (header keys and values as the server
 * interprets them: trimmed, the last of repeated keys). The answer carries only
 * {@code content-type:application/json}, not the request's {@code multipart} header, whose
 * offsets would not fit the JSON body; the request itself is left as sent, so it is still
 * published unchanged when it has a {@code publish} header.
 */
@ApplicationScoped
public class UploadProcessor {

    void upload(@Observes @Command("upload") Exchange ex) {
        JsonArrayBuilder parts = Json.createArrayBuilder();
        for (Part part : ex.parts()) {
            JsonObjectBuilder headers = Json.createObjectBuilder();
            for (Header h : part.headers()) {
                headers.add(h.key().trim(), h.trimmedValue()); // a repeated key replaces: last wins
            }
            parts.add(Json.createObjectBuilder().add("headers", headers).add("body", part.body()));
        }
        ex.connection()
                .send(Message.of(
                        ex.command(),
                        List.of(new Header("content-type", "application/json")),
                        parts.build().toString()));
    }
}
