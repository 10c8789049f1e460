/**
 * Security. <b>Public API:</b> {@link io.lhttp.security.ChannelPermissions}, the SPI an application
 * implements to allow or refuse channels per connection. <b>Internal:</b> the rest (token verification,
 * origin check, handshake guard, filters).
 */
package io.lhttp.security;
