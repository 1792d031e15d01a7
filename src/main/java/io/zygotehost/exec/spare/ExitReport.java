package io.zygotehost.exec.spare;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The run's exit code, told to the server as the JVM exits, before the process is gone: by the exit handler
 * of {@code libzygote-exec-exit.so} (src/main/c/zygote-exec-exit.c says why it is C), built beside the
 * spare's jar. Without the library (no C compiler at build time), the server learns the code when it reaps
 * the process, some milliseconds later.
 */
final class ExitReport {

    static final String LIBRARY = "libzygote-exec-exit.so";

    private final MethodHandle reportExit;

    private ExitReport(MethodHandle reportExit) {
        this.reportExit = reportExit;
    }

    /** Empty when the library is not there. */
    static Optional<ExitReport> load() throws URISyntaxException {
        Path jar = Path.of(ExitReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path library = jar.resolveSibling(LIBRARY);
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        return Optional.of(new ExitReport(Linker.nativeLinker().downcallHandle(
                lookup.find("zygote_exec_report_exit_to").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT))));
    }

    /** From now on, the exit code goes to {@code fd} ("exit N\n") when the process exits; -1: nowhere. */
    void to(int fd) throws IOException {
        int rc;
        try {
            rc = (int) reportExit.invokeExact(fd);
        } catch (Throwable t) {
            throw new IOException("zygote_exec_report_exit_to failed", t);
        }
        if (rc != 0) {
            throw new IOException("on_exit failed: the exit code will come from the process's end");
        }
    }
}
