package io.zygotehost.exec.spare;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

/**
 * The run's exit code, told to the client and the server as soon as it is known and the program can write no
 * more, rather than when the process is gone: a JVM's teardown after the program's last shutdown hook (its GC
 * and compiler threads stopped, its memory unmapped) took 10 to 15 ms here, on the path of every run.
 *
 * <ul>
 * <li>main returned, and nothing of the program can run after it but daemon threads: no other non-daemon
 *     thread, no shutdown hook, no file to delete on exit, no console echo to restore; the code is 0, reported
 *     as main returns ({@link #mainReturned}), not after the JVM's DestroyJavaVM has detached and re-attached
 *     the thread and run the shutdown hooks (0.25 ms of a hello world's run, interpreted; more on a busy
 *     machine). A daemon thread that starts a non-daemon one in that instant would have raced the JVM's own
 *     count under {@code java} too.</li>
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
    private static final int APPLICATION_HOOKS_SLOT = 1;
    private static final int DELETE_ON_EXIT_SLOT = 2;

    /** The code the hook reports: -1 while there is none, before a run and once it was reported as main returned. */
    private volatile int mainOutcome = -1;
    /** What runs at shutdown (java.lang.Shutdown.hooks, ApplicationShutdownHooks.hooks, DeleteOnExitHook.files); null: unknown, never early. */
    private final Field systemHooks;
    private final Field applicationHooks;
    private final Field filesToDelete;

    private ExitReport(Field systemHooks, Field applicationHooks, Field filesToDelete) {
        this.systemHooks = systemHooks;
        this.applicationHooks = applicationHooks;
        this.filesToDelete = filesToDelete;
    }

    /** Registers the hook and the exit handler (both idle until a run), so that a run pays for neither. */
    static ExitReport prepare() throws ReflectiveOperationException, IOException {
        ExitReport report = new ExitReport(field("java.lang.Shutdown", "hooks"),
                field("java.lang.ApplicationShutdownHooks", "hooks"), field("java.io.DeleteOnExitHook", "files"));
        Object javaLangAccess = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess").invoke(null);
        Method register = Class.forName("jdk.internal.access.JavaLangAccess")
                .getMethod("registerShutdownHook", int.class, boolean.class, Runnable.class);
        register.invoke(javaLangAccess, LAST_SYSTEM_HOOK_SLOT, false, (Runnable) report::afterShutdownHooks);
        Libc.reportExitTo(-1, -1);
        return report;
    }

    /**
     * Goes once through the checks of a run's end, before any run: the stack as the hook looks at it, the threads
     * and the shutdown work as {@link #mainReturned} looks at them (a JVM's first look at each loads and links
     * their classes; the first StackWalker was measured at 10 ms of every run's exit).
     */
    void rehearse() {
        if (byLastThreadsEnd()) {
            throw new IllegalStateException("a spare's rehearsal is no shutdown");
        }
        onlyDaemonThreadsBesideThisOne(); // each, not the two as one: the first may end the question
        noShutdownWork();
    }

    /** A JDK field the spare's module may read (opened to it alone), or null on a JDK without it: no early report. */
    private static Field field(String type, String name) {
        try {
            Field field = Class.forName(type).getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** main returned: 0 is the code, reported now when nothing of the program can run after it (see above). */
    void mainReturned() {
        if (nothingRunsAfterMain()) {
            Libc.reportExitNow(0); // and nothing left for the hook
        } else {
            mainOutcome = 0;
        }
    }

    /** main threw: the launcher will exit with 1 once the last non-daemon thread has ended. */
    void mainThrew() {
        mainOutcome = 1;
    }

    /** Runs after every other shutdown hook, in the thread that shuts the JVM down. */
    private void afterShutdownHooks() {
        int code = mainOutcome;
        if (code < 0 || !byLastThreadsEnd()) {
            return; // no run yet (a retired spare), reported already, or System.exit(n), whose n the C exit handler reports
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

    /** No other non-daemon thread, no shutdown hook but the empty JDK ones and this one, no file to delete on exit. */
    private boolean nothingRunsAfterMain() {
        return onlyDaemonThreadsBesideThisOne() && noShutdownWork();
    }

    private static boolean onlyDaemonThreadsBesideThisOne() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count = root.enumerate(threads, true);
        if (count == threads.length) {
            return false; // perhaps more than the array held: not sure, so no
        }
        for (int i = 0; i < count; i++) {
            if (threads[i] != Thread.currentThread() && !threads[i].isDaemon() && threads[i].isAlive()) {
                return false;
            }
        }
        return true;
    }

    private boolean noShutdownWork() {
        if (systemHooks == null || applicationHooks == null || filesToDelete == null) {
            return false;
        }
        try {
            Runnable[] hooks = (Runnable[]) systemHooks.get(null);
            for (int slot = 0; slot < hooks.length; slot++) {
                if (hooks[slot] != null && slot != APPLICATION_HOOKS_SLOT && slot != DELETE_ON_EXIT_SLOT && slot != LAST_SYSTEM_HOOK_SLOT) {
                    return false; // the Console's (a password being read: its echo to restore), or another JDK one
                }
            }
            synchronized (applicationHooks.getDeclaringClass()) {
                Map<?, ?> application = (Map<?, ?>) applicationHooks.get(null);
                if (application == null || !application.isEmpty()) {
                    return false;
                }
            }
            synchronized (filesToDelete.getDeclaringClass()) {
                Set<?> files = (Set<?>) filesToDelete.get(null);
                return files == null || files.isEmpty();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
