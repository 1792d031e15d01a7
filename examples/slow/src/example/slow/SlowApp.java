package example.slow;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking handler: {@code GET /?ms=500} sleeps half a second on one of the worker's handler
 * threads, then answers. With {@code threads: 16} a worker serves 16 such requests at once; with
 * {@code threads: 0} (handlers on the event loop) it would serve them one at a time.
 */
public final class SlowApp implements Application {

    private static final long MAX_MILLIS = 60_000;
    /** Requests in this worker's handlers right now: each answer says how many shared the pool with it. */
    private final AtomicInteger inHandlers = new AtomicInteger();

    @Override
    public HttpHandler start(AppContext context) {
        return request -> {
            List<String> ms = new QueryStringDecoder(request.uri()).parameters().getOrDefault("ms", List.of("100"));
            long millis;
            try {
                millis = Math.min(Long.parseLong(ms.getFirst()), MAX_MILLIS);
            } catch (NumberFormatException e) {
                return Responses.text(HttpResponseStatus.BAD_REQUEST, "ms must be a whole number of milliseconds\n");
            }
            int together = inHandlers.incrementAndGet();
            try {
                Thread.sleep(millis);
            } finally {
                inHandlers.decrementAndGet();
            }
            return Responses.text(HttpResponseStatus.OK, "slept " + millis + " ms in " + context.appName()
                    + " worker " + context.workerId() + " (" + together + " in its handlers)\n");
        };
    }
}
