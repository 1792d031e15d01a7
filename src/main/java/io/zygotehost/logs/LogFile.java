package io.zygotehost.logs;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.rolling.RollingFileAppender;
import io.zygotehost.config.LogRotation;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A rotating log file written in chunks of whole lines, by several threads: logback's appender writes each chunk
 * under its lock and rotates only between chunks, so lines from different writers never interleave mid-line.
 */
final class LogFile {

    private final RollingFileAppender<byte[]> appender = new RollingFileAppender<>();

    LogFile(Path file, LogRotation rotation, Context context) {
        Rotation.apply(appender, file, rotation, context);
        RawLines encoder = new RawLines();
        encoder.setContext(context);
        encoder.start();
        appender.setEncoder(encoder);
        appender.setName(file.getFileName().toString());
        appender.start();
    }

    /** Appends {@code lines}, each ending in a newline. */
    void write(byte[] lines) {
        appender.doAppend(lines);
    }

    /** Closes and opens the file again by name: after an external logrotate moved it (SIGUSR1). */
    void reopen() throws IOException {
        appender.openFile(appender.getFile());
    }

    void close() {
        appender.stop();
    }

    /** The bytes as they come: the lines are formatted before they get here. */
    private static final class RawLines extends EncoderBase<byte[]> {

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(byte[] lines) {
            return lines;
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }
}
