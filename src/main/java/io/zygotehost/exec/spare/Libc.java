package io.zygotehost.exec.spare;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bindings only: the libc calls of {@code exec}'s server and spares, implemented in C
 * (src/main/c/zygote-exec-jni.c says why JNI) in {@code libzygote-exec.so}, beside this class's jar or
 * classes folder. A spare JVM runs the user's program with the user's class path and nothing else, so this
 * depends on java.base alone; the server passes descriptors on (SCM_RIGHTS), which neither the JDK's unix
 * sockets nor jnr-posix's API do. Every call that fails throws an IOException naming the call and errno.
 */
public final class Libc {

    static final String LIBRARY = "libzygote-exec.so";
    public static final int SIGKILL = 9;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    /** The most descriptors a message carries. */
    static final int MAX_FDS = 16;

    static {
        System.load(library().toString());
    }

    private Libc() {}

    /** {@code libzygote-exec.so} beside the jar (target/zygote-host.jar, target/zygote-exec-spare.jar) or classes folder. */
    static Path library() {
        try {
            Path location = Path.of(Libc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path library = location.resolveSibling(LIBRARY);
            if (!Files.isRegularFile(library)) {
                throw new UnsatisfiedLinkError(library + " is missing: zygote-host exec needs it, built by mvn package"
                        + " with a C compiler (apt-get install gcc)");
            }
            return library;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two connected unix stream sockets, both close-on-exec. */
    public static int[] socketPair() throws IOException {
        return socketPair0();
    }

    /** A close-on-exec unix socket listening at {@code path}. */
    public static int listenUnix(Path path, int backlog) throws IOException {
        return listenUnix0(path.toString().getBytes(StandardCharsets.UTF_8), backlog);
    }

    /** Blocks until a connection comes; the new fd is close-on-exec. Throws once the socket is shut down. */
    public static native int accept(int fd) throws IOException;

    /** Ends blocked accepts and reads on the socket, for both sides; an fd closed already is no error. */
    public static native void shutdown(int fd);

    /** The peer of a connected unix socket (SO_PEERCRED). */
    public record Peer(int pid, int uid) {}

    public static Peer peer(int fd) throws IOException {
        int[] credentials = peer0(fd);
        return new Peer(credentials[0], credentials[1]);
    }

    public static native int userId();

    /** What one recvmsg brought: {@code length} bytes into the caller's buffer, and descriptors (close-on-exec). */
    public record Received(int length, int[] fds) {
        public boolean endOfFile() {
            return length == 0 && fds.length == 0;
        }
    }

    /** One recvmsg: up to {@code buffer.length} bytes, and at most {@code maxFds} descriptors. */
    public static Received receive(int fd, byte[] buffer, int maxFds) throws IOException {
        int[] fds = new int[Math.min(maxFds, MAX_FDS) + 1];
        int n = receive0(fd, buffer, fds);
        return new Received(n, java.util.Arrays.copyOfRange(fds, 1, 1 + fds[0]));
    }

    /** Sends all of {@code bytes} (at least one), the descriptors with the first of them. */
    public static native void send(int fd, byte[] bytes, int[] fds) throws IOException;

    /** One read(2) into the buffer; 0 at end-of-file. */
    public static native int read(int fd, byte[] buffer, int offset, int length) throws IOException;

    public static native void writeFully(int fd, byte[] bytes) throws IOException;

    /** Closes a descriptor; an error (it was closed already) is ignored: nothing could be done about it. */
    public static native void close(int fd);

    /** open(2); the flags are the O_ constants above. */
    public static int open(String path, int flags, int mode) throws IOException {
        return open0(path.getBytes(StandardCharsets.UTF_8), flags, mode);
    }

    public static native void dup2(int from, int to) throws IOException;

    /** A close-on-exec copy of fd numbered {@code floor} or above (F_DUPFD_CLOEXEC). */
    public static native int dupAbove(int fd, int floor) throws IOException;

    /** {@code path}: one char per byte (see {@link RunRequest}). */
    public static void chdir(String path) throws IOException {
        chdir0(path.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The signal this process gets when the thread that spawned it ends (PR_SET_PDEATHSIG). */
    public static native void deathSignal(int signal) throws IOException;

    /**
     * Makes {@code entries} ("NAME=value", one char per byte) the process's environment, for getenv(3), the
     * JDK's System.getenv (read once, at its first use) and the children the program starts.
     */
    public static void replaceEnvironment(List<String> entries) throws IOException {
        byte[][] bytes = new byte[entries.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = entries.get(i).getBytes(StandardCharsets.ISO_8859_1);
        }
        replaceEnvironment0(bytes);
    }

    /** Waits until one of the descriptors can be read (or is at end-of-file, or failed); which, in their order. */
    public static native boolean[] awaitReadable(int... fds) throws IOException;

    /**
     * From now on the process's exit code goes to the client, then to the server ("exit N\n" to each) as it
     * exits; -1: nowhere (a spare registers the handler before it has a run).
     */
    public static native void reportExitTo(int client, int server) throws IOException;

    /** Reports this exit code now, to where {@link #reportExitTo} said, and no other later. */
    public static native void reportExitNow(int code);

    /**
     * Calls {@code mainClass.main(args)}, a static {@code main(String[])}, through JNI as the java launcher does:
     * what main throws comes out as it was thrown. (Method.invoke made the first call's method handle, 0.1 to
     * 0.2 ms interpreted, on the path of every run.)
     */
    static native void callStaticMain(Class<?> mainClass, String[] args) throws Throwable;

    private static native int[] socketPair0() throws IOException;

    private static native int listenUnix0(byte[] path, int backlog) throws IOException;

    private static native int[] peer0(int fd) throws IOException;

    private static native int receive0(int fd, byte[] buffer, int[] fds) throws IOException;

    private static native int open0(byte[] path, int flags, int mode) throws IOException;

    private static native void chdir0(byte[] path) throws IOException;

    private static native void replaceEnvironment0(byte[][] entries) throws IOException;
}
