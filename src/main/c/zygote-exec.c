/*
 * zygote-exec: the client of `bin/zygote-host exec`. Built by the Maven build (target/zygote-exec).
 *
 *   zygote-host exec [--classpath CP | -cp CP] [--max-idle D] [--spares N] [--wait] [--train] MAIN [ARGS...]
 *
 * Runs MAIN.main(ARGS) in a warm JVM as `java -cp CP MAIN ARGS` would run it: the exec server of the
 * class path (one per user and class path, started here on first use) hands this run a spare JVM along
 * with our stdin, stdout and stderr (SCM_RIGHTS), our working directory and our environment. We forward
 * our signals to it and exit as it exits. When no spare is ready (runs back to back, a new server), the
 * server says so ("cold JAVA") and we become `JAVA [-cp CP] MAIN ARGS` ourselves, unless --wait. Written in
 * C because a JVM client would cost a JVM start, the very thing exec saves.
 *
 * The wire format of the request is documented in io.zygotehost.exec.spare.RunRequest; the server's
 * replies in io.zygotehost.exec.ClientSession.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EXIT_FAILURE_OURS 1   /* like java's own errors: "Error: Could not find or load main class" exits 1 */
#define EXIT_USAGE 2
#define SERVER_START_LIMIT_MS (5 * 60 * 1000) /* may include building the project (mvn package) */
#define LOG_ROTATE_BYTES (1024 * 1024)
#define ATTEMPTS 3

static const char *usage_text =
    "usage: zygote-host exec [--classpath CP | -cp CP] [--max-idle D] [--spares N] [--wait] [--train] MAIN [ARGS...]\n"
    "  Runs MAIN.main(ARGS) in a warm JVM, as java -cp CP MAIN ARGS would: same stdin, stdout, stderr,\n"
    "  working directory, environment and exit code.\n"
    "  --classpath CP   the class path (default: $CLASSPATH, else the current directory, as java does)\n"
    "  --max-idle D     a new server exits after D without a run (default 10m; e.g. 30s, 1h)\n"
    "  --spares N       a new server keeps N JVMs started and waiting (default 2)\n"
    "  --wait           when no spare is ready, wait for one rather than run java cold\n"
    "  --train          run once to train the class path's AOT cache (output to the server's log)\n";

static void die(int code, const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("zygote-host exec: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(code);
}

/* ---- a growing byte buffer ------------------------------------------------------------------------- */

struct buffer {
    char *bytes;
    size_t length, capacity;
};

static void append(struct buffer *b, const void *bytes, size_t n) {
    if (b->length + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + n) capacity *= 2;
        b->bytes = realloc(b->bytes, capacity);
        if (!b->bytes) die(EXIT_FAILURE_OURS, "out of memory");
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, bytes, n);
    b->length += n;
}

static void append_field(struct buffer *b, const char *text) {
    append(b, text, strlen(text) + 1);
}

static void append_count(struct buffer *b, long n) {
    char text[32];
    snprintf(text, sizeof text, "%ld", n);
    append_field(b, text);
}

static char *concat(const char *a, const char *b, const char *c) {
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (!s) die(EXIT_FAILURE_OURS, "out of memory");
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* ---- options ----------------------------------------------------------------------------------------- */

struct options {
    const char *class_path;   /* as given: NULL when not given */
    const char *max_idle;
    const char *spares;
    int train;
    int wait;                 /* for a spare, when none is ready, rather than run cold */
    int main_index;           /* argv index of MAIN */
};

/* A duration as the server reads it (io.zygotehost.config.Durations): digits, then ms, s, m, h or d; not 0. */
static int valid_duration(const char *text) {
    const char *p = text;
    int nonzero = 0;
    if (!*p) return 0;
    while (*p >= '0' && *p <= '9') nonzero |= *p++ != '0';
    if (p == text || !nonzero) return 0;
    return !strcmp(p, "ms") || !strcmp(p, "s") || !strcmp(p, "m") || !strcmp(p, "h") || !strcmp(p, "d");
}

static struct options parse_options(int argc, char **argv) {
    struct options o = {NULL, "10m", "2", 0, 0, 0};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (!strcmp(a, "--classpath") || !strcmp(a, "-cp") || !strcmp(a, "-classpath") || !strcmp(a, "--class-path")) {
            if (i + 1 >= argc) die(EXIT_USAGE, "%s needs a class path\n%s", a, usage_text);
            o.class_path = argv[++i];
        } else if (!strcmp(a, "--max-idle")) {
            if (i + 1 >= argc) die(EXIT_USAGE, "--max-idle needs a duration\n%s", usage_text);
            o.max_idle = argv[++i];
            if (!valid_duration(o.max_idle))
                die(EXIT_USAGE, "--max-idle wants a duration above 0 such as 30s, 10m or 1h, got \"%s\"", o.max_idle);
        } else if (!strcmp(a, "--spares")) {
            if (i + 1 >= argc) die(EXIT_USAGE, "--spares needs a number\n%s", usage_text);
            o.spares = argv[++i];
            char *end;
            long n = strtol(o.spares, &end, 10);
            if (*end || n < 1 || n > 16) die(EXIT_USAGE, "--spares wants a number from 1 to 16, got \"%s\"", o.spares);
        } else if (!strcmp(a, "--train")) {
            o.train = 1;
        } else if (!strcmp(a, "--wait")) {
            o.wait = 1;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (a[0] == '-') {
            die(EXIT_USAGE, "unknown option %s (JVM options go in JDK_JAVA_OPTIONS)\n%s", a, usage_text);
        } else {
            break;
        }
    }
    if (i >= argc) die(EXIT_USAGE, "no main class given\n%s", usage_text);
    o.main_index = i;
    return o;
}

/* ---- where things are ---------------------------------------------------------------------------------- */

/* The checkout: this program is ROOT/target/zygote-exec. */
static char *find_root(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) die(EXIT_FAILURE_OURS, "cannot read /proc/self/exe: %s", strerror(errno));
    exe[n] = 0;
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash) die(EXIT_FAILURE_OURS, "cannot find the zygote-host folder from %s", exe);
        *slash = 0;
    }
    return strdup(exe);
}

/*
 * The user's private folder of exec servers: $XDG_RUNTIME_DIR/zygote-host-exec, else
 * ${TMPDIR:-/tmp}/zygote-host-exec-UID. Made 0700; refused unless it is a real folder of ours that
 * nobody else can enter, since whoever can reach a server's socket can run code as us.
 */
static char *private_dir(void) {
    char *dir;
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (runtime && runtime[0] == '/') {
        dir = concat(runtime, "/zygote-host-exec", "");
    } else {
        const char *tmp = getenv("TMPDIR");
        char uid[32];
        snprintf(uid, sizeof uid, "%u", (unsigned) getuid());
        dir = concat(tmp && tmp[0] == '/' ? tmp : "/tmp", "/zygote-host-exec-", uid);
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) die(EXIT_FAILURE_OURS, "cannot make %s: %s", dir, strerror(errno));
    struct stat st;
    if (lstat(dir, &st) < 0) die(EXIT_FAILURE_OURS, "cannot stat %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) die(EXIT_FAILURE_OURS, "%s is not a folder (a symlink?): remove it", dir);
    if (st.st_uid != getuid()) die(EXIT_FAILURE_OURS, "%s belongs to uid %u, not to us: remove it", dir, (unsigned) st.st_uid);
    if (st.st_mode & 077) die(EXIT_FAILURE_OURS, "%s is open to others (mode %o): chmod 700 it", dir, st.st_mode & 0777);
    return dir;
}

/* The class path with every entry absolute: the server's key, and what the spares get. An empty entry is ".". */
static char *absolute_class_path(const char *given, const char *cwd) {
    struct buffer b = {0};
    const char *p = given;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t) (end - p) : strlen(p);
        if (b.length) append(&b, ":", 1);
        if (n == 0) {
            append(&b, cwd, strlen(cwd));
        } else {
            if (p[0] != '/') {
                append(&b, cwd, strlen(cwd));
                if (strcmp(cwd, "/")) append(&b, "/", 1);
            }
            append(&b, p, n);
        }
        if (!end) break;
        p = end + 1;
    }
    append(&b, "", 1);
    return b.bytes;
}

/* FNV-1a, 64 bits: names the server of a class path. A collision is caught: the server checks the class path. */
static uint64_t fnv1a(uint64_t hash, const char *text) {
    for (const unsigned char *p = (const unsigned char *) text; ; p++) {
        hash ^= *p;
        hash *= 0x100000001b3ULL;
        if (!*p) return hash;
    }
}

/* ---- the server ------------------------------------------------------------------------------------------ */

static int connect_to(const char *path) {
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path) die(EXIT_FAILURE_OURS, "socket path too long: %s (set TMPDIR shorter)", path);
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die(EXIT_FAILURE_OURS, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *) &address, sizeof address) == 0) return fd;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void show_log_tail(const char *log) {
    FILE *f = fopen(log, "r");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > 4000 ? size - 4000 : 0, SEEK_SET);
    char chunk[4001];
    size_t n = fread(chunk, 1, 4000, f);
    chunk[n] = 0;
    fclose(f);
    fprintf(stderr, "--- the end of %s:\n%s%s", log, chunk, n && chunk[n - 1] != '\n' ? "\n" : "");
}

/*
 * Starts the server (bin/zygote-host exec-server: it builds the project first if need be) in a session of its
 * own, so a terminal's signals never reach it, with a clean environment: the user's variables are for the
 * program, not for the server's JVM. Then waits until its socket answers.
 */
static int start_server(const char *root, const char *dir, const char *key, const char *class_path,
                        const struct options *o, const char *socket_path) {
    char *log = concat(dir, "/", key);
    char *log_file = concat(log, ".log", "");
    struct stat st;
    if (stat(log_file, &st) == 0 && st.st_size > LOG_ROTATE_BYTES) {
        char *old = concat(log_file, ".1", "");
        rename(log_file, old);
        free(old);
    }
    char *script = concat(root, "/bin/zygote-host", "");
    pid_t pid = fork();
    if (pid < 0) die(EXIT_FAILURE_OURS, "fork: %s", strerror(errno));
    if (pid == 0) {
        setsid();
        int in = open("/dev/null", O_RDONLY);
        int out = open(log_file, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (in < 0 || out < 0 || chdir("/") < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        for (int fd = 3; fd < 1024; fd++) close(fd);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        const char *keep[] = {"PATH", "HOME", "USER", "JAVA_HOME", "MAVEN_OPTS", "ZYGOTE_HOST_NO_BUILD", "TMPDIR", NULL};
        char *env[16];
        int n = 0;
        for (int i = 0; keep[i]; i++) {
            const char *value = getenv(keep[i]);
            if (value) env[n++] = concat(keep[i], "=", value);
        }
        env[n++] = "LC_ALL=C.UTF-8"; /* the server reads the request's bytes as UTF-8 */
        env[n] = NULL;
        char *args[] = {"zygote-host", "exec-server", "--dir", (char *) dir, "--key", (char *) key,
                        "--classpath", (char *) class_path, "--max-idle", (char *) o->max_idle,
                        "--spares", (char *) o->spares, NULL};
        execve(script, args, env);
        fprintf(stderr, "zygote-host exec: cannot run %s: %s\n", script, strerror(errno));
        _exit(127);
    }
    long deadline = now_ms() + SERVER_START_LIMIT_MS;
    int exited = 0, status = 0;
    long exited_at = 0;
    for (;;) {
        int fd = connect_to(socket_path);
        if (fd >= 0) return fd;
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = 1;
            exited_at = now_ms();
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) break;
            /* 0: another server holds the lock; it answers soon */
        }
        if (now_ms() > deadline || (exited && now_ms() - exited_at > 10000)) break;
        usleep(5000);
    }
    if (exited && WIFEXITED(status))
        fprintf(stderr, "zygote-host exec: the exec server could not start (exit code %d)\n", WEXITSTATUS(status));
    else if (exited)
        fprintf(stderr, "zygote-host exec: the exec server could not start (killed by signal %d)\n", WTERMSIG(status));
    else
        fprintf(stderr, "zygote-host exec: the exec server did not answer on %s within %d s\n", socket_path, SERVER_START_LIMIT_MS / 1000);
    show_log_tail(log_file);
    exit(EXIT_FAILURE_OURS);
}

/* ---- the request ------------------------------------------------------------------------------------------- */

static struct buffer build_request(const struct options *o, char **argv, int argc, const char *class_path,
                                   const char *given, const char *cwd, char *fds_open) {
    struct buffer b = {0};
    append(&b, "ZHX1\0\0\0\0", 8);
    append_field(&b, fds_open);
    append_field(&b, o->train ? "train" : o->wait ? "wait" : "run");
    append_field(&b, class_path);
    append_field(&b, given);
    append_field(&b, cwd);
    append_field(&b, argv[o->main_index]);
    append_count(&b, argc - o->main_index - 1);
    for (int i = o->main_index + 1; i < argc; i++) append_field(&b, argv[i]);
    long count = 0;
    for (char **e = environ; *e; e++) count++;
    append_count(&b, count);
    for (char **e = environ; *e; e++) append_field(&b, *e);
    uint32_t length = (uint32_t) (b.length - 8);
    unsigned char *header = (unsigned char *) b.bytes + 4;
    header[0] = length >> 24;
    header[1] = length >> 16;
    header[2] = length >> 8;
    header[3] = length;
    return b;
}

/* Sends the request, our open standard descriptors with its first bytes. 0, or -1 when the server is gone. */
static int send_request(int fd, const struct buffer *request, const int *fds, int nfds) {
    size_t sent = 0;
    while (sent < request->length) {
        struct iovec iov = {request->bytes + sent, request->length - sent};
        struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
        char control[CMSG_SPACE(3 * sizeof(int))];
        if (sent == 0 && nfds > 0) {
            memset(control, 0, sizeof control);
            message.msg_control = control;
            message.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&message);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
            memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
        }
        ssize_t n = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        sent += (size_t) n;
    }
    return 0;
}

/* ---- signals --------------------------------------------------------------------------------------------- */

static int signal_pipe[2] = {-1, -1};
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGALRM, 0};
/* What the forwarded signals and SIGPIPE were before us, put back for a cold run (an ignored one stays ignored). */
static struct sigaction before[sizeof forwarded / sizeof forwarded[0]], pipe_before;

/* Queues the signal and whether a terminal sent it (it then went to our whole process group). */
static void on_signal(int signo, siginfo_t *info, void *context) {
    (void) context;
    int saved = errno;
    unsigned char note[2] = {(unsigned char) signo, info && info->si_code == SI_KERNEL};
    ssize_t ignored = write(signal_pipe[1], note, 2);
    (void) ignored;
    errno = saved;
}

static void install_signal_handlers(void) {
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die(EXIT_FAILURE_OURS, "pipe: %s", strerror(errno));
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; forwarded[i]; i++) {
        sigaction(forwarded[i], NULL, &before[i]);
        /* One ignored by whoever started us (a command run with & from a script: SIGINT, SIGQUIT) stays ignored,
         * as java would leave it: it is not the program's to hear. */
        if (before[i].sa_handler != SIG_IGN) sigaction(forwarded[i], &action, NULL);
    }
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &pipe_before);
}

static void restore_signal_handlers(void) {
    for (int i = 0; forwarded[i]; i++) sigaction(forwarded[i], &before[i], NULL);
    sigaction(SIGPIPE, &pipe_before, NULL);
}

/*
 * No spare was ready: this process becomes `java [-cp CP] MAIN ARGS`, as the user would have run it, with our
 * descriptors, directory, environment and signal dispositions; a cold start, but no wait for a spare's.
 */
static void run_cold(const char *java, const struct options *o, char **argv, int argc, const int *early, int nearly) {
    char **command = calloc((size_t) argc + 4, sizeof *command);
    if (!command) die(EXIT_FAILURE_OURS, "out of memory");
    int n = 0;
    command[n++] = "java";
    if (o->class_path) {
        command[n++] = "-cp";
        command[n++] = (char *) o->class_path;
    }
    for (int i = o->main_index; i < argc; i++) command[n++] = argv[i];
    command[n] = NULL;
    restore_signal_handlers();
    /* Signals that came before the answer (Ctrl-C while a new server started) are the program's: as java's
     * would, its start ends on them (or ignores them, as before us). */
    unsigned char note[2];
    while (read(signal_pipe[0], note, 2) == 2) raise(note[0]);
    for (int i = 0; i < nearly; i++) raise(early[i]);
    execv(java, command);
    die(EXIT_FAILURE_OURS, "cannot run %s: %s", java, strerror(errno));
}

/* Tells the server to pass a signal on: to the program's process group when a terminal sent it to ours. */
static void forward_signal(int fd, int signo, int from_terminal) {
    char line[32];
    int n = snprintf(line, sizeof line, "%s %d\n", from_terminal ? "group" : "signal", signo);
    ssize_t ignored = send(fd, line, (size_t) n, MSG_NOSIGNAL);
    (void) ignored;
}

/* Dies of the signal that killed the program, as `java` would have, so a shell reports it the same way. */
static void die_of(int signo) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(signo, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(signo);
    exit(128 + signo);
}

/* ---- the run ------------------------------------------------------------------------------------------------ */

enum outcome { RETRY, DONE };

/* Reads the server's lines until the run ends. Returns RETRY when the server went before it took the run. */
static enum outcome follow_run(int fd, const char *log_file, int *exit_code, const struct options *o, char **argv, int argc) {
    char line[4096];
    size_t have = 0;
    int started = 0;
    int early[16], nearly = 0; /* signals forwarded before the run started: a cold run raises them itself */
    struct pollfd polled[2] = {{fd, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
    for (;;) {
        if (poll(polled, 2, -1) < 0) {
            if (errno == EINTR) continue;
            die(EXIT_FAILURE_OURS, "poll: %s", strerror(errno));
        }
        if (polled[1].revents & POLLIN) {
            unsigned char note[2];
            while (read(signal_pipe[0], note, 2) == 2) {
                int signo = note[0];
                if (signo == SIGTSTP) {
                    /* Ctrl-Z: the program stops, then we do; SIGCONT (fg) continues both. */
                    forward_signal(fd, SIGSTOP, 1);
                    raise(SIGSTOP);
                } else {
                    /* SIGCONT continues what Ctrl-Z stopped: the whole group, whoever sent it */
                    forward_signal(fd, signo, note[1] || signo == SIGCONT);
                }
                if (!started && signo != SIGTSTP && signo != SIGCONT && nearly < (int) (sizeof early / sizeof early[0]))
                    early[nearly++] = signo; /* (Ctrl-Z and fg were done here already) */
            }
        }
        if (!(polled[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = read(fd, line + have, sizeof line - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!started) return RETRY;
            die(EXIT_FAILURE_OURS, "the exec server went away while the program ran; see %s", log_file);
        }
        have += (size_t) n;
        line[have] = 0;
        char *newline;
        while ((newline = strchr(line, '\n'))) {
            *newline = 0;
            if (!strncmp(line, "started ", 8)) {
                started = 1;
            } else if (!strncmp(line, "exit ", 5)) {
                *exit_code = atoi(line + 5);
                return DONE;
            } else if (!strncmp(line, "killed ", 7)) {
                die_of(atoi(line + 7));
            } else if (!strncmp(line, "cold ", 5)) {
                run_cold(line + 5, o, argv, argc, early, nearly);
            } else if (!strncmp(line, "note ", 5)) {
                fprintf(stderr, "zygote-host exec: %s\n", line + 5);
            } else if (!strncmp(line, "error ", 6)) {
                die(EXIT_FAILURE_OURS, "%s", line + 6);
            }
            size_t rest = have - (size_t) (newline + 1 - line);
            memmove(line, newline + 1, rest + 1);
            have = rest;
        }
        if (have == sizeof line - 1) have = 0; /* a line longer than any the server sends: drop it */
    }
}

int main(int argc, char **argv) {
    struct options o = parse_options(argc, argv);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) die(EXIT_FAILURE_OURS, "cannot read the working directory: %s", strerror(errno));
    const char *given = o.class_path ? o.class_path : getenv("CLASSPATH") ? getenv("CLASSPATH") : ".";
    char *class_path = absolute_class_path(given, cwd);
    char *root = find_root();
    const char *java_home = getenv("JAVA_HOME");
    uint64_t hash = fnv1a(fnv1a(fnv1a(0xcbf29ce484222325ULL, class_path), root), java_home ? java_home : "");
    char key[17];
    snprintf(key, sizeof key, "%016llx", (unsigned long long) hash);
    char *dir = private_dir();
    char *base = concat(dir, "/", key);
    char *socket_path = concat(base, ".sock", "");
    char *log_file = concat(base, ".log", "");

    int fds[3], nfds = 0;
    char fds_open[4] = {0};
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0) {
            fds_open[nfds] = (char) ('0' + fd);
            fds[nfds++] = fd;
        }
    }
    struct buffer request = build_request(&o, argv, argc, class_path, given, cwd, fds_open);
    install_signal_handlers();

    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        int fd = connect_to(socket_path);
        if (fd < 0) {
            if (errno != ENOENT && errno != ECONNREFUSED)
                die(EXIT_FAILURE_OURS, "cannot connect to %s: %s", socket_path, strerror(errno));
            fd = start_server(root, dir, key, class_path, &o, socket_path);
        }
        int exit_code = 0;
        if (send_request(fd, &request, fds, nfds) == 0 && follow_run(fd, log_file, &exit_code, &o, argv, argc) == DONE) return exit_code;
        close(fd); /* the server left before it took the run (it was stopping): a new one will */
    }
    die(EXIT_FAILURE_OURS, "the exec server closed the connection %d times before taking the run; see %s", ATTEMPTS, log_file);
}
