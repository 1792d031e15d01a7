/*
 * libzygote-exec-exit.so: loaded by exec's spare JVMs (io.zygotehost.exec.spare.ExitReport), built by the
 * Maven build beside the client.
 *
 * A run's exit code is known when the JVM calls exit(3), after the program's shutdown hooks: System.exit(n),
 * or the launcher's exit once main has returned (0) or thrown (1) and the last non-daemon thread has ended.
 * The process itself ends some 10 to 100 ms later on a loaded machine (its threads must be scheduled to die,
 * its memory unmapped), and a JVM has no Java code left to run by then. So a C exit handler writes the code
 * to the server, which tells the client at once; the server still reaps the process, and reports a death by
 * signal, which runs no exit handler, from the wait status.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int report_fd = -1;

static void report(int status, void *unused) {
    (void) unused;
    char line[32];
    int n = snprintf(line, sizeof line, "exit %d\n", status & 0xff);
    if (report_fd >= 0 && n > 0) {
        ssize_t ignored = send(report_fd, line, (size_t) n, MSG_NOSIGNAL);
        (void) ignored;
    }
}

/*
 * From now on the process's exit code goes to fd when it exits; -1: nowhere (a spare's rehearsal, which
 * registers the handler ahead of its run). 0, or -1 when the handler cannot be registered.
 */
int zygote_exec_report_exit_to(int fd) {
    static int registered = 0;
    report_fd = fd;
    if (!registered) {
        if (on_exit(report, NULL) != 0) return -1;
        registered = 1;
    }
    return 0;
}
