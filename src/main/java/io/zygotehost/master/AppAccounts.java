package io.zygotehost.master;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.RunAs;
import io.zygotehost.process.Accounts;
import java.io.IOException;
import java.util.Optional;

/**
 * Who an app's processes run as. The config check made sure its {@code user:} and {@code group:}
 * exist; this resolves them to ids now, and refuses what this master cannot do. As gunicorn does,
 * a master that is not root cannot run an app as another user: the app is refused, loudly (gunicorn's
 * workers fail to boot and its arbiter halts), rather than run as the wrong user with a warning.
 * Naming the master's own user and group is no switch, and allowed.
 */
final class AppAccounts {

    private AppAccounts() {}

    /** Empty when the app's processes run as the master does. */
    static Optional<RunAs> runAs(AppConfig app, int masterUid, int masterGid) throws IOException {
        if (app.user().isEmpty() && app.group().isEmpty()) {
            return Optional.empty();
        }
        Optional<Accounts.User> user = app.user().map(name -> Accounts.user(name).orElse(null));
        if (app.user().isPresent() && user.get() == null) {
            throw new IOException("app " + app.name() + ": user '" + app.user().get() + "' no longer exists on this machine");
        }
        Optional<Accounts.GroupEntry> group = app.group().map(name -> Accounts.group(name).orElse(null));
        if (app.group().isPresent() && group.get() == null) {
            throw new IOException("app " + app.name() + ": group '" + app.group().get() + "' no longer exists on this machine");
        }
        int uid = user.map(Accounts.User::uid).orElse(masterUid);
        // The user's own primary group unless group: says otherwise, as login and gunicorn do.
        int gid = group.map(Accounts.GroupEntry::gid).orElseGet(() -> user.map(Accounts.User::gid).orElse(masterGid));
        if (uid == masterUid && gid == masterGid) {
            return Optional.empty();
        }
        RunAs runAs = new RunAs(user.map(Accounts.User::name).orElse(null), uid, gid);
        if (masterUid != 0) {
            throw new IOException("app " + app.name() + ": running it as " + runAs.describe() + " needs a master that runs"
                    + " as root, and this one runs as uid " + masterUid + ". Fix: start the host as root (it binds the"
                    + " ports, the app's processes switch), or remove user: and group: from the app");
        }
        return Optional.of(runAs);
    }
}
