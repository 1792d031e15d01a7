package io.zygotehost.logs;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TriggeringPolicyBase;
import io.zygotehost.config.LogRotation;
import java.io.File;
import java.nio.file.Path;

/**
 * How every log file of the host rotates ({@code log_rotation}): the logrotate naming, FILE.1 the newest of
 * {@code keep} old files, so {@code tail -F FILE} follows across a rotation; a rotation happens at a write,
 * between two whole chunks of lines, so no line is ever split across files.
 */
final class Rotation {

    private Rotation() {}

    /** Sets the appender up to write {@code file} and rotate it as {@code rotation} says; the caller starts it. */
    static <E> void apply(RollingFileAppender<E> appender, Path file, LogRotation rotation, Context context) {
        appender.setContext(context);
        appender.setFile(file.toString());
        appender.setAppend(true);
        FixedWindowRollingPolicy window = new FixedWindowRollingPolicy() {
            // logback caps the window at 20 files; config allows up to MAX_KEEP.
            @Override
            protected int getMaxWindowSize() {
                return LogRotation.MAX_KEEP;
            }
        };
        window.setContext(context);
        window.setParent(appender);
        window.setFileNamePattern(file + ".%i");
        window.setMinIndex(1);
        window.setMaxIndex(rotation.keep());
        window.start();
        SizeOrAge<E> trigger = new SizeOrAge<>(rotation);
        trigger.setContext(context);
        trigger.start();
        appender.setRollingPolicy(window);
        appender.setTriggeringPolicy(trigger);
    }

    /**
     * Rotates a file that reached max_size, or a non-empty one written for longer than {@code every}. The size is
     * the file's own (a stat per write), so a file renamed by an external logrotate and reopened starts afresh.
     * logback calls it under a lock of its own.
     */
    static final class SizeOrAge<E> extends TriggeringPolicyBase<E> {

        private final long maxSize;
        private final long everyMillis;
        private long openedAt = System.currentTimeMillis();

        SizeOrAge(LogRotation rotation) {
            this.maxSize = rotation.maxSize();
            this.everyMillis = rotation.every().toMillis();
        }

        @Override
        public boolean isTriggeringEvent(File activeFile, E event) {
            long length = activeFile.length();
            long now = System.currentTimeMillis();
            boolean due = length >= maxSize || (everyMillis > 0 && length > 0 && now - openedAt >= everyMillis);
            if (due) {
                openedAt = now;
            }
            return due;
        }
    }
}
