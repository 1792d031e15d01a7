package example.hello;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Answers every request with its release and worker: {@code hello from v1 (worker 3)}. Each
 * release's jar carries its own {@code release.properties}, so v1 and v2 differ in their bytes as a
 * real deploy does. {@code args: [--greeting, hi]} changes the first word.
 */
public final class HelloApp implements Application {

    private String release;

    @Override
    public void preload(AppContext context) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = HelloApp.class.getResourceAsStream("/release.properties")) {
            if (in == null) {
                throw new IOException("release.properties is missing from the jar");
            }
            properties.load(in);
        }
        release = properties.getProperty("release");
    }

    @Override
    public HttpHandler start(AppContext context) {
        String greeting = context.args().size() >= 2 && context.args().get(0).equals("--greeting")
                ? context.args().get(1) : "hello";
        String body = greeting + " from " + release + " (worker " + context.workerId() + ")\n";
        return request -> Responses.text(HttpResponseStatus.OK, body);
    }
}
