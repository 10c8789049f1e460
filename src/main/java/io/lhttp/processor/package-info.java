/**
 * <b>Public API.</b> What an application writes: processors ({@code @Observes @Command("name")
 * Exchange}), header filters ({@link io.lhttp.processor.HeaderFilter} interceptors), the
 * connection events ({@link io.lhttp.processor.Opened}, {@link io.lhttp.processor.Closed}) and the
 * {@link io.lhttp.processor.Exchange} they work on. {@link io.lhttp.processor.Dispatcher} is internal.
 */
package io.lhttp.processor;
