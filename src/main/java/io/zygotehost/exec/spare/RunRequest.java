package io.zygotehost.exec.spare;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the client asks for: run {@code mainClass.main(args)} as {@code java -cp classPath mainClass args}
 * would in {@code directory} with {@code environment}, on the client's stdin, stdout and stderr. The
 * server reads it to choose a spare and passes the same bytes on to the spare, with the descriptors.
 *
 * <p>On the wire (written by src/main/c/zygote-exec.c): the 4 bytes {@code ZHX1}, the length of the
 * rest as a 4-byte big-endian number, then NUL-terminated strings: the client's standard descriptors
 * that are open (e.g. "012"; a closed one stays closed in the program), the mode ({@value #RUN};
 * {@value #WAIT}, a run that waits for a spare; or {@value #TRAIN}: a training run of the class path's AOT
 * cache), the class path with every entry absolute (the server's key), the class path as given (what java.class.path shows), the working
 * directory, the main class, the number of arguments and the arguments, the number of environment
 * entries and the entries ("NAME=value"). The open standard descriptors travel with the first bytes
 * (SCM_RIGHTS), in order.
 *
 * <p>The strings are bytes to the OS, not text: they are kept byte for byte, one char per byte
 * (ISO-8859-1), so that a directory or a variable whose bytes are not UTF-8 reaches chdir(2) and the
 * environment unchanged. {@link #decoded} turns one into the text the JVM would have made of it.
 *
 * @param raw the whole message as received, header included, to pass on unchanged
 */
public record RunRequest(
        String standardFds,
        String mode,
        String classPath,
        String classPathAsGiven,
        String directory,
        String mainClass,
        List<String> args,
        List<String> environment,
        byte[] raw) {

    public static final String RUN = "run";
    /** A run that waits for a spare when none is ready, rather than be told to start cold. */
    public static final String WAIT = "wait";
    public static final String TRAIN = "train";
    public static final byte[] MAGIC = "ZHX1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 8;
    /** Far above any real command line and environment (Linux caps both together at a few MB). */
    static final int MAX_LENGTH = 64 * 1024 * 1024;

    public RunRequest {
        args = List.copyOf(args);
        environment = List.copyOf(environment);
    }

    /** A request and the descriptors that came with it. */
    public record Received(RunRequest request, int[] fds) {}

    /**
     * Reads one request from a connected socket, with its standard descriptors and {@code extraFds} more
     * after them (the server adds the client's connection for the spare). Empty at end-of-file before any
     * byte; the fds that came are closed when the message is bad.
     */
    public static java.util.Optional<Received> receive(int fd, int extraFds) throws IOException {
        byte[] first = new byte[64 * 1024];
        Libc.Received got = Libc.receive(fd, first, 3 + extraFds);
        if (got.endOfFile()) {
            return java.util.Optional.empty();
        }
        try {
            int have = got.length();
            while (have < HEADER) {
                have += readMore(fd, first, have, HEADER - have);
            }
            if (!Arrays.equals(first, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException("not a zygote-host exec request (it does not start with ZHX1)");
            }
            int length = ByteBuffer.wrap(first, 4, 4).getInt();
            if (length < 0 || length > MAX_LENGTH) {
                throw new IOException("a request of " + length + " bytes: more than the " + MAX_LENGTH + " allowed");
            }
            byte[] raw = Arrays.copyOf(first, HEADER + length);
            while (have < raw.length) {
                have += readMore(fd, raw, have, raw.length - have);
            }
            RunRequest request = decode(raw);
            if (request.standardFds().length() + extraFds != got.fds().length) {
                throw new IOException("the request names " + request.standardFds().length() + " descriptors and "
                        + (got.fds().length - extraFds) + " came");
            }
            return java.util.Optional.of(new Received(request, got.fds()));
        } catch (IOException | RuntimeException e) {
            for (int received : got.fds()) {
                Libc.close(received);
            }
            throw e;
        }
    }

    private static int readMore(int fd, byte[] buffer, int offset, int wanted) throws IOException {
        int n = Libc.read(fd, buffer, offset, wanted);
        if (n == 0) {
            throw new IOException("the request ended after " + offset + " bytes");
        }
        return n;
    }

    static RunRequest decode(byte[] raw) throws IOException {
        Strings strings = new Strings(raw, HEADER);
        String fds = strings.next();
        String mode = strings.next();
        String classPath = strings.next();
        String asGiven = strings.next();
        String directory = strings.next();
        String mainClass = strings.next();
        List<String> args = strings.list();
        List<String> environment = strings.list();
        if (!strings.done()) {
            throw new IOException("the request has bytes after its last field");
        }
        if (!fds.chars().allMatch(c -> c >= '0' && c <= '2')) {
            throw new IOException("bad standard descriptors in the request: " + fds);
        }
        if (!mode.equals(RUN) && !mode.equals(WAIT) && !mode.equals(TRAIN)) {
            throw new IOException("unknown mode in the request: " + mode);
        }
        return new RunRequest(fds, mode, classPath, asGiven, directory, mainClass, args, environment, raw);
    }

    /** Encodes a request as the client does; for tests. */
    public static byte[] encode(String fds, String mode, String classPath, String asGiven, String directory, String mainClass,
            List<String> args, List<String> environment) {
        List<String> fields = new ArrayList<>(List.of(fds, mode, classPath, asGiven, directory, mainClass));
        fields.add(Integer.toString(args.size()));
        fields.addAll(args);
        fields.add(Integer.toString(environment.size()));
        fields.addAll(environment);
        ByteBuffer out = ByteBuffer.allocate(HEADER + fields.stream().mapToInt(f -> f.getBytes(StandardCharsets.UTF_8).length + 1).sum());
        out.put(MAGIC).putInt(out.capacity() - HEADER);
        for (String field : fields) {
            out.put(field.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        }
        return out.array();
    }

    /** A field as the JVM decodes such bytes (argv, paths: {@code sun.jnu.encoding}). */
    public static String decoded(String field, java.nio.charset.Charset charset) {
        return new String(field.getBytes(StandardCharsets.ISO_8859_1), charset);
    }

    /** The value of an environment entry, or null. */
    public String variable(String name) {
        for (String entry : environment) {
            if (entry.startsWith(name) && entry.length() > name.length() && entry.charAt(name.length()) == '=') {
                return entry.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** Reads the NUL-terminated strings of a request. */
    private static final class Strings {
        private final byte[] bytes;
        private int at;

        Strings(byte[] bytes, int at) {
            this.bytes = bytes;
            this.at = at;
        }

        String next() throws IOException {
            int end = at;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            if (end == bytes.length) {
                throw new IOException("the request ends inside a field");
            }
            String value = new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
            at = end + 1;
            return value;
        }

        List<String> list() throws IOException {
            String count = next();
            int n;
            try {
                n = Integer.parseInt(count);
            } catch (NumberFormatException e) {
                throw new IOException("a count in the request is not a number: " + count);
            }
            if (n < 0 || n > bytes.length) {
                throw new IOException("a count in the request is out of range: " + n);
            }
            List<String> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                values.add(next());
            }
            return values;
        }

        boolean done() {
            return at == bytes.length;
        }
    }
}
