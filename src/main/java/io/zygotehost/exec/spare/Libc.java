package io.zygotehost.exec.spare;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * Bindings only: the libc calls of {@code exec}, through the FFM API (java.lang.foreign). A spare JVM
 * runs the user's program with the user's class path and nothing else, so its bootstrap may depend on
 * java.base alone: no jnr, no Netty. The server uses the same calls for its socket, whose descriptors
 * it passes on (SCM_RIGHTS), which neither the JDK's unix sockets nor jnr-posix's API do.
 *
 * <p>Every call that fails throws an IOException naming the call and errno. Constants are Linux x86_64/aarch64.
 */
public final class Libc {

    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SHUT_RDWR = 2;
    public static final int SIGKILL = 9;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int SO_PEERCRED = 17;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_CTRUNC = 0x8;
    static final int PR_SET_PDEATHSIG = 1;
    static final int EINTR = 4;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final short POLLIN = 0x1;
    /** sun_path of struct sockaddr_un. */
    public static final int MAX_SOCKET_PATH = 107;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = function("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SOCKETPAIR = function("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle BIND = function("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = function("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = function("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle SHUTDOWN = function("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = function("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle RECVMSG = function("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDMSG = function("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle READ = function("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = function("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = function("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle OPEN = function("open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle DUP2 = function("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle FCNTL = function("fcntl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle POLL = function("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle CHDIR = function("chdir", JAVA_INT, ADDRESS);
    private static final MethodHandle GETUID = function("getuid", JAVA_INT);
    private static final MethodHandle PRCTL = LINKER.downcallHandle(LIBC.find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.firstVariadicArg(1),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    /** {@code char **environ}: the variable itself, whose value getenv(3) and the JDK's ProcessEnvironment read. */
    private static final MemorySegment ENVIRON = LIBC.find("environ").orElseThrow().reinterpret(ADDRESS.byteSize());

    private Libc() {}

    private static MethodHandle function(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in libc")),
                FunctionDescriptor.of(result, arguments), Linker.Option.captureCallState("errno"));
    }

    public static int socket(int domain, int type) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return check((int) SOCKET.invokeExact(state, domain, type, 0), state, "socket");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Two connected unix stream sockets, both close-on-exec. */
    public static int[] socketPair() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            check((int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), state, "socketpair");
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Binds a unix socket to a path and listens on it. */
    public static void bindAndListen(int fd, String path, int backlog) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_SOCKET_PATH) {
            throw new IOException("socket path " + path + " is longer than the " + MAX_SOCKET_PATH + " bytes a unix socket allows");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address = arena.allocate(2 + MAX_SOCKET_PATH + 1); // zeroed: sun_path ends with a NUL
            address.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, JAVA_BYTE, 2, name.length);
            check((int) BIND.invokeExact(state, fd, address, (int) address.byteSize()), state, "bind(" + path + ")");
            check((int) LISTEN.invokeExact(state, fd, backlog), state, "listen(" + path + ")");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Blocks until a connection comes; the new fd is close-on-exec. Throws once the socket is shut down. */
    public static int accept(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int client = (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (client >= 0 || errno(state) != EINTR) {
                    return check(client, state, "accept4");
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Ends blocked accepts and reads on the socket; errors are ignored (it may be closed already). */
    public static void shutdown(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CALL_STATE), fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The peer of a connected unix socket: its pid and uid (SO_PEERCRED). */
    public record Peer(int pid, int uid) {}

    public static Peer peer(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment credentials = arena.allocate(JAVA_INT, 3); // struct ucred: pid, uid, gid
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) credentials.byteSize());
            check((int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_PEERCRED, credentials, length), state,
                    "getsockopt(SO_PEERCRED)");
            return new Peer(credentials.getAtIndex(JAVA_INT, 0), credentials.getAtIndex(JAVA_INT, 1));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * One recvmsg: up to {@code buffer.length} bytes, and the descriptors that came with them
     * (close-on-exec). An empty result (0 bytes, no fds) is end-of-file.
     */
    public static Received receive(int fd, byte[] buffer, int maxFds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(buffer.length);
            MemorySegment control = arena.allocate(controlSpace(maxFds), 8);
            MemorySegment header = messageHeader(arena, data, control);
            long n;
            do {
                n = (long) RECVMSG.invokeExact(state, fd, header, MSG_CMSG_CLOEXEC);
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                throw failure("recvmsg", state);
            }
            int[] fds = descriptors(header);
            if ((header.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0) {
                for (int received : fds) {
                    close(received);
                }
                throw new IOException("recvmsg: more than " + maxFds + " descriptors came with the message");
            }
            MemorySegment.copy(data, JAVA_BYTE, 0, buffer, 0, (int) n);
            return new Received((int) n, fds);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** What one recvmsg brought: {@code length} bytes into the caller's buffer, and descriptors. */
    public record Received(int length, int[] fds) {
        public boolean endOfFile() {
            return length == 0 && fds.length == 0;
        }
    }

    /** Sends all of {@code bytes} (at least one), the descriptors with the first of them. */
    public static void send(int fd, byte[] bytes, int[] fds) throws IOException {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("descriptors travel with at least one byte");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            MemorySegment control = MemorySegment.NULL;
            if (fds.length > 0) {
                control = arena.allocate(controlSpace(fds.length), 8);
                control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                }
            }
            long offset = 0;
            while (offset < bytes.length) {
                MemorySegment header = messageHeader(arena, data.asSlice(offset), offset == 0 ? control : MemorySegment.NULL);
                long n = (long) SENDMSG.invokeExact(state, fd, header, MSG_NOSIGNAL);
                if (n < 0 && errno(state) == EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw failure("sendmsg", state);
                }
                offset += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // struct msghdr (x86_64 and aarch64): name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad).
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSG_FLAGS = 48;
    /** struct cmsghdr: len (size_t), level, type; the data follows, 8-aligned. */
    private static final long CMSG_HEADER = 16;

    private static long controlSpace(int fds) {
        return CMSG_HEADER + ((4L * fds + 7) & ~7L);
    }

    private static MemorySegment messageHeader(Arena arena, MemorySegment data, MemorySegment control) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, data.byteSize());
        MemorySegment header = arena.allocate(MSGHDR_SIZE, 8);
        header.set(ADDRESS, MSG_IOV, iov);
        header.set(JAVA_LONG, MSG_IOVLEN, 1);
        header.set(ADDRESS, MSG_CONTROL, control);
        header.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
        return header;
    }

    /** The descriptors of every SCM_RIGHTS message in the control data recvmsg filled in. */
    private static int[] descriptors(MemorySegment header) {
        long length = header.get(JAVA_LONG, MSG_CONTROLLEN);
        MemorySegment control = header.get(ADDRESS, MSG_CONTROL).reinterpret(length);
        java.util.List<Integer> fds = new java.util.ArrayList<>();
        long at = 0;
        while (at + CMSG_HEADER <= length) {
            long messageLength = control.get(JAVA_LONG, at);
            if (messageLength < CMSG_HEADER || at + messageLength > length) {
                break;
            }
            if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_RIGHTS) {
                for (long i = CMSG_HEADER; i + 4 <= messageLength; i += 4) {
                    fds.add(control.get(JAVA_INT, at + i));
                }
            }
            at += (messageLength + 7) & ~7L;
        }
        return fds.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One read(2) into the buffer; 0 at end-of-file. */
    public static int read(int fd, byte[] buffer, int offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(Math.max(1, length));
            long n;
            do {
                n = (long) READ.invokeExact(state, fd, data, (long) length);
            } while (n < 0 && errno(state) == EINTR);
            if (n < 0) {
                throw failure("read", state);
            }
            MemorySegment.copy(data, JAVA_BYTE, 0, buffer, offset, (int) n);
            return (int) n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void writeFully(int fd, byte[] bytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment data = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            long offset = 0;
            while (offset < bytes.length) {
                long n = (long) WRITE.invokeExact(state, fd, data.asSlice(offset), bytes.length - offset);
                if (n < 0 && errno(state) == EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw failure("write", state);
                }
                offset += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2); the flags are the O_ constants above. */
    public static int open(String path, int flags, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return check((int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode), state, "open(" + path + ")");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Closes a descriptor; an error (it was closed already) is ignored: nothing could be done about it. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A close-on-exec copy of fd numbered {@code floor} or above (F_DUPFD_CLOEXEC). */
    public static int dupAbove(int fd, int floor) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return check((int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, floor), state, "fcntl(F_DUPFD_CLOEXEC)");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Waits until one of the descriptors can be read (or is at end-of-file, or failed); returns which, as
     * booleans in their order.
     */
    public static boolean[] awaitReadable(int... fds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment polled = arena.allocate(8L * fds.length, 4); // struct pollfd: fd, events, revents
            for (int i = 0; i < fds.length; i++) {
                polled.set(JAVA_INT, 8L * i, fds[i]);
                polled.set(JAVA_SHORT, 8L * i + 4, POLLIN);
            }
            int rc;
            do {
                rc = (int) POLL.invokeExact(state, polled, (long) fds.length, -1);
            } while (rc < 0 && errno(state) == EINTR);
            check(rc, state, "poll");
            boolean[] readable = new boolean[fds.length];
            for (int i = 0; i < fds.length; i++) {
                readable[i] = polled.get(JAVA_SHORT, 8L * i + 6) != 0;
            }
            return readable;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void dup2(int from, int to) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc;
            do {
                rc = (int) DUP2.invokeExact(state, from, to);
            } while (rc < 0 && errno(state) == EINTR);
            check(rc, state, "dup2(" + from + ", " + to + ")");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code path}: one char per byte (see {@link RunRequest}). */
    public static void chdir(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check((int) CHDIR.invokeExact(state, arena.allocateFrom(path, StandardCharsets.ISO_8859_1)), state, "chdir(" + path + ")");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int userId() {
        try (Arena arena = Arena.ofConfined()) {
            return (int) GETUID.invokeExact(arena.allocate(CALL_STATE));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The signal this process gets when the thread that spawned it ends (PR_SET_PDEATHSIG). */
    public static void deathSignal(int signal) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check((int) PRCTL.invokeExact(state, PR_SET_PDEATHSIG, (long) signal), state, "prctl(PR_SET_PDEATHSIG)");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Makes {@code entries} ("NAME=value", one char per byte) the process's environment, for getenv(3), the JDK's
     * System.getenv (read once, at its first use) and the children the program starts. The memory is
     * never freed: the old environment may still be referenced, and this happens once per process.
     */
    public static void replaceEnvironment(java.util.List<String> entries) {
        Arena forever = Arena.global();
        MemorySegment array = forever.allocate(ADDRESS, entries.size() + 1L);
        for (int i = 0; i < entries.size(); i++) {
            array.setAtIndex(ADDRESS, i, forever.allocateFrom(entries.get(i), StandardCharsets.ISO_8859_1));
        }
        array.setAtIndex(ADDRESS, entries.size(), MemorySegment.NULL);
        ENVIRON.set(ADDRESS, 0, array);
    }

    private static int check(int rc, MemorySegment state, String call) throws IOException {
        if (rc < 0) {
            throw failure(call, state);
        }
        return rc;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static IOException failure(String call, MemorySegment state) {
        int errno = errno(state);
        return new IOException(call + " failed: " + describe(errno) + " (errno " + errno + ")");
    }

    private static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error";
        }
    }

    private static IllegalStateException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(t);
    }
}
