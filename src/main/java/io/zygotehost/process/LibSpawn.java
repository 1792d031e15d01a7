package io.zygotehost.process;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Bindings only: the libc calls jnr-posix leaves out or gets wrong for us (posix_spawn with a
 * signal mask and default dispositions, prctl). Logic lives in {@link Posix}.
 */
public interface LibSpawn {

    // glibc x86_64 sizes are 80 (file actions), 336 (attr) and 128 (sigset_t); allocate with room to spare.
    int FILE_ACTIONS_SIZE = 256;
    int SPAWNATTR_SIZE = 512;
    int SIGSET_SIZE = 128;

    short POSIX_SPAWN_SETPGROUP = 0x02;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc 2.26 and later. */
    short POSIX_SPAWN_SETSID = 0x80;

    /** Linux's number; jnr-constants does not know it. */
    int F_DUPFD_CLOEXEC = 1030;

    int PR_SET_CHILD_SUBREAPER = 36;

    /** sighandler_t values: a pointer, a long on LP64 Linux. */
    long SIG_DFL = 0;
    long SIG_IGN = 1;
    long SIG_ERR = -1;

    int posix_spawn_file_actions_init(Pointer actions);
    int posix_spawn_file_actions_destroy(Pointer actions);
    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);
    int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int oflag, int mode);

    int posix_spawnattr_init(Pointer attr);
    int posix_spawnattr_destroy(Pointer attr);
    int posix_spawnattr_setflags(Pointer attr, short flags);
    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);
    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigmask);
    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigdefault);

    int sigemptyset(Pointer set);
    int sigfillset(Pointer set);

    /** Returns an error number (not -1 and errno). argv and envp end with a null element. */
    int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attr, String[] argv, String[] envp);

    int fcntl(int fd, int cmd, int arg);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** Sets a signal's disposition; returns the previous one, or SIG_ERR. */
    long signal(int signum, long handler);
}
