/**
 * <b>Public API.</b> The LHTTP/1.0 codec (PROTOCOL.md): {@link io.lhttp.protocol.Message},
 * {@link io.lhttp.protocol.Header}, {@link io.lhttp.protocol.ChannelNames}, the parser and writer,
 * multipart parts. Plain Java, no {@code jakarta.*}: usable in clients and tools too.
 */
package io.lhttp.protocol;
