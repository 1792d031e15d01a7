package io.zygotehost.exec.spare;

import java.io.IOException;
import java.lang.reflect.Method;

/**
 * The run's exit code, told to the client and the server as soon as it is known and the program can write no
 * more, rather than when the process is gone: a JVM's teardown after the program's last shutdown hook (its GC
 * and compiler threads stopped, its memory unmapped) took 10 to 15 ms here, on the path of every run.
 *
 * <ul>
 * <li>main returned or threw, and the JVM ran the program's shutdown hooks once its last non-daemon thread
 *     ended: the code is 0 or 1, as the launcher's; a system shutdown hook in the last slot, after the
 *     program's hooks and DeleteOnExit's, reports it (JavaLangAccess.registerShutdownHook, exported to the
 *     spare's module alone).</li>
 * <li>System.exit(n), Runtime.halt(n): n is known to the JVM alone, until it calls exit(3); the C exit
 *     handler of Libc.reportExitTo reports it.</li>
 * <li>killed by a signal: no code is reported; the server reaps the process and tells the client.</li>
 * </ul>
 *
 * Daemon threads still run while the JVM exits: one writing in those last milliseconds may finish after its
 * client has exited, as it could have been cut short under {@code java}.
 */
final class ExitReport {

    /** Slots 0 to 2 are the JDK's (Console, ApplicationShutdownHooks, DeleteOnExitHook); 9 runs last. */
    private static final int LAST_SYSTEM_HOOK_SLOT = 9;

    private volatile int mainOutcome = -1;

    private ExitReport() {}

    /** Registers the hook and the exit handler (both idle until a run), so that a run pays for neither. */
    static ExitReport prepare() throws ReflectiveOperationException, IOException {
        ExitReport report = new ExitReport();
        Object javaLangAccess = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess").invoke(null);
        Method register = Class.forName("jdk.internal.access.JavaLangAccess")
                .getMethod("registerShutdownHook", int.class, boolean.class, Runnable.class);
        register.invoke(javaLangAccess, LAST_SYSTEM_HOOK_SLOT, false, (Runnable) report::afterShutdownHooks);
        Libc.reportExitTo(-1, -1);
        return report;
    }

    /**
     * Looks at the stack once as a shutdown will, before any run: a JVM's first look loads its classes (the first
     * StackWalker of a JVM was measured at 10 ms of every run's exit).
     */
    void rehearse() {
        if (byLastThreadsEnd()) {
            throw new IllegalStateException("a spare's rehearsal is no shutdown");
        }
    }

    /** main is done, with the code the launcher will exit with once the last non-daemon thread has ended. */
    void mainEnded(int code) {
        mainOutcome = code;
    }

    /** Runs after every other shutdown hook, in the thread that shuts the JVM down. */
    private void afterShutdownHooks() {
        int code = mainOutcome;
        if (code < 0 || !byLastThreadsEnd()) {
            return; // no run yet (a retired spare), or System.exit(n), whose n the C exit handler reports
        }
        Libc.reportExitNow(code);
    }

    /**
     * Whether this shutdown is the end of the last non-daemon thread, not System.exit's: the JVM then calls
     * Shutdown.shutdown itself (DestroyJavaVM), so that call is the bottom of this thread's stack; under
     * System.exit the bottom is the exiting thread's own. A Throwable's stack trace, not a StackWalker: its
     * stream and lambdas, interpreted in a JVM that exits, cost 180 us of every run.
     */
    private static boolean byLastThreadsEnd() {
        StackTraceElement[] frames = new Throwable().getStackTrace();
        StackTraceElement bottom = frames[frames.length - 1];
        return bottom.getClassName().equals("java.lang.Shutdown") && bottom.getMethodName().equals("shutdown");
    }
}
