package io.zygotehost.cli;

import io.zygotehost.config.HostConfig;
import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.Message;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code bin/zygote-host status [--json]}: asks the master for its {@link HostStatus} and prints it,
 * as text for people or as JSON for scripts.
 */
final class StatusCommand {

    /**
     * The master answers at its next turn (100 ms). One that has not within this is wedged, and
     * waiting on is what an operator running status to find out why does not want.
     */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(10);

    private StatusCommand() {}

    /** @param pid the master's, from the pid file: a master that does not answer gets its process tree shown instead */
    static int run(HostConfig config, int pid, boolean json, PrintStream out, PrintStream err) throws IOException {
        Optional<Message> answer;
        String silence = "gave no status (it closed the connection, or was silent for " + ANSWER_LIMIT.toSeconds() + "s)";
        try (Connection connection = Main.connectToHost(config)) {
            connection.send(new Message.StatusRequest());
            answer = connection.receive(ANSWER_LIMIT);
        } catch (IOException e) {
            answer = Optional.empty();
            silence = "cannot be asked: " + e.getMessage();
        }
        if (answer.orElse(null) instanceof Message.StatusReport(HostStatus status)) {
            out.print(json ? StatusJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(status) + "\n"
                    : StatusText.render(status));
            return 0;
        }
        err.println("zygote-host: the host (pid " + pid + ") " + silence + "; its processes, as /proc shows them:");
        ProcessTree.print(pid, err);
        return 1;
    }
}
