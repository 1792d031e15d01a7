package io.zygotehost.status;

import io.zygotehost.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What status says under an app's heading, before its versions: what holds it back, then what is
 * under way. The same words in {@code bin/zygote-host status} (a line that needs an operator starts
 * with {@code !!}) and on the admin page (such a line in red).
 */
public final class AppNotices {

    /** @param needsOperator a crash loop, a problem, a memory cap: something a person should look at */
    public record Notice(boolean needsOperator, String text) {}

    private AppNotices() {}

    public static List<Notice> of(HostStatus.App app, Instant now) {
        List<Notice> notices = new ArrayList<>();
        if (app.crashLoop()) {
            HostStatus.Generation looping = app.generations().stream()
                    .max(Comparator.comparingInt(HostStatus.Generation::crashStreak)).orElseThrow();
            notices.add(new Notice(true, "CRASH LOOP: %d processes of %s died young in a row; the last: %s"
                    .formatted(looping.crashStreak(), looping.version(), looping.failure())));
        }
        if (app.problem() != null) {
            notices.add(new Notice(true, "problem: " + app.problem()));
        }
        if (app.capReason() != null) {
            notices.add(new Notice(true, "running %d of %d workers: %s".formatted(app.cap(), app.workers(), app.capReason())));
        }
        if (app.removing()) {
            notices.add(new Notice(false, "removed from the config: draining"));
        }
        if (app.deploy() != null) {
            HostStatus.Deploy deploy = app.deploy();
            notices.add(new Notice(false, "deploying %s%s for %s".formatted(deploy.from() == null ? "" : deploy.from() + " -> ",
                    deploy.to(), Durations.approximate(Duration.between(deploy.since(), now)))));
        }
        return notices;
    }
}
