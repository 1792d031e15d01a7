package io.zygotehost.testapps;

import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;

/** A version that cannot start: its preload throws, as one whose database is unreachable would. */
public final class FailingPreloadApp implements Application {

    @Override
    public void preload(AppContext context) {
        throw new IllegalStateException("database unreachable at db.example:5432");
    }

    @Override
    public HttpHandler start(AppContext context) {
        throw new AssertionError("never reached: preload failed");
    }
}
