package io.zygotehost.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging of zygotes and workers, set up in code: one line per event on stdout, which goes to a pipe the master
 * reads into {@code log_dir/APP.log}, prefixing every line with the time, the version, the worker and the pid.
 * Logback finds it as a service and asks it first; it acts only in a process started with {@value #PROPERTY}{@code
 * =child} (the master's children) and no {@code logback.configurationFile} (which an app's jvm_options may set).
 *
 * <p>Why not a logback-child.xml: reading XML is logback's Joran and the JDK's Xerces, 700 classes in every worker
 * and zygote (of the 4,200 a hello worker loads), for five lines of configuration. Measured with {@code bin/bench
 * size}: see the README, "Small workers".
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ChildLogging extends ContextAwareBase implements Configurator {

    /** The system property that marks a zygote or worker: {@code -Dzygote.logging=child}. */
    public static final String PROPERTY = "zygote.logging";
    static final String PATTERN = "%-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!"child".equals(System.getProperty(PROPERTY)) || System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("stdout");
        stdout.setEncoder(encoder);
        stdout.start();
        context.getLogger("io.netty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
