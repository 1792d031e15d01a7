package io.zygotehost.master;

import java.util.Locale;

/** How a deploy ended: the log says why in words, the metrics count it by this. */
enum DeployOutcome {
    /** The new version serves; the old one has gone. */
    DONE,
    /** The new version could not start (canary, workers dying young or not ready): the old one serves on. */
    ABANDONED,
    /** The config went back to what serves before the new version took over. */
    CANCELLED,
    /** A newer reload re-targeted the app: a new deploy replaces this one. */
    SUPERSEDED;

    /** As the status JSON and the metrics' {@code outcome} label say it. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
