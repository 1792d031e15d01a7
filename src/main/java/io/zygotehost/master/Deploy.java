package io.zygotehost.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An app moving from one generation to another. At most one per app: a reload during a deploy
 * re-targets or cancels it (never a second one racing the first).
 *
 * @param from the generation serving when it began; null when nothing served (first start after a failure)
 */
record Deploy(Generation from, Generation to, Instant started, List<ReloadWaiter> waiters) {

    Deploy(Generation from, Generation to, Instant started) {
        this(from, to, started, new ArrayList<>());
    }
}
