package io.zygotehost.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zygotehost.config.AppConfig;
import io.zygotehost.ipc.RunAs;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who an app's processes run as, for a root master and for one that is not. */
class AppAccountsTest {

    private static final int ROOT = 0;

    private static AppConfig app(String settings) throws Exception {
        return ChildCommandsTest.app(settings);
    }

    @Test
    void aRootMasterRunsTheAppAsItsUserWithThatUsersGroup() throws Exception {
        assertEquals(Optional.of(new RunAs("nobody", 65534, 65534)), AppAccounts.runAs(app("user: nobody"), ROOT, ROOT));
        assertEquals(Optional.of(new RunAs("nobody", 65534, 0)), AppAccounts.runAs(app("user: nobody\ngroup: root"), ROOT, ROOT),
                "group: wins over the user's own");
        assertEquals(Optional.of(new RunAs(null, 0, 65534)), AppAccounts.runAs(app("group: nogroup"), ROOT, ROOT),
                "a group alone: the user stays the master's");
        assertEquals(Optional.empty(), AppAccounts.runAs(app(""), ROOT, ROOT));
    }

    @Test
    void aMasterThatIsNotRootRefusesAnotherUserAsGunicornDoes() throws Exception {
        IOException e = assertThrows(IOException.class, () -> AppAccounts.runAs(app("user: nobody"), 1000, 1000));
        assertTrue(e.getMessage().startsWith("app hello: running it as nobody (uid 65534, gid 65534) needs a master that"
                + " runs as root, and this one runs as uid 1000"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: start the host as root"), e.getMessage());
    }

    @Test
    void namingTheMastersOwnUserIsNoSwitchAndAllowed() throws Exception {
        assertEquals(Optional.empty(), AppAccounts.runAs(app("user: nobody\ngroup: nogroup"), 65534, 65534));
        assertEquals(Optional.empty(), AppAccounts.runAs(app("user: root"), ROOT, ROOT));
    }
}
