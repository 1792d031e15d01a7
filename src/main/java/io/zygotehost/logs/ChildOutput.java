package io.zygotehost.logs;

import io.zygotehost.ipc.RunAs;
import io.zygotehost.process.Posix;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one child writes, read by the master: a named pipe (FIFO) the child opens for writing by its path (the
 * zygote's posix_spawn does it for a worker's stdout and stderr; a worker opens its access log itself) and a
 * thread of the master reads, handing whole lines on. A pipe, not a file the child appends to, so the master
 * is the only writer of the log files (their rotation and reopening are its own) and the kernel keeps what a
 * child wrote until the master reads it, even after the child died.
 *
 * <p>The reader opens the pipe before the child exists and waits there; the child's open for writing meets it
 * (a FIFO's open waits for the other end). The pipe's name is removed once both ends are open. The reader ends
 * at end-of-file: when the child, and every process that inherited the pipe from it, has exited. A child that
 * died before opening it never comes: {@link #writerGone} tells the reader to stop waiting.
 */
public final class ChildOutput {

    private static final Logger log = LoggerFactory.getLogger(ChildOutput.class);
    /** A read's worth; a longer line is cut at this length rather than held without bound. */
    static final int CHUNK = 64 * 1024;
    /** The reader is a thread blocked in read(): a small stack is plenty. */
    private static final long STACK = 256 * 1024;

    private final Path fifo;
    private final Consumer<byte[]> lines;
    private final Consumer<ChildOutput> onEnd;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean opened;

    /**
     * @param lines gets chunks of whole lines, each ending in a newline, in the order written
     * @param onEnd gets this output, on the reader's thread, after the last chunk
     */
    ChildOutput(Path fifo, Consumer<byte[]> lines, Consumer<ChildOutput> onEnd) {
        this.fifo = fifo;
        this.lines = lines;
        this.onEnd = onEnd;
    }

    /** Makes the pipe, the writer's own when it runs as another user ({@code user:}), and starts its reader. */
    ChildOutput start(RunAs writer) throws IOException {
        Posix.get().makeFifo(fifo);
        if (writer != null) {
            Files.setAttribute(fifo, "unix:uid", writer.uid());
            Files.setAttribute(fifo, "unix:gid", writer.gid());
        }
        Thread reader = new Thread(null, this::read, "output " + fifo.getFileName(), STACK);
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** Where the child opens it for writing. */
    public Path path() {
        return fifo;
    }

    /** The child has exited: if it never opened the pipe, its reader stops waiting for it. */
    public void writerGone() {
        if (!opened) {
            Posix.get().openFifoWriterAndClose(fifo); // the reader's open returns, then reads end-of-file
        }
    }

    /** Waits until the reader has handed on the last line; false if it is still reading after {@code millis}. */
    boolean awaitEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    private void read() {
        try (InputStream in = new FileInputStream(fifo.toFile())) { // waits for the child's open
            opened = true;
            Files.deleteIfExists(fifo);
            pump(in);
        } catch (IOException e) {
            log.warn("lost the output of a child at {}: {}", fifo, e.toString());
        } finally {
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException ignored) {
                // run_dir went away; nothing to tidy
            }
            onEnd.accept(this); // before the latch: whoever awaits the end finds it told
            ended.countDown();
        }
    }

    /** Hands on everything up to the last newline of each read; the rest waits for the next read. */
    private void pump(InputStream in) throws IOException {
        byte[] buffer = new byte[CHUNK];
        int filled = 0;
        for (int n; (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
            filled += n;
            int end = lastNewline(buffer, filled);
            if (end < 0 && filled == buffer.length) {
                lines.accept(withNewline(buffer, filled)); // one line longer than a chunk: cut it
                filled = 0;
            } else if (end >= 0) {
                lines.accept(Arrays.copyOf(buffer, end + 1));
                System.arraycopy(buffer, end + 1, buffer, 0, filled - end - 1);
                filled -= end + 1;
            }
        }
        if (filled > 0) {
            lines.accept(withNewline(buffer, filled)); // the child's last words had no newline
        }
    }

    private static int lastNewline(byte[] buffer, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] withNewline(byte[] buffer, int length) {
        byte[] line = Arrays.copyOf(buffer, length + 1);
        line[length] = '\n';
        return line;
    }
}
