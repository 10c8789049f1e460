/**
 * <b>Public API.</b> What an application writes: processors ({@code @Observes @Command("name")
 * Exchange}), header filters ({@link io.lhttp.processor.HeaderFilter} interceptors), the
 * connection events ({@link io.lhttp.processor.Opened}, {@link io.lhttp.processor.Closed}) and the
 * {@link io.lhttp.processor.Exchange} they work on, the client's connection
 * ({@link io.lhttp.processor.ClientConnection}, {@link io.lhttp.processor.Handshake}), the publish
 * API ({@link io.lhttp.processor.Publisher}) and channel permissions
 * ({@link io.lhttp.processor.ChannelPermissions}). The dispatcher that fires the command events is internal ({@code io.lhttp.channel.Dispatcher}).
 */
package io.lhttp.processor;
