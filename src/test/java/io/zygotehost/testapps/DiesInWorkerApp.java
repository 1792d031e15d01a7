package io.zygotehost.testapps;

import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;

/** A version whose canary passes but whose every worker dies as it starts, as one with a bad native library would. */
public final class DiesInWorkerApp implements Application {

    @Override
    public HttpHandler start(AppContext context) {
        Runtime.getRuntime().halt(3);
        throw new AssertionError("unreachable");
    }
}
