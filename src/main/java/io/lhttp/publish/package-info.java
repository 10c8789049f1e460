/**
 * <b>Internal</b>: {@code POST /publish} ({@link io.lhttp.publish.PublishResource}) and what it runs
 * ({@link io.lhttp.publish.HttpPublish}). Server code publishes with {@link io.lhttp.channel.Channels}.
 */
package io.lhttp.publish;
