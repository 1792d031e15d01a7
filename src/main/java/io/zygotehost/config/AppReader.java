package io.zygotehost.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads one entry under {@code apps:}. */
final class AppReader {

    static final Pattern APP_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // A binary name: dotted Java identifiers, '$' included (it is an identifier character) for nested classes.
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
                    + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    static final int MAX_WORKERS = 1024;
    static final long MIN_HEAP = 16L << 20;
    // Netty's HttpObjectAggregator takes an int, so a body limit must fit in one.
    static final long MAX_BODY_LIMIT = Integer.MAX_VALUE;
    // A request line or header block is held whole in memory per connection: 1k is the least a real client
    // needs, 1m more than any sends.
    static final long MIN_HTTP_LIMIT = 1L << 10;
    static final long MAX_HTTP_LIMIT = 1L << 20;

    private AppReader() {
    }

    /**
     * Reads the app's settings, recording every problem; returns null when a required value is missing or bad
     * (the caller fails the whole load then anyway).
     */
    static AppConfig read(String name, Section app, Path dir) {
        Path path = app.requirePath("path", dir, "add path: with the app's release directory, e.g. path: apps/" + name);
        Optional<String> version = app.optionalString("version");
        String className = className(app);
        List<String> args = app.stringList("args");
        ListenAddress listen = app.scalar("listen", "an address", ListenAddress::parse).orElse(null);
        if (listen == null && !app.isBad("listen")) {
            app.missing("listen", "add listen: with a port, e.g. listen: 8080");
        }

        int workers = app.intValue("workers", 2, 1, MAX_WORKERS);
        int maxWorkers = app.intValue("max_workers", workers, 1, MAX_WORKERS);
        if (maxWorkers < workers && !app.isBad("workers")) {
            app.problem("max_workers", "must be at least workers (" + workers + "), got " + maxWorkers,
                    "raise max_workers to " + workers + " or more, or remove it");
        }
        long memory = app.size("memory", 0, 0, Long.MAX_VALUE);
        long maxWorkerMemory = app.size("max_worker_memory", 0, 0, Long.MAX_VALUE);

        long maxRequests = app.longValue("max_requests", 0, 0, Long.MAX_VALUE);
        long maxRequestsJitter = app.longValue("max_requests_jitter", 0, 0, Long.MAX_VALUE);
        if (maxRequestsJitter > maxRequests && !app.isBad("max_requests")) {
            app.problem("max_requests_jitter",
                    "must not exceed max_requests (" + maxRequests + "), got " + maxRequestsJitter,
                    maxRequests == 0 ? "set max_requests too, or remove max_requests_jitter"
                            : "use a jitter of at most " + maxRequests);
        }
        Duration maxAge = app.duration("max_age", Duration.ZERO, false);
        Duration maxAgeJitter = app.duration("max_age_jitter", Duration.ZERO, false);
        if (maxAgeJitter.compareTo(maxAge) > 0 && !app.isBad("max_age")) {
            app.problem("max_age_jitter", "must not exceed max_age (" + Durations.format(maxAge) + "), got "
                            + Durations.format(maxAgeJitter),
                    maxAge.isZero() ? "set max_age too, or remove max_age_jitter"
                            : "use a jitter of at most " + Durations.format(maxAge));
        }

        Duration gracefulTimeout = app.duration("graceful_timeout", Duration.ofSeconds(30), true);
        Duration timeout = app.duration("timeout", Duration.ofSeconds(30), true);
        Duration requestTimeout = app.duration("request_timeout", Duration.ofSeconds(60), true);
        long maxBody = app.size("max_body", 10L << 20, 1, Long.MAX_VALUE);
        if (maxBody > MAX_BODY_LIMIT) {
            app.problem("max_body", "must be less than 2g, got " + Sizes.format(maxBody), "use at most 2047m");
            maxBody = 10L << 20;
        }
        HttpLimits httpLimits = httpLimits(app);
        int threads = app.intValue("threads", 16, 0, 1024);
        long heap = app.size("heap", 64L << 20, MIN_HEAP, Long.MAX_VALUE);
        List<String> jvmOptions = app.stringList("jvm_options");
        Map<String, String> env = app.stringMap("env", ENV_NAME,
                "use letters, digits and '_', not starting with a digit, e.g. APP_MODE");
        int spares = app.intValue("spares", 0, 0, 16);
        Warmup warmup = warmup(app.section("warmup"));
        boolean accessLog = app.bool("access_log", true);
        boolean watch = app.bool("watch", false);
        Optional<String> user = app.optionalString("user");
        Optional<String> group = app.optionalString("group");
        AccountsReader.check(app, user, group);
        Optional<TlsConfig> tls = TlsReader.read(app, dir);
        app.reportUnknownKeys();

        if (path == null || className == null || listen == null) {
            return null;
        }
        return new AppConfig(name, path, version, className, args, listen, workers, maxWorkers, memory,
                maxWorkerMemory, maxRequests, maxRequestsJitter, maxAge, maxAgeJitter, gracefulTimeout, timeout,
                requestTimeout, maxBody, httpLimits, threads, heap, jvmOptions, env, spares, warmup, accessLog, watch,
                user, group, tls);
    }

    private static String className(Section app) {
        String text = app.requireString("class", "add class: with the app's main class, e.g. class: com.example.App");
        if (text == null || CLASS_NAME.matcher(text).matches()) {
            return text;
        }
        String fix = null;
        String candidate = text.strip();
        if (candidate.endsWith(".class") || candidate.endsWith(".java")) {
            candidate = candidate.substring(0, candidate.lastIndexOf('.'));
        }
        candidate = candidate.replace('/', '.');
        if (CLASS_NAME.matcher(candidate).matches()) {
            fix = "write " + candidate;
        }
        app.problem("class", "expected a Java class name such as com.example.App, got \"" + text + "\"", fix);
        return null;
    }

    /** Flat keys of the app, grouped into one record: the worker's pipeline takes them together. */
    private static HttpLimits httpLimits(Section app) {
        HttpLimits defaults = HttpLimits.DEFAULT;
        int maxRequestLine = (int) app.size("max_request_line", defaults.maxRequestLine(), MIN_HTTP_LIMIT, MAX_HTTP_LIMIT);
        int maxHeaderSize = (int) app.size("max_header_size", defaults.maxHeaderSize(), MIN_HTTP_LIMIT, MAX_HTTP_LIMIT);
        Duration headerTimeout = app.duration("header_timeout", Duration.ofMillis(defaults.headerTimeoutMillis()), true);
        Duration keepAliveTimeout =
                app.duration("keep_alive_timeout", Duration.ofMillis(defaults.keepAliveTimeoutMillis()), true);
        return new HttpLimits(maxRequestLine, maxHeaderSize, headerTimeout.toMillis(), keepAliveTimeout.toMillis());
    }

    private static Warmup warmup(Section warmup) {
        String path = warmup.string("path", Warmup.DEFAULT.path());
        if (!path.startsWith("/")) {
            warmup.problem("path", "must start with '/', got \"" + path + "\"", "write /" + path);
        }
        int requests = warmup.intValue("requests", Warmup.DEFAULT.requests(), 0, 100_000);
        warmup.reportUnknownKeys();
        return new Warmup(path, requests);
    }
}
