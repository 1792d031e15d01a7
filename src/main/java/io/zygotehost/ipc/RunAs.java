package io.zygotehost.ipc;

/**
 * Who a generation's processes run as, when the app names a {@code user:} or {@code group:} and
 * the master runs as root: its zygote switches at start, and its workers and AOT training inherit
 * the switch.
 *
 * @param user the user name, whose supplementary groups the processes take; null when the app
 *             names only a group (the user stays the master's)
 */
public record RunAs(String user, int uid, int gid) {

    /** {@code www-data (uid 33, gid 33)}: for logs. */
    public String describe() {
        return (user != null ? user + " " : "") + "(uid " + uid + ", gid " + gid + ")";
    }
}
