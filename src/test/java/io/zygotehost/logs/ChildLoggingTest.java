package io.zygotehost.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ChildLoggingTest {

    private static <T> T withProperties(String logging, String configurationFile, Supplier<T> body) {
        String oldLogging = System.getProperty(ChildLogging.PROPERTY);
        String oldFile = System.getProperty("logback.configurationFile");
        set(ChildLogging.PROPERTY, logging);
        set("logback.configurationFile", configurationFile);
        try {
            return body.get();
        } finally {
            set(ChildLogging.PROPERTY, oldLogging);
            set("logback.configurationFile", oldFile);
        }
    }

    private static void set(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    private static Configurator.ExecutionStatus configure(LoggerContext context) {
        ChildLogging configurator = new ChildLogging();
        configurator.setContext(context);
        return configurator.configure(context);
    }

    @Test
    void aChildLogsOneLinePerEventToStdoutAsLogbackChildXmlDid() {
        LoggerContext context = new LoggerContext();
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
                withProperties("child", null, () -> configure(context)));
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stdout = (ConsoleAppender<ILoggingEvent>) root.getAppender("stdout");
        assertTrue(stdout.isStarted());
        assertEquals("System.out", stdout.getTarget()); // the pipe the master reads into APP.log
        Logger worker = context.getLogger("io.zygotehost.worker.WorkerMain");
        byte[] line = stdout.getEncoder().encode(
                new LoggingEvent(Logger.class.getName(), worker, Level.INFO, "hello@v1 #{} serving", null, new Object[] {1}));
        assertEquals("INFO  WorkerMain - hello@v1 #1 serving" + System.lineSeparator(),
                new String(line, StandardCharsets.UTF_8));
    }

    @Test
    void theMasterAndAnAppsOwnLogbackFileAreLeftToLogback() {
        LoggerContext master = new LoggerContext();
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, withProperties(null, null, () -> configure(master)));
        assertFalse(master.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());

        LoggerContext theirs = new LoggerContext();
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY,
                withProperties("child", "their-logback.xml", () -> configure(theirs)));
        assertNull(theirs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("stdout"));
    }

    @Test
    void logbackFindsItAsAService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == ChildLogging.class));
    }
}
