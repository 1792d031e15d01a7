package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.config.HttpLimits;
import io.zygotehost.config.ListenAddress;
import io.zygotehost.config.TlsConfig;
import io.zygotehost.config.Warmup;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that, when it changes, needs new processes: a new generation. The rest of an app's
 * config (worker count, caps, timeouts, limits) applies in place. A new user or group is a new
 * zygote (it switches once, at its start); new TLS files (another fingerprint) are a new generation
 * too, as nginx starts new workers on a reload: every worker of a generation serves the same
 * certificate, and the new one serves only once its zygote and workers started with it.
 */
record GenerationKey(String contentHash, String version, String className, List<String> args, List<String> jvmOptions,
        long heap, Map<String, String> env, int threads, long maxBody, long requestTimeoutMillis, HttpLimits httpLimits,
        ListenAddress listen, Warmup warmup, Optional<String> user, Optional<String> group, Optional<TlsConfig> tls) {

    static GenerationKey of(AppConfig app, Release release) {
        return new GenerationKey(release.contentHash(), release.version(), app.className(), app.args(), app.jvmOptions(),
                app.heap(), Map.copyOf(app.env()), app.threads(), app.maxBody(), app.requestTimeout().toMillis(),
                app.httpLimits(), app.listen(), app.warmup(), app.user(), app.group(), app.tls());
    }
}
