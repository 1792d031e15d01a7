package io.zygotehost.testapps;

import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;

/** A version whose canary passes but whose workers never become ready: start() waits forever on something. */
public final class HangsInWorkerApp implements Application {

    @Override
    public HttpHandler start(AppContext context) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
        throw new AssertionError("unreachable");
    }
}
