package io.zygotehost.master;

import io.zygotehost.ipc.Connection;
import io.zygotehost.ipc.IpcServer;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.process.Accounts;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of run_dir a generation's processes reach: a control socket to connect to, a folder
 * for AOT caches (written by its zygote's training) and one for its TLS files. Processes that run as
 * the master does use the master's own: {@code run_dir/ipc.sock}, {@code aot/}, {@code tls/}. An
 * app that runs as another user gets {@code run_dir/users/NAME/}, its own (0700, owned by it), with
 * a control socket of its own in it, so that no file of the master's, nor of another user's app,
 * is open to it; run_dir becomes 0711 (it may pass through, not list). Nobody else can write a
 * cache the app's workers will map, nor read its key.
 */
final class AccountDirs implements Closeable {

    private static final Logger log = LoggerFactory.getLogger("master");
    static final String USERS = "users";
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    /** Where one account's processes meet the master and keep their files. */
    record Place(Path ipcSocket, Path aotDir, Path tlsDir) {}

    private final Path runDir;
    private final int masterUid;
    /** The master's user name, as the kernel's peer credentials name it. */
    private final String masterUser;
    private final Place master;
    private final IpcServer.Listener listener;
    private final Map<Integer, Place> byUid = new HashMap<>();
    private final List<IpcServer> servers = new ArrayList<>();

    AccountDirs(Path runDir, Path masterSocket, int masterUid, IpcServer.Listener listener) {
        this.runDir = runDir;
        this.masterUid = masterUid;
        this.masterUser = Accounts.user(Integer.toString(masterUid)).map(Accounts.User::name).orElse(Integer.toString(masterUid));
        this.master = new Place(masterSocket, runDir.resolve("aot"), runDir.resolve("tls"));
        this.listener = listener;
    }

    /** The place of processes that run as given; made (with its control socket) the first time. */
    Place of(Optional<RunAs> runAs) throws IOException {
        if (runAs.isEmpty() || runAs.get().uid() == masterUid) {
            makeFolder(master.tlsDir(), Optional.empty());
            return master;
        }
        RunAs account = runAs.get();
        Place known = byUid.get(account.uid());
        if (known != null) {
            return known;
        }
        Path users = runDir.resolve(USERS);
        Files.createDirectories(users);
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx--x--x"));
        Path home = users.resolve(folderName(account));
        makeFolder(home, runAs);
        Place place = new Place(home.resolve("ipc.sock"), home.resolve("aot"), home.resolve("tls"));
        makeFolder(place.aotDir(), runAs);
        makeFolder(place.tlsDir(), runAs);
        IpcServer server = IpcServer.open(place.ipcSocket(), listener);
        servers.add(server);
        chown(place.ipcSocket(), account);
        byUid.put(account.uid(), place);
        log.info("processes running as {} reach the master through {}", account.describe(), place.ipcSocket());
        return place;
    }

    /**
     * Whether the process at the other end of a control connection runs as it must: as the app's user
     * for a worker of a generation that runs as one, else (a zygote, which connects before it
     * switches, and the command line) as the master. An app's code can reach its own socket; this keeps it from passing for another app's
     * process, or for the command line (reload, status), through it.
     *
     * @param runAs the generation's; null for the master's own
     */
    boolean isPeerOf(Connection connection, RunAs runAs) {
        String expected = runAs != null && runAs.uid() != masterUid ? runAs.user() : masterUser;
        return connection.peerUser().map(user -> user.equals(expected)).orElse(false);
    }

    /** Every AOT cache folder: the master's and each user's, those of users no longer configured too. */
    List<Path> aotDirs() {
        return everyPlace(master.aotDir(), "aot");
    }

    List<Path> tlsDirs() {
        return everyPlace(master.tlsDir(), "tls");
    }

    private List<Path> everyPlace(Path masters, String name) {
        List<Path> dirs = new ArrayList<>(List.of(masters));
        Path users = runDir.resolve(USERS);
        if (Files.isDirectory(users)) {
            try (DirectoryStream<Path> homes = Files.newDirectoryStream(users)) {
                for (Path home : homes) {
                    if (Files.isDirectory(home.resolve(name))) {
                        dirs.add(home.resolve(name));
                    }
                }
            } catch (IOException e) {
                log.warn("cannot list {}: {}", users, e.toString());
            }
        }
        return dirs;
    }

    /** The user's name when it makes a plain folder name, else its number. */
    static String folderName(RunAs account) {
        return account.user() != null && PLAIN_NAME.matcher(account.user()).matches() ? account.user() : "uid-" + account.uid();
    }

    private static void makeFolder(Path folder, Optional<RunAs> owner) throws IOException {
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        if (owner.isPresent()) {
            chown(folder, owner.get());
        }
    }

    static void chown(Path file, RunAs owner) throws IOException {
        Files.setAttribute(file, "unix:uid", owner.uid());
        Files.setAttribute(file, "unix:gid", owner.gid());
    }

    @Override
    public void close() {
        for (IpcServer server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                log.warn("closing a control socket: {}", e.toString());
            }
        }
    }
}
