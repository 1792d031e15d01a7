package io.zygotehost.master;

import io.zygotehost.process.ExitStatus;
import io.zygotehost.process.Signals;
import java.util.List;

/** Why a worker or zygote ended, as the master logs it. Never a bare exit code. */
sealed interface ExitReason {

    /** Counts toward the crash backoff. */
    default boolean isFailure() {
        return this instanceof FailedToBoot || this instanceof Crashed;
    }

    String describe();

    /** Every {@link #cause()}: the metrics show each, at 0 until it happens, so a rate of them works from the start. */
    List<String> CAUSES = List.of("stopped", "killed", "failed_to_boot", "crashed", "lost");

    /** Its kind, as the metrics count exits. */
    default String cause() {
        return switch (this) {
            case Stopped s -> "stopped";
            case Killed k -> "killed";
            case FailedToBoot f -> "failed_to_boot";
            case Crashed c -> "crashed";
            case Lost l -> "lost";
        };
    }

    /** It exited after we asked it to (drain, stop). */
    record Stopped(ExitStatus status) implements ExitReason {
        public String describe() {
            return "stopped (" + status + ")";
        }
    }

    /** We killed it: it hung, overran a timeout, or the host stopped at once. */
    record Killed(String why) implements ExitReason {
        public String describe() {
            return "killed: " + why;
        }
    }

    /** It died before it was ready. */
    record FailedToBoot(ExitStatus status) implements ExitReason {
        public String describe() {
            return "failed to boot (" + explain(status) + ")";
        }
    }

    /** It died while serving, unasked. */
    record Crashed(ExitStatus status) implements ExitReason {
        public String describe() {
            return "crashed (" + explain(status) + ")";
        }
    }

    /** No exit status could be had: it was not our child to reap, or its zygote reaped it and died before telling us. */
    record Lost() implements ExitReason {
        public String describe() {
            return "lost (it went without an exit status we could read)";
        }

        @Override
        public boolean isFailure() {
            return true;
        }
    }

    private static String explain(ExitStatus status) {
        if (status instanceof ExitStatus.Signaled(int signal) && signal == Signals.SIGKILL) {
            return status + ": perhaps out of memory, or killed by hand?";
        }
        return status.toString();
    }
}
