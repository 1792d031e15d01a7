package io.zygotehost.exec.spare;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

/**
 * A spare JVM of {@code zygote-host exec}: started ahead of need by the exec server with the user's
 * class path, it waits on its control socket (fd 3) until a run comes, then becomes that run: the
 * client's stdin, stdout and stderr become its 0, 1 and 2, its working directory and environment
 * become the client's, and the main class runs in this, the JVM's own main thread. From there on it is
 * what {@code java -cp CLASSPATH MAIN ARGS} would have been, exit code included: {@code System.exit(n)}
 * exits with n, a main that returns leaves the JVM to wait for the program's non-daemon threads and exit 0,
 * an exception out of main is printed by the JVM as "Exception in thread "main" ..." with exit code 1.
 *
 * <p>It uses java.base only (see {@link Libc}) and runs from its own small jar on the module path,
 * so the program's class path is exactly the user's.
 */
public final class SpareMain {

    public static final int CONTROL_FD = 3;
    /** Where the control socket moves for the exit report: clear of the numbers a program's first files get. */
    static final int EXIT_REPORT_FD_FLOOR = 100;
    /** Written once to the control socket when warmed up: the server may hand this spare a run. */
    static final byte READY = 'R';
    /** A request the spare cannot read: the server logs it, the client is told. */
    static final int EXIT_BAD_REQUEST = 70;

    private SpareMain() {}

    public static void main(String[] args) throws Throwable {
        // The server's death ends the spare, idle or running: nobody would take it, stop it or report its exit.
        Libc.deathSignal(Libc.SIGKILL);
        Launch launch = Launch.prepare();
        ExitReport exitReport = ExitReport.prepare();
        rehearse(launch);
        exitReport.rehearse();
        try {
            Libc.writeFully(CONTROL_FD, new byte[] {READY});
        } catch (IOException serverGone) {
            return; // the server died while this spare started (EPIPE): nobody will take it
        }

        Optional<RunRequest.Received> received;
        try {
            received = RunRequest.receive(CONTROL_FD, 1);
        } catch (IOException e) {
            System.err.println("zygote-host exec spare: a bad request: " + e.getMessage());
            System.exit(EXIT_BAD_REQUEST);
            return;
        }
        if (received.isEmpty()) {
            return; // retired by the server before any run: end quietly
        }
        // fd 3 was the spare's; the program's descriptors start free as under java. The control socket and the
        // client's connection (the last descriptor that came) live on above them, close-on-exec, for the exit report.
        int[] fds = received.get().fds();
        int client = fds[fds.length - 1];
        Libc.reportExitTo(Libc.dupAbove(client, EXIT_REPORT_FD_FLOOR), Libc.dupAbove(CONTROL_FD, EXIT_REPORT_FD_FLOOR));
        Libc.close(CONTROL_FD);
        RunRequest request = received.get().request();
        takeOver(request, java.util.Arrays.copyOf(fds, fds.length - 1));
        Libc.close(client);
        try {
            launch.run(request);
        } catch (Throwable thrown) {
            exitReport.mainThrew(); // the launcher prints it and exits 1 once the last non-daemon thread ends
            throw thrown;
        }
        exitReport.mainReturned();
    }

    /**
     * Goes once through everything a run does, with what this spare has already (its own descriptors,
     * directory and environment, and a main class that does nothing), so that the classes, method handles
     * and native calls of a run are loaded and linked before the run: measured, the first run paid
     * ~300 ms for them otherwise. Also looks up a class that is nowhere, which opens the class path's jars
     * as the program's first class would: a spare is never used once one of them changed (ExecClassPath).
     */
    private static void rehearse(Launch launch) throws Throwable {
        String directory = System.getProperty("user.dir");
        String classPath = System.getProperty("java.class.path");
        byte[] raw = RunRequest.encode("012", RunRequest.RUN, classPath, classPath, directory,
                Launch.Rehearsal.class.getName(), List.of(), ownEnvironment());
        int[] pair = Libc.socketPair();
        Libc.send(pair[0], raw, new int[] {0, 1, 2, pair[0]});
        RunRequest.Received rehearsal = RunRequest.receive(pair[1], 1).orElseThrow();
        Libc.close(pair[0]);
        Libc.close(pair[1]);
        int[] fds = rehearsal.fds();
        Libc.close(fds[3]);
        takeOver(rehearsal.request(), java.util.Arrays.copyOf(fds, 3));
        launch.run(rehearsal.request());
        System.out.print(""); // the streams' path to a descriptor, without a byte written
        System.err.print("");
        // ...and the path of characters encoded on their way there, into a stream of its own that goes nowhere.
        new PrintStream(OutputStream.nullOutputStream(), true, System.out.charset()).println("rehearsal");
        try {
            Class.forName("zygote_host_exec_rehearsal_absent", false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException expected) {
            // the class path has been searched
        }
        rehearseClassFound();
    }

    /**
     * Loads a class from a folder and from a jar, through class loaders of its own, as the program's main class
     * will be loaded from the class path: finding a class file is not what the search for an absent class
     * does (the JDK classes of a found resource, a jar's manifest, a code source and its protection domain, a
     * package defined, are not in the JDK's CDS archive). Measured with strace on a spare: those first loads
     * were 4 to 5 ms of a hello world's run. The class path is the user's and is left alone: the files go in
     * a temporary folder. The class is in a package of no module: one of a named module's packages (the
     * spare's own classes) would be found in the module, never on a class path. Nothing here may read the time zone,
     * which the JDK fixes at first use (the program's TZ comes with the run): the jar's entries are dated
     * in local fields, not from the clock.
     */
    private static void rehearseClassFound() throws IOException, ReflectiveOperationException {
        Path folder = Files.createTempDirectory("zygote-host-exec-rehearsal");
        Path classFile = folder.resolve(FOUND_CLASS + ".class");
        Path jar = folder.resolve("found.jar");
        byte[] classBytes = foundClassBytes();
        try {
            Files.createDirectories(classFile.getParent());
            Files.write(classFile, classBytes);
            LocalDateTime dated = LocalDateTime.of(2000, 1, 1, 0, 0);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                ZipEntry manifest = new ZipEntry(JarFile.MANIFEST_NAME);
                manifest.setTimeLocal(dated);
                out.putNextEntry(manifest);
                out.write("Manifest-Version: 1.0\r\nCreated-By: zygote-host exec\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                ZipEntry found = new ZipEntry(FOUND_CLASS + ".class");
                found.setTimeLocal(dated);
                out.putNextEntry(found);
                out.write(classBytes);
            }
            for (Path root : List.of(folder, jar)) {
                try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
                    Class.forName(FOUND_CLASS.replace('/', '.'), true, loader);
                }
            }
        } finally {
            Files.deleteIfExists(classFile);
            Files.deleteIfExists(classFile.getParent());
            Files.deleteIfExists(jar);
            Files.deleteIfExists(folder);
        }
    }

    /** The class {@link #rehearseClassFound} finds (internal name): public, no members, in a package of no module. */
    private static final String FOUND_CLASS = "zygote_host_exec_rehearsal/Found";

    /** Its class file, written out: a class file writer would load more classes into every spare than it saves. */
    private static byte[] foundClassBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0); // minor version
            out.writeShort(52); // major: Java 8, enough for a class without members
            out.writeShort(5); // constant pool: #1 this class, #2 its name, #3 the superclass, #4 its name
            out.writeByte(7);
            out.writeShort(2);
            out.writeByte(1);
            out.writeUTF(FOUND_CLASS);
            out.writeByte(7);
            out.writeShort(4);
            out.writeByte(1);
            out.writeUTF("java/lang/Object");
            out.writeShort(0x0021); // ACC_PUBLIC | ACC_SUPER
            out.writeShort(1);
            out.writeShort(3);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(0); // methods
            out.writeShort(0); // attributes
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    /** The environment this JVM started with, read without System.getenv (which would fix it for good). */
    private static List<String> ownEnvironment() throws IOException {
        byte[] bytes = Files.readAllBytes(Path.of("/proc/self/environ"));
        List<String> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                entries.add(new String(bytes, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return entries;
    }

    /**
     * The client's process context becomes this JVM's. Before anything reads the environment: the JDK
     * reads it once, at the first System.getenv, which nothing in a spare has called yet.
     */
    private static void takeOver(RunRequest request, int[] fds) throws IOException {
        String standard = request.standardFds();
        for (int i = 0; i < standard.length(); i++) {
            Libc.dup2(fds[i], standard.charAt(i) - '0');
        }
        for (int fd = 0; fd <= 2; fd++) {
            if (standard.indexOf('0' + fd) < 0) {
                Libc.close(fd); // closed in the client: closed in the program, as java would have it
            }
        }
        for (int fd : fds) {
            Libc.close(fd);
        }
        Libc.replaceEnvironment(request.environment());
        Libc.chdir(request.directory());
        Charset platform = Charset.forName(System.getProperty("sun.jnu.encoding"));
        WorkingDirectory.set(RunRequest.decoded(request.directory(), platform), request.directory());
    }
}
