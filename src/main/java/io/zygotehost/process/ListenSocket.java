package io.zygotehost.process;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * A listening TCP socket opened once by the master and kept open across versions; workers inherit
 * its fd. Never SO_REUSEPORT: closing one of several reuseport listeners resets the connections
 * queued on it, while a shared fd hands every queued connection to whichever worker accepts next.
 */
public final class ListenSocket implements AutoCloseable {

    private static final int BACKLOG = 1024;

    private final Socket socket;
    private final InetSocketAddress address;

    private ListenSocket(Socket socket, InetSocketAddress address) {
        this.socket = socket;
        this.address = address;
    }

    public static ListenSocket open(InetSocketAddress address) throws IOException {
        Epoll.ensureAvailability();
        Socket socket = new Socket(Opener.newStreamFd(address.getAddress() instanceof Inet6Address));
        try {
            socket.setReuseAddress(true); // a restarted host rebinds while old connections sit in TIME_WAIT
            socket.bind(address);
            socket.listen(BACKLOG);
            return new ListenSocket(socket, socket.localAddress());
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen on " + describe(address) + ": " + e.getMessage(), e);
        }
    }

    public int fd() {
        return socket.intValue();
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Netty keeps the socket(2) call protected; this subclass only reaches it. */
    private static final class Opener extends Socket {
        private Opener() {
            super(-1);
        }

        static int newStreamFd(boolean ipv6) {
            return newSocketStream0(ipv6);
        }
    }
}
