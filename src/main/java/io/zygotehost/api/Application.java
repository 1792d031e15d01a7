package io.zygotehost.api;

/**
 * What an app implements: the JVM analog of the Python zygote's {@code get_application(*args)}.
 *
 * <p>The host loads the class named by the app's {@code class:} key through its public no-argument
 * constructor. {@link #preload} runs once in the zygote, as the version's canary (a version whose
 * preload throws never replaces the one serving), and once in every worker before {@link #start}.
 */
public interface Application {

    /** Load what every worker needs: config, caches, connection settings. Runs in the zygote and in each worker. */
    default void preload(AppContext context) throws Exception {}

    /** Builds the request handler of one worker. Runs in each worker, after {@link #preload}. */
    HttpHandler start(AppContext context) throws Exception;

    /** The worker is draining: no new requests will arrive once in-flight ones are answered. */
    default void stop() {}
}
