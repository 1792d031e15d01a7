package io.zygotehost.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a spawn needs.
 *
 * @param executable   absolute path of the program
 * @param argv         argv[0] first: it is the process title {@code ps} shows, any string will do
 * @param env          the whole environment of the child
 * @param handOver     child fd -> our fd: the only descriptors the child inherits besides stdio
 * @param output       where stdout and stderr go (appended); empty: inherit ours
 * @param ownProcessGroup start a process group of its own, so a terminal's Ctrl-C reaches only the master
 * @param newSession   start a session of its own (setsid): no controlling terminal, as a daemon wants
 */
public record SpawnRequest(
        String executable,
        List<String> argv,
        Map<String, String> env,
        Map<Integer, Integer> handOver,
        Optional<Path> output,
        boolean ownProcessGroup,
        boolean newSession) {

    public SpawnRequest(String executable, List<String> argv, Map<String, String> env, Map<Integer, Integer> handOver,
            Optional<Path> output, boolean ownProcessGroup) {
        this(executable, argv, env, handOver, output, ownProcessGroup, false);
    }

    public SpawnRequest {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        handOver = Map.copyOf(handOver);
    }
}
