package io.zygotehost.worker;

import io.zygotehost.config.HttpLimits;
import io.zygotehost.ipc.GenerationSpec;

/**
 * What the pipeline of every connection enforces, from the generation's spec.
 *
 * @param requestTimeoutMillis how long a handler on the pool may run before its client gets a 503
 */
record ConnectionLimits(HttpLimits http, int maxBody, long requestTimeoutMillis) {

    static ConnectionLimits of(GenerationSpec spec) {
        // The config refuses a max_body over 2g: Netty's aggregator counts in an int.
        return new ConnectionLimits(spec.httpLimits(), (int) Math.min(spec.maxBody(), Integer.MAX_VALUE),
                spec.requestTimeoutMillis());
    }
}
