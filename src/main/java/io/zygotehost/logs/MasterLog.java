package io.zygotehost.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import io.zygotehost.config.LogRotation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Sends the master's own log lines to {@code log_dir/zygote-host.log}, rotated as the others, as well as the console. */
final class MasterLog {

    private static final String APPENDER = "master-file";
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%logger{0}] %msg%n";

    private final RollingFileAppender<ILoggingEvent> appender;

    private MasterLog(RollingFileAppender<ILoggingEvent> appender) {
        this.appender = appender;
    }

    /** Empty when slf4j is bound to something other than logback: the embedding program chose its own logging. */
    static Optional<MasterLog> attach(Path logFile, LogRotation rotation) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return Optional.empty();
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(APPENDER);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        Rotation.apply(file, logFile, rotation, context);
        file.setName(APPENDER);
        file.setEncoder(encoder);
        file.start();
        root.addAppender(file);
        return Optional.of(new MasterLog(file));
    }

    void reopen() throws IOException {
        appender.openFile(appender.getFile());
    }

    void detach() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        }
        appender.stop();
    }
}
