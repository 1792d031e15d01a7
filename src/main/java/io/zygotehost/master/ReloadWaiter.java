package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.Message;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whoever asked for a reload and waits for its outcome ({@code bin/zygote-host reload}): one line
 * per app, sent once the last deploy of that reload has finished or failed.
 */
final class ReloadWaiter {

    private final Connection requester; // null for SIGHUP: nobody to answer
    private final Map<String, String> outcomes = new LinkedHashMap<>();
    private boolean failed;

    ReloadWaiter(Connection requester) {
        this.requester = requester;
    }

    void pending(String app) {
        outcomes.put(app, null);
    }

    void done(String app, boolean ok, String outcome) {
        outcomes.put(app, outcome);
        failed |= !ok;
    }

    boolean complete() {
        return !outcomes.containsValue(null);
    }

    /** What the reload did: one line per app, and whether all of it went through. */
    Message.ReloadDone outcome() {
        return new Message.ReloadDone(!failed, outcomes.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    }

    /** Answers the requester, if there is one. */
    void answer() {
        if (requester != null) {
            requester.trySend(outcome());
            requester.close();
        }
    }
}
