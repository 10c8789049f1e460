/**
 * <b>Internal</b>: part of the server, not of the public API; may change without notice. The
 * connect and subscribe proxies (docs/PROXY.md): the backend decides over HTTP who may connect
 * and subscribe.
 */
package io.lhttp.proxy;
