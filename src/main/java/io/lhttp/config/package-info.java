/**
 * <b>Internal</b>, except as documentation: {@link io.lhttp.config.LhttpConfig} names every
 * configuration key (MicroProfile Config, {@code lhttp.*}) with its default.
 */
package io.lhttp.config;
