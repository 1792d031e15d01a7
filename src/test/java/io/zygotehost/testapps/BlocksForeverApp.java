package io.zygotehost.testapps;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.concurrent.CountDownLatch;

/** Answers every path but {@code /block}, whose handler waits forever, as one stuck on a lock would. */
public final class BlocksForeverApp implements Application {

    @Override
    public HttpHandler start(AppContext context) {
        CountDownLatch never = new CountDownLatch(1);
        return request -> {
            if (request.uri().startsWith("/block")) {
                never.await();
            }
            return Responses.text(HttpResponseStatus.OK, "ok\n");
        };
    }
}
