/**
 * WebSocket connections. <b>Public API:</b> {@link io.lhttp.connection.Connection} (what a
 * processor answers on, also later and from another thread). <b>Internal:</b> the endpoint, its
 * decoder, the send queue and the connection set.
 */
package io.lhttp.connection;
