package io.zygotehost.process;

import java.io.IOException;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Drops root for this whole process: a zygote started by a root master, before it loads the app.
 * glibc's set*id calls reach every thread of the process (the JVM's included), and the ids set
 * here pass to every child, so the workers and the AOT training run as the same user.
 */
public final class Credentials {

    private Credentials() {}

    /**
     * Takes on the user's groups (as login gives them), then its group, then its user, in that
     * order: once the user id is not root, groups can no longer change.
     *
     * @param user a user name whose supplementary groups to take, or null: only {@code gid} then
     */
    public static void become(String user, int uid, int gid) throws IOException {
        LibUnix lib = LibraryLoader.create(LibUnix.class).load("c");
        POSIX posix = POSIXFactory.getNativePOSIX();
        if (user != null) {
            check(lib.initgroups(user, gid), lib, "initgroups(" + user + ", " + gid + ")");
        } else {
            check(lib.setgroups(1, new int[] {gid}), lib, "setgroups([" + gid + "])");
        }
        check(posix.setgid(gid), lib, "setgid(" + gid + ")");
        check(posix.setuid(uid), lib, "setuid(" + uid + ")");
        if (posix.getuid() != uid || posix.geteuid() != uid || posix.getgid() != gid || posix.getegid() != gid) {
            throw new IOException("after setuid(" + uid + ") and setgid(" + gid + ") this process runs as uid "
                    + posix.getuid() + "/" + posix.geteuid() + ", gid " + posix.getgid() + "/" + posix.getegid());
        }
        if (uid != 0 && posix.setuid(0) == 0) {
            throw new IOException("root came back with setuid(0) after dropping to uid " + uid);
        }
    }

    private static void check(int rc, LibUnix lib, String call) throws IOException {
        if (rc != 0) {
            throw new IOException(call + " failed: " + Errno.valueOf(Runtime.getRuntime(lib).getLastError()));
        }
    }
}
