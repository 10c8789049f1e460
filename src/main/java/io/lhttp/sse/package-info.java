/**
 * Server-Sent Events subscribers (PROTOCOL.md §8): {@code GET /events?channel=…} through JAX-RS's own
 * SSE API. An adapter: each stream is one more {@link io.lhttp.channel.Subscriber} of the same
 * {@link io.lhttp.channel.ChannelRegistry} the WebSocket connections use, admitted by the same rules.
 */
package io.lhttp.sse;
