package io.zygotehost.api;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Answers one request. Runs on the worker's pool of {@code threads} handler threads, so it may block;
 * with {@code threads: 0} it runs on the event loop and must not block.
 *
 * <p>The host owns the request and releases it after the call; the returned response is written
 * and released by the host. Requests of one connection are handled one at a time, in order.
 */
@FunctionalInterface
public interface HttpHandler {
    FullHttpResponse handle(FullHttpRequest request) throws Exception;
}
