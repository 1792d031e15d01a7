package io.zygotehost.process;

/** The signal numbers we send (Linux x86_64), with their names for logs. */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGTERM = 15;

    private Signals() {}

    public static String name(int signal) {
        return switch (signal) {
            case SIGHUP -> "SIGHUP";
            case SIGINT -> "SIGINT";
            case SIGQUIT -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case SIGKILL -> "SIGKILL";
            case SIGUSR1 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case SIGTERM -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
