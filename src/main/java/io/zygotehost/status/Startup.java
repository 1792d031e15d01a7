package io.zygotehost.status;

import java.util.List;

/**
 * How the host's start ended: every app serves at full strength ({@code ok}), or some app cannot
 * (its version does not start, its port is taken, its workers crash or do not fit its memory
 * budget) while the others serve.
 *
 * @param lines one per app, in the config's order: {@code hello@v1 on 127.0.0.1:8080: 2 workers},
 *              or {@code hello: cannot start: ...}
 */
public record Startup(boolean ok, List<String> lines) {

    public Startup {
        lines = List.copyOf(lines);
    }
}
