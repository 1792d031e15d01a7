package io.zygotehost.process;

import java.util.Optional;
import jnr.posix.Group;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/** Users and groups of this machine, by name or number, as the system's databases (NSS) know them. */
public final class Accounts {

    /** @param gid its primary group */
    public record User(String name, int uid, int gid) {}

    public record GroupEntry(String name, int gid) {}

    private static final class Holder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }

    private Accounts() {}

    /** A user by name, or by number (a name wins: a user may be called "1000"). */
    public static Optional<User> user(String nameOrId) {
        Passwd entry = Holder.POSIX.getpwnam(nameOrId);
        if (entry == null && isNumber(nameOrId)) {
            entry = Holder.POSIX.getpwuid(Integer.parseInt(nameOrId));
        }
        return Optional.ofNullable(entry).map(e -> new User(e.getLoginName(), (int) e.getUID(), (int) e.getGID()));
    }

    public static Optional<GroupEntry> group(String nameOrId) {
        Group entry = Holder.POSIX.getgrnam(nameOrId);
        if (entry == null && isNumber(nameOrId)) {
            entry = Holder.POSIX.getgrgid(Integer.parseInt(nameOrId));
        }
        return Optional.ofNullable(entry).map(e -> new GroupEntry(e.getName(), (int) e.getGID()));
    }

    /** This process's effective user and group ids. */
    public static int currentUid() {
        return Holder.POSIX.geteuid();
    }

    public static int currentGid() {
        return Holder.POSIX.getegid();
    }

    private static boolean isNumber(String text) {
        return text.length() <= 9 && !text.isEmpty() && text.chars().allMatch(Character::isDigit);
    }
}
