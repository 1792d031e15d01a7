package io.zygotehost.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Fcntl;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The process calls of the host, each native return code checked and named in the error. One
 * instance per process; spawn from one long-lived thread.
 */
public final class Posix implements ProcessLauncher {

    private static final int FD_CLOEXEC = 1;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int WNOHANG = 1;
    private static final int PRIO_PGRP = 1;
    /** Temporary copies of handed-over fds live above this, clear of every target number. */
    private static final int HANDOVER_FLOOR = 100;

    private static final Posix INSTANCE = new Posix();

    private final POSIX posix = POSIXFactory.getNativePOSIX();
    private final LibSpawn lib = LibraryLoader.create(LibSpawn.class).load("c");
    private final Runtime runtime = Runtime.getRuntime(lib);

    private Posix() {}

    public static Posix get() {
        return INSTANCE;
    }

    @Override
    public int spawn(SpawnRequest request) throws IOException {
        markAllCloseOnExec();
        List<Integer> temporaries = new ArrayList<>();
        Pointer actions = Memory.allocateDirect(runtime, LibSpawn.FILE_ACTIONS_SIZE);
        Pointer attr = Memory.allocateDirect(runtime, LibSpawn.SPAWNATTR_SIZE);
        check(lib.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        check(lib.posix_spawnattr_init(attr), "posix_spawnattr_init");
        try {
            addStdio(actions, request);
            // dup2(n, n) would keep FD_CLOEXEC and the fd would vanish at exec, and one hand-over may
            // overwrite the source of the next: so hand over copies taken above every target number.
            for (Map.Entry<Integer, Integer> entry : request.handOver().entrySet()) {
                int copy = lib.fcntl(entry.getValue(), LibSpawn.F_DUPFD_CLOEXEC, HANDOVER_FLOOR);
                checkErrno(copy, "fcntl(F_DUPFD_CLOEXEC) of fd " + entry.getValue());
                temporaries.add(copy);
                check(lib.posix_spawn_file_actions_adddup2(actions, copy, entry.getKey()),
                        "posix_spawn_file_actions_adddup2");
            }
            setSignalsAndGroup(attr, request.ownProcessGroup(), request.newSession());
            IntByReference pid = new IntByReference();
            int rc = lib.posix_spawn(pid, request.executable(), actions, attr,
                    nullTerminated(request.argv()), nullTerminated(envStrings(request.env())));
            if (rc != 0) {
                throw new IOException("posix_spawn(" + request.executable() + ") failed: " + Errno.valueOf(rc));
            }
            return pid.getValue();
        } finally {
            for (int fd : temporaries) {
                posix.close(fd);
            }
            lib.posix_spawn_file_actions_destroy(actions);
            lib.posix_spawnattr_destroy(attr);
        }
    }

    @Override
    public boolean signal(int pid, int signal) {
        return posix.kill(pid, signal) == 0;
    }

    @Override
    public Optional<ExitStatus> reap(int pid) {
        int[] status = new int[1];
        int rc = posix.waitpid(pid, status, WNOHANG);
        return rc == pid ? Optional.of(ExitStatus.fromWaitStatus(status[0])) : Optional.empty();
    }

    /** Signals every process of a process group; false when none is left. */
    public boolean signalGroup(int processGroup, int signal) {
        return posix.kill(-processGroup, signal) == 0;
    }

    /**
     * Sets the nice value of every thread of every process in the group (Linux applies a
     * process's priority per thread; PRIO_PGRP walks them all, and threads started later inherit it).
     */
    public void setGroupPriority(int processGroup, int nice) throws IOException {
        checkErrno(posix.setpriority(PRIO_PGRP, processGroup, nice), "setpriority(PRIO_PGRP, " + processGroup + ")");
    }

    /** Blocks until some child ends; empty when there is no child at all. */
    public Optional<Reaped> awaitAnyChild() {
        int[] status = new int[1];
        int pid = posix.waitpid(-1, status, 0);
        return pid > 0 ? Optional.of(new Reaped(pid, ExitStatus.fromWaitStatus(status[0]))) : Optional.empty();
    }

    public record Reaped(int pid, ExitStatus status) {}

    /** Orphaned grandchildren (workers of a dead zygote) are re-parented to us, so we can reap them. */
    public void becomeChildSubreaper() throws IOException {
        checkErrno(lib.prctl(LibSpawn.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /** A named pipe at {@code path}, readable and writable by this user only; one left there before is replaced. */
    public void makeFifo(Path path) throws IOException {
        Files.deleteIfExists(path);
        checkErrno(posix.mkfifo(path.toString(), 0600), "mkfifo(" + path + ")");
    }

    /**
     * Opens the named pipe for writing without waiting and closes it at once: a reader waiting in open() for a
     * writer returns and reads end-of-file. False when there was no reader (ENXIO) or no pipe.
     */
    public boolean openFifoWriterAndClose(Path path) {
        int fd = posix.open(path.toString(), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        posix.close(fd);
        return true;
    }

    /**
     * Gives a signal we inherited as ignored its default disposition back, and leaves any other as it is. nohup
     * ignores SIGHUP, and a shell ignores SIGINT in its background jobs; the JVM then refuses a handler for them
     * (sun.misc.Signal.handle installs nothing), so a host started that way would never reload on SIGHUP. Call it
     * before installing the handler.
     */
    public void stopIgnoring(int signal) throws IOException {
        long previous = lib.signal(signal, LibSpawn.SIG_DFL);
        if (previous == LibSpawn.SIG_ERR) {
            throw new IOException("signal(" + Signals.name(signal) + ", SIG_DFL) failed: errno " + posix.errno());
        }
        if (previous != LibSpawn.SIG_IGN && lib.signal(signal, previous) == LibSpawn.SIG_ERR) {
            throw new IOException("signal(" + Signals.name(signal) + ") could not be restored: errno " + posix.errno());
        }
    }

    public int pid() {
        return posix.getpid();
    }

    /** A pipe: the read end first, neither close-on-exec (a spawn hands over what it names, and marks the rest). */
    public int[] pipe() throws IOException {
        int[] fds = new int[2];
        checkErrno(posix.pipe(fds), "pipe");
        return fds;
    }

    /** Makes {@code target} a copy of {@code fd} (closing what it was), as a shell's redirection does. */
    public void dup2(int fd, int target) throws IOException {
        checkErrno(posix.dup2(fd, target), "dup2(" + fd + ", " + target + ")");
    }

    public void close(int fd) {
        posix.close(fd);
    }

    public boolean isAlive(int pid) {
        return posix.kill(pid, 0) == 0 || posix.errno() == Errno.EPERM.intValue();
    }

    /**
     * The JVM opens its jars and sockets without O_CLOEXEC: without this ~60 descriptors, among them
     * control sockets whose EOF tells a child the master died, would leak into every child.
     */
    void markAllCloseOnExec() throws IOException {
        Set<Integer> fds = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        }
        for (int fd : fds) {
            if (fd <= 2) {
                continue;
            }
            int flags = posix.fcntl(fd, Fcntl.F_GETFD);
            if (flags >= 0 && (flags & FD_CLOEXEC) == 0) {
                posix.fcntlInt(fd, Fcntl.F_SETFD, flags | FD_CLOEXEC); // EBADF: the directory stream's own fd, now closed
            }
        }
    }

    private void addStdio(Pointer actions, SpawnRequest request) throws IOException {
        check(lib.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "posix_spawn_file_actions_addopen(stdin)");
        if (request.output().isPresent()) {
            String path = request.output().get().toString();
            check(lib.posix_spawn_file_actions_addopen(actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0644),
                    "posix_spawn_file_actions_addopen(" + path + ")");
            check(lib.posix_spawn_file_actions_adddup2(actions, 1, 2), "posix_spawn_file_actions_adddup2(stderr)");
        }
    }

    /** JVM threads block some signals and we may ignore others; a child must start with neither. */
    private void setSignalsAndGroup(Pointer attr, boolean ownProcessGroup, boolean newSession) throws IOException {
        Pointer empty = Memory.allocateDirect(runtime, LibSpawn.SIGSET_SIZE);
        Pointer all = Memory.allocateDirect(runtime, LibSpawn.SIGSET_SIZE);
        checkErrno(lib.sigemptyset(empty), "sigemptyset");
        checkErrno(lib.sigfillset(all), "sigfillset");
        check(lib.posix_spawnattr_setsigmask(attr, empty), "posix_spawnattr_setsigmask");
        check(lib.posix_spawnattr_setsigdefault(attr, all), "posix_spawnattr_setsigdefault");
        short flags = LibSpawn.POSIX_SPAWN_SETSIGMASK | LibSpawn.POSIX_SPAWN_SETSIGDEF;
        if (ownProcessGroup) {
            flags |= LibSpawn.POSIX_SPAWN_SETPGROUP;
            check(lib.posix_spawnattr_setpgroup(attr, 0), "posix_spawnattr_setpgroup");
        }
        if (newSession) {
            flags |= LibSpawn.POSIX_SPAWN_SETSID; // a session leader is the leader of its own process group too
        }
        check(lib.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags");
    }

    private static String[] nullTerminated(List<String> values) {
        return values.toArray(new String[values.size() + 1]);
    }

    private static List<String> envStrings(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    /** For calls that return an error number. */
    private static void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw new IOException(call + " failed: " + Errno.valueOf(rc));
        }
    }

    /** For calls that return -1 and set errno. */
    private void checkErrno(int rc, String call) throws IOException {
        if (rc < 0) {
            throw new IOException(call + " failed: " + Errno.valueOf(posix.errno()));
        }
    }
}
