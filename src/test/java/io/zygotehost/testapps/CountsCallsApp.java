package io.zygotehost.testapps;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tells each client how many calls its worker's handler saw before this one, and how many of them were
 * to /warm: "worker 1: 50 calls before this one, 50 to /warm". What a worker does before it serves shows.
 */
public final class CountsCallsApp implements Application {

    @Override
    public HttpHandler start(AppContext context) {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger warm = new AtomicInteger();
        return request -> {
            int before = calls.getAndIncrement();
            if (request.uri().equals("/warm")) {
                warm.incrementAndGet();
                return Responses.text(HttpResponseStatus.OK, "warm\n");
            }
            return Responses.text(HttpResponseStatus.OK,
                    "worker " + context.workerId() + ": " + before + " calls before this one, " + warm.get() + " to /warm\n");
        };
    }
}
