package io.zygotehost.config;

import io.zygotehost.process.Accounts;
import java.util.Optional;

/**
 * An app's {@code user:} and {@code group:}: names (or numbers) this machine must know, checked
 * when the config loads so that a typo is a config error, not a crash loop at the first spawn.
 */
final class AccountsReader {

    private AccountsReader() {}

    static void check(Section app, Optional<String> user, Optional<String> group) {
        user.filter(name -> Accounts.user(name).isEmpty()).ifPresent(name -> app.problem("user",
                "there is no user '" + name + "' on this machine", "create it (useradd --system " + name
                        + "), or name an existing user"));
        group.filter(name -> Accounts.group(name).isEmpty()).ifPresent(name -> app.problem("group",
                "there is no group '" + name + "' on this machine", "create it (groupadd --system " + name
                        + "), or name an existing group"));
    }
}
