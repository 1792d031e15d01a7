package io.zygotehost.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Messages to systemd's {@code NOTIFY_SOCKET} (sd_notify(3)): one datagram of {@code KEY=VALUE}
 * lines per call, to a unix datagram socket given by path, or in the abstract namespace when the
 * variable starts with {@code @}.
 *
 * <p>A few lines of jnr-ffi rather than Netty's {@code EpollDomainDatagramChannel}: a send is one
 * synchronous {@code sendto} from the master's thread, where Netty would need an event loop thread
 * in a master that otherwise runs none; and an abstract name must go out with its exact length (the
 * kernel compares all of its bytes), which Netty's gathering send pads to the whole
 * {@code sockaddr_un} and its receive reads back with {@code strlen}.
 */
public final class SystemdNotify implements AutoCloseable {

    public static final String ENV = "NOTIFY_SOCKET";

    private static final LibUnix LIB = LibraryLoader.create(LibUnix.class).load("c");
    /** The offset of {@code sun_path} in {@code struct sockaddr_un}. */
    private static final int PATH_OFFSET = 2;

    private final String target;
    private final byte[] address;
    private final int addressLength;
    private final int fd;

    private SystemdNotify(String target, byte[] address, int addressLength, int fd) {
        this.target = target;
        this.address = address;
        this.addressLength = addressLength;
        this.fd = fd;
    }

    /** Empty when {@code NOTIFY_SOCKET} is not set: no service manager is listening. */
    public static Optional<SystemdNotify> fromEnvironment() throws IOException {
        String target = System.getenv(ENV);
        return target == null || target.isEmpty() ? Optional.empty() : Optional.of(open(target));
    }

    /** @param target a socket path, or {@code @name} for the abstract namespace */
    public static SystemdNotify open(String target) throws IOException {
        byte[] name = target.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = name[0] == '@';
        if (!isAbstract && name[0] != '/') {
            throw new IOException(ENV + " must be an absolute path or start with '@', got \"" + target + "\"");
        }
        // A path needs its terminating NUL inside sun_path; an abstract name is its bytes alone.
        if (name.length + (isAbstract ? 0 : 1) > LibUnix.SOCKADDR_UN_SIZE - PATH_OFFSET) {
            throw new IOException(ENV + " is longer than a unix socket address holds: " + target);
        }
        byte[] address = sockaddr(name, isAbstract);
        int addressLength = PATH_OFFSET + name.length + (isAbstract ? 0 : 1);
        int fd = LIB.socket(LibUnix.AF_UNIX, LibUnix.SOCK_DGRAM | LibUnix.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) for " + ENV + " failed: " + lastError());
        }
        return new SystemdNotify(target, address, addressLength, fd);
    }

    /** {@code struct sockaddr_un}: the family in host order (little-endian here), then the name. */
    static byte[] sockaddr(byte[] name, boolean isAbstract) {
        byte[] address = new byte[LibUnix.SOCKADDR_UN_SIZE];
        address[0] = (byte) LibUnix.AF_UNIX;
        System.arraycopy(name, 0, address, PATH_OFFSET, name.length);
        if (isAbstract) {
            address[PATH_OFFSET] = 0; // '@' stands for the leading NUL of an abstract name
        }
        return address;
    }

    /** Sends one message, e.g. {@code READY=1\nSTATUS=serving}. */
    public void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        long sent = LIB.sendto(fd, bytes, bytes.length, LibUnix.MSG_NOSIGNAL, address, addressLength);
        if (sent != bytes.length) {
            throw new IOException("sendto(" + ENV + "=" + target + ") failed: " + (sent < 0 ? lastError() : "sent " + sent
                    + " of " + bytes.length + " bytes"));
        }
    }

    /** The bytes of the address as sent, for tests. */
    byte[] address() {
        return Arrays.copyOf(address, addressLength);
    }

    @Override
    public void close() {
        LIB.close(fd);
    }

    private static String lastError() {
        return Errno.valueOf(Runtime.getRuntime(LIB).getLastError()).toString();
    }
}
