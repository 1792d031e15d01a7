package io.zygotehost.process;

import jnr.ffi.annotations.In;

/**
 * Bindings only: the libc calls of the production pieces that jnr-posix leaves out. A datagram to a
 * unix socket named by bytes (systemd's {@code NOTIFY_SOCKET}, whose abstract names must be sent
 * with their exact length), and the supplementary groups of a process dropping root. Logic lives
 * in {@link SystemdNotify} and {@link Credentials}.
 */
public interface LibUnix {

    int AF_UNIX = 1;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 02000000;
    /** No SIGPIPE for a send to a socket nobody reads any more: an error number instead. */
    int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(struct sockaddr_un)}: the family (2 bytes) and 108 bytes of path. */
    int SOCKADDR_UN_SIZE = 110;

    int socket(int domain, int type, int protocol);

    /** Returns the bytes sent, or -1 and errno. {@code address} is a whole {@code struct sockaddr_un} of {@code addressLength} bytes. */
    long sendto(int fd, @In byte[] buffer, long length, int flags, @In byte[] address, int addressLength);

    int close(int fd);

    /** The groups of the user's entries in the group database, and {@code group}: what login gives a user. */
    int initgroups(String user, int group);

    int setgroups(long size, @In int[] groups);
}
