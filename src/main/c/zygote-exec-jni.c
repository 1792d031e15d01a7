/*
 * libzygote-exec.so: the native calls of `zygote-host exec`'s server and spares (io.zygotehost.exec.spare.Libc),
 * through JNI. Built by the Maven build beside target/zygote-host.jar, with the client.
 *
 * Why C and not the FFM API or jnr: a spare may depend on java.base alone (the program's class path must be
 * exactly the user's), and linking a dozen FFM downcalls cost each spare ~250 ms of CPU at start, measured:
 * five times a plain `java Hello`, paid again for every run. A JNI method is linked with one symbol lookup.
 *
 * Every call checks its result; a failure throws java.io.IOException naming the call and errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define MAX_FDS 16

static void throw_errno(JNIEnv *env, const char *call) {
    char message[256];
    int error = errno;
    snprintf(message, sizeof message, "%s failed: %s (errno %d)", call, strerror(error), error);
    jclass type = (*env)->FindClass(env, "java/io/IOException");
    if (type) (*env)->ThrowNew(env, type, message);
}

static void throw_message(JNIEnv *env, const char *message) {
    jclass type = (*env)->FindClass(env, "java/io/IOException");
    if (type) (*env)->ThrowNew(env, type, message);
}

/* A Java byte[] as a NUL-terminated C string (malloc'd), or NULL with an exception pending. */
static char *c_string(JNIEnv *env, jbyteArray bytes) {
    jsize n = (*env)->GetArrayLength(env, bytes);
    char *s = malloc((size_t) n + 1);
    if (!s) {
        throw_message(env, "out of memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) s);
    s[n] = 0;
    return s;
}

#define LIBC(name) Java_io_zygotehost_exec_spare_Libc_##name

JNIEXPORT jintArray JNICALL LIBC(socketPair0)(JNIEnv *env, jclass c) {
    (void) c;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        throw_errno(env, "socketpair");
        return NULL;
    }
    jintArray result = (*env)->NewIntArray(env, 2);
    if (result) (*env)->SetIntArrayRegion(env, result, 0, 2, fds);
    return result;
}

JNIEXPORT jint JNICALL LIBC(listenUnix0)(JNIEnv *env, jclass c, jbyteArray path, jint backlog) {
    (void) c;
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    jsize n = (*env)->GetArrayLength(env, path);
    if ((size_t) n >= sizeof address.sun_path) {
        throw_message(env, "the socket path is longer than a unix socket allows (107 bytes)");
        return -1;
    }
    (*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *) address.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw_errno(env, "socket");
        return -1;
    }
    if (bind(fd, (struct sockaddr *) &address, sizeof address) < 0) {
        throw_errno(env, "bind");
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) < 0) {
        throw_errno(env, "listen");
        close(fd);
        return -1;
    }
    return fd;
}

JNIEXPORT jint JNICALL LIBC(accept)(JNIEnv *env, jclass c, jint fd) {
    (void) c;
    int client;
    do {
        client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    } while (client < 0 && errno == EINTR);
    if (client < 0) throw_errno(env, "accept4");
    return client;
}

JNIEXPORT void JNICALL LIBC(shutdown)(JNIEnv *env, jclass c, jint fd) {
    (void) env;
    (void) c;
    shutdown(fd, SHUT_RDWR); /* an fd closed already: nothing to end */
}

JNIEXPORT jintArray JNICALL LIBC(peer0)(JNIEnv *env, jclass c, jint fd) {
    (void) c;
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) {
        throw_errno(env, "getsockopt(SO_PEERCRED)");
        return NULL;
    }
    jint values[2] = {credentials.pid, (jint) credentials.uid};
    jintArray result = (*env)->NewIntArray(env, 2);
    if (result) (*env)->SetIntArrayRegion(env, result, 0, 2, values);
    return result;
}

JNIEXPORT jint JNICALL LIBC(userId)(JNIEnv *env, jclass c) {
    (void) env;
    (void) c;
    return (jint) getuid();
}

/* One recvmsg into buffer; the descriptors that came (close-on-exec) into fds[1..], their count into fds[0]. */
JNIEXPORT jint JNICALL LIBC(receive0)(JNIEnv *env, jclass c, jint fd, jbyteArray buffer, jintArray fds) {
    (void) c;
    jsize capacity = (*env)->GetArrayLength(env, buffer);
    jsize max_fds = (*env)->GetArrayLength(env, fds) - 1;
    if (max_fds > MAX_FDS) max_fds = MAX_FDS;
    char *data = malloc((size_t) capacity);
    if (!data) {
        throw_message(env, "out of memory");
        return -1;
    }
    char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = {data, (size_t) capacity};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                             .msg_controllen = CMSG_SPACE(max_fds * sizeof(int))};
    ssize_t n;
    do {
        n = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        free(data);
        throw_errno(env, "recvmsg");
        return -1;
    }
    jint received[MAX_FDS + 1];
    int count = 0;
    for (struct cmsghdr *c2 = CMSG_FIRSTHDR(&message); c2; c2 = CMSG_NXTHDR(&message, c2)) {
        if (c2->cmsg_level != SOL_SOCKET || c2->cmsg_type != SCM_RIGHTS) continue;
        int in_message = (int) ((c2->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *passed = (int *) CMSG_DATA(c2);
        for (int i = 0; i < in_message; i++) {
            if (count < max_fds) received[1 + count++] = passed[i];
            else close(passed[i]);
        }
    }
    if (message.msg_flags & MSG_CTRUNC) {
        for (int i = 0; i < count; i++) close(received[1 + i]);
        free(data);
        throw_message(env, "recvmsg: more descriptors came than a request has");
        return -1;
    }
    received[0] = count;
    (*env)->SetByteArrayRegion(env, buffer, 0, (jsize) n, (jbyte *) data);
    (*env)->SetIntArrayRegion(env, fds, 0, count + 1, received);
    free(data);
    return (jint) n;
}

/* Sends all of bytes (at least one), the descriptors with the first of them. */
JNIEXPORT void JNICALL LIBC(send)(JNIEnv *env, jclass c, jint fd, jbyteArray bytes, jintArray fds) {
    (void) c;
    jsize length = (*env)->GetArrayLength(env, bytes);
    jsize nfds = (*env)->GetArrayLength(env, fds);
    if (length == 0 || nfds > MAX_FDS) {
        throw_message(env, "send: descriptors travel with at least one byte, and at most 16 of them");
        return;
    }
    jbyte *data = malloc((size_t) length);
    if (!data) {
        throw_message(env, "out of memory");
        return;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, length, data);
    int passed[MAX_FDS];
    (*env)->GetIntArrayRegion(env, fds, 0, nfds, passed);
    char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
    size_t sent = 0;
    while (sent < (size_t) length) {
        struct iovec iov = {data + sent, (size_t) length - sent};
        struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
        if (sent == 0 && nfds > 0) {
            memset(control, 0, sizeof control);
            message.msg_control = control;
            message.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
            struct cmsghdr *c2 = CMSG_FIRSTHDR(&message);
            c2->cmsg_level = SOL_SOCKET;
            c2->cmsg_type = SCM_RIGHTS;
            c2->cmsg_len = CMSG_LEN(nfds * sizeof(int));
            memcpy(CMSG_DATA(c2), passed, nfds * sizeof(int));
        }
        ssize_t n = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            free(data);
            throw_errno(env, "sendmsg");
            return;
        }
        sent += (size_t) n;
    }
    free(data);
}

JNIEXPORT jint JNICALL LIBC(read)(JNIEnv *env, jclass c, jint fd, jbyteArray buffer, jint offset, jint length) {
    (void) c;
    char *data = malloc(length > 0 ? (size_t) length : 1);
    if (!data) {
        throw_message(env, "out of memory");
        return -1;
    }
    ssize_t n;
    do {
        n = read(fd, data, (size_t) length);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        free(data);
        throw_errno(env, "read");
        return -1;
    }
    (*env)->SetByteArrayRegion(env, buffer, offset, (jsize) n, (jbyte *) data);
    free(data);
    return (jint) n;
}

JNIEXPORT void JNICALL LIBC(writeFully)(JNIEnv *env, jclass c, jint fd, jbyteArray bytes) {
    (void) c;
    jsize length = (*env)->GetArrayLength(env, bytes);
    jbyte *data = malloc(length > 0 ? (size_t) length : 1);
    if (!data) {
        throw_message(env, "out of memory");
        return;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, length, data);
    size_t written = 0;
    while (written < (size_t) length) {
        ssize_t n = send(fd, data + written, (size_t) length - written, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = write(fd, data + written, (size_t) length - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            free(data);
            throw_errno(env, "write");
            return;
        }
        written += (size_t) n;
    }
    free(data);
}

JNIEXPORT void JNICALL LIBC(close)(JNIEnv *env, jclass c, jint fd) {
    (void) env;
    (void) c;
    close(fd); /* closed already: nothing could be done about it */
}

JNIEXPORT jint JNICALL LIBC(open0)(JNIEnv *env, jclass c, jbyteArray path, jint flags, jint mode) {
    (void) c;
    char *p = c_string(env, path);
    if (!p) return -1;
    int fd = open(p, flags, mode);
    if (fd < 0) throw_errno(env, "open");
    free(p);
    return fd;
}

JNIEXPORT void JNICALL LIBC(dup2)(JNIEnv *env, jclass c, jint from, jint to) {
    (void) c;
    int rc;
    do {
        rc = dup2(from, to);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) throw_errno(env, "dup2");
}

JNIEXPORT jint JNICALL LIBC(dupAbove)(JNIEnv *env, jclass c, jint fd, jint floor) {
    (void) c;
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (copy < 0) throw_errno(env, "fcntl(F_DUPFD_CLOEXEC)");
    return copy;
}

JNIEXPORT void JNICALL LIBC(chdir0)(JNIEnv *env, jclass c, jbyteArray path) {
    (void) c;
    char *p = c_string(env, path);
    if (!p) return;
    if (chdir(p) < 0) throw_errno(env, "chdir");
    free(p);
}

JNIEXPORT void JNICALL LIBC(deathSignal)(JNIEnv *env, jclass c, jint signal) {
    (void) c;
    if (prctl(PR_SET_PDEATHSIG, (unsigned long) signal, 0, 0, 0) < 0) throw_errno(env, "prctl(PR_SET_PDEATHSIG)");
}

/* The process's environment becomes these entries ("NAME=value"); the old one may still be referenced: never freed. */
JNIEXPORT void JNICALL LIBC(replaceEnvironment0)(JNIEnv *env, jclass c, jobjectArray entries) {
    (void) c;
    jsize n = (*env)->GetArrayLength(env, entries);
    char **replacement = calloc((size_t) n + 1, sizeof(char *));
    if (!replacement) {
        throw_message(env, "out of memory");
        return;
    }
    for (jsize i = 0; i < n; i++) {
        jbyteArray entry = (jbyteArray) (*env)->GetObjectArrayElement(env, entries, i);
        replacement[i] = c_string(env, entry);
        (*env)->DeleteLocalRef(env, entry);
        if (!replacement[i]) return;
    }
    environ = replacement;
}

/* Which of the descriptors can be read (or are at end-of-file, or failed), after waiting for one. */
JNIEXPORT jbooleanArray JNICALL LIBC(awaitReadable)(JNIEnv *env, jclass c, jintArray fds) {
    (void) c;
    jsize n = (*env)->GetArrayLength(env, fds);
    if (n > MAX_FDS) {
        throw_message(env, "poll: too many descriptors");
        return NULL;
    }
    jint numbers[MAX_FDS];
    (*env)->GetIntArrayRegion(env, fds, 0, n, numbers);
    struct pollfd polled[MAX_FDS];
    for (jsize i = 0; i < n; i++) polled[i] = (struct pollfd){numbers[i], POLLIN, 0};
    int rc;
    do {
        rc = poll(polled, (nfds_t) n, -1);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        throw_errno(env, "poll");
        return NULL;
    }
    jboolean readable[MAX_FDS];
    for (jsize i = 0; i < n; i++) readable[i] = polled[i].revents != 0;
    jbooleanArray result = (*env)->NewBooleanArray(env, n);
    if (result) (*env)->SetBooleanArrayRegion(env, result, 0, n, readable);
    return result;
}

/*
 * The exit report. A run's exit code is known when the JVM calls exit(3), after the program's shutdown hooks:
 * System.exit(n), or the launcher's exit once main has returned (0) or thrown (1) and the last non-daemon
 * thread has ended. The process itself ends some 10 to 100 ms later on a loaded machine (its threads must be
 * scheduled to die, its memory unmapped), and no Java code runs any more by then. So an exit handler writes
 * "exit N" to the client (its connection came with the run) and to the server; the server still reaps the
 * process, and reports a death by signal, which runs no exit handler, from the wait status.
 */
static int report_client = -1, report_server = -1;

/*
 * The run's stdin, stdout and stderr are the client's: let go of them before the report, so that a reader of
 * the output (a pipe: $(...), | less) sees its end when the client exits, not when this process is gone, some
 * 10 to 15 ms later (measured: a hello world's run through $(...) took 11 to 23 ms instead of 5 to 10). The
 * program writes nothing more by now; a daemon thread's late write goes to /dev/null rather than to a reused
 * descriptor. Failures are left as they are: the process is exiting, and the report matters more.
 */
static void release_stdio(void) {
    fflush(NULL); /* a native library's buffered C output, which exit(3) would flush only after this handler */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return;
    for (int fd = 0; fd <= 2; fd++) {
        if (fd != null) (void) dup2(null, fd);
    }
    if (null > 2) close(null);
}

static void report(int code) {
    char line[32];
    int n = snprintf(line, sizeof line, "exit %d\n", code & 0xff);
    if (report_client >= 0) release_stdio();
    /* The client first, as soon as can be; the server's copy tells it the client has the code. */
    int fds[2] = {report_client, report_server};
    report_client = report_server = -1; /* once */
    for (int i = 0; i < 2 && n > 0; i++) {
        if (fds[i] >= 0) {
            ssize_t ignored = send(fds[i], line, (size_t) n, MSG_NOSIGNAL);
            (void) ignored;
        }
    }
}

static void report_exit(int status, void *unused) {
    (void) unused;
    report(status);
}

/* The code is known before exit(3) (main ended: see ExitReport.java): reported now, not again at exit. */
JNIEXPORT void JNICALL LIBC(reportExitNow)(JNIEnv *env, jclass c, jint code) {
    (void) env;
    (void) c;
    report(code);
}

/* From now on the exit code goes to the client and the server; -1: nowhere (a spare before its run). */
JNIEXPORT void JNICALL LIBC(reportExitTo)(JNIEnv *env, jclass c, jint client, jint server) {
    (void) c;
    static int registered = 0;
    report_client = client;
    report_server = server;
    if (!registered) {
        if (on_exit(report_exit, NULL) != 0) {
            throw_message(env, "on_exit failed");
            return;
        }
        registered = 1;
    }
}

/*
 * main(String[]) of a class, called as the java launcher calls it (JNI, no reflection): an exception out of it
 * is left pending, so the Java caller sees it thrown as it was.
 */
JNIEXPORT void JNICALL LIBC(callStaticMain)(JNIEnv *env, jclass c, jclass main_class, jobjectArray args) {
    (void) c;
    jmethodID main = (*env)->GetStaticMethodID(env, main_class, "main", "([Ljava/lang/String;)V");
    if (!main) return; /* NoSuchMethodError pending: the caller checked it is there */
    (*env)->CallStaticVoidMethod(env, main_class, main, args);
}
