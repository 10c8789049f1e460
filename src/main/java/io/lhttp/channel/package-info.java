/**
 * Channels. <b>Public API:</b> {@link io.lhttp.channel.Channels}, the server-side publish API.
 * <b>Internal</b> (may change without notice): the bus ({@link io.lhttp.channel.Bus} and its
 * implementations), the channel registry and the built-in subscribe/publish/unsubscribe filters.
 */
package io.lhttp.channel;
