/**
 * <b>Internal</b>: part of the server, not of the public API; may change without notice.
 */
package io.lhttp.cluster;
