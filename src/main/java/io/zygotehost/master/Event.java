package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.Message;
import io.zygotehost.status.HostStatus;
import java.util.concurrent.CompletableFuture;

/** What reaches the master thread from elsewhere: signals, API calls, and the control connections. */
sealed interface Event {

    /** Graceful stop; a second one, or {@code immediate}, kills everything at once. */
    record Stop(boolean immediate) implements Event {}

    /** @param requester the command line waiting for the outcome; null for SIGHUP */
    record Reload(Connection requester) implements Event {}

    /** SIGUSR1: close and reopen every log file by name. */
    record ReopenLogs() implements Event {}

    /** {@code watch: true} saw the app's release change: redeploy that app with the config in force. */
    record Redeploy(String app) implements Event {}

    /** Someone in this process wants the host's status (the library's {@code ZygoteHost.status()}). */
    record Status(CompletableFuture<HostStatus> answer) implements Event {}

    record Connected(Connection connection, Message.Hello hello) implements Event {}

    record Received(Connection connection, Message message) implements Event {}

    record Disconnected(Connection connection) implements Event {}
}
