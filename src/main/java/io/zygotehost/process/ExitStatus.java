package io.zygotehost.process;

/** How a process ended, decoded from a waitpid status word. */
public sealed interface ExitStatus {

    record Exited(int code) implements ExitStatus {
        @Override
        public String toString() {
            return "exit code " + code;
        }
    }

    record Signaled(int signal) implements ExitStatus {
        @Override
        public String toString() {
            return "killed by " + Signals.name(signal);
        }
    }

    static ExitStatus fromWaitStatus(int status) {
        int termSignal = status & 0x7f;
        return termSignal == 0 ? new Exited((status >> 8) & 0xff) : new Signaled(termSignal);
    }

    default boolean isCleanExit() {
        return this instanceof Exited(int code) && code == 0;
    }
}
