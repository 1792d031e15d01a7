package io.zygotehost.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.representer.Representer;

/** Reads and validates the host's YAML config file, reporting every problem with its line and column. */
public final class ConfigLoader {

    private static final int CODE_POINT_LIMIT = 1 << 20;
    // A UTF-8 code point takes at most 4 bytes: anything larger cannot be under the limit, so don't read it all.
    private static final long MAX_FILE_BYTES = 4L * CODE_POINT_LIMIT;

    private final Problems problems;
    private final Path dir;
    /** Addresses bound so far, to catch two apps (or an app and the admin endpoint) on the same one. */
    private final List<Claim> claims = new ArrayList<>();

    private record Claim(ListenAddress address, String owner, Mark mark) {
    }

    private ConfigLoader(Path file) {
        this.problems = new Problems(file);
        this.dir = file.toAbsolutePath().normalize().getParent();
    }

    public static HostConfig load(Path file) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw fileProblem(file, "the config file is larger than " + Sizes.format(MAX_FILE_BYTES), null);
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw fileProblem(file, "cannot read the config file: it does not exist", null);
        } catch (AccessDeniedException e) {
            throw fileProblem(file, "cannot read the config file: permission denied", null);
        } catch (CharacterCodingException e) {
            throw fileProblem(file, "cannot read the config file: it is not valid UTF-8", "save it as UTF-8");
        } catch (IOException e) {
            throw fileProblem(file, "cannot read the config file: " + e, null);
        }
        return parse(text, file);
    }

    public static HostConfig parse(String yamlText, Path file) throws ConfigException {
        return new ConfigLoader(file).parse(yamlText);
    }

    private HostConfig parse(String yamlText) throws ConfigException {
        Node root = compose(yamlText);
        if (root == null) {
            problems.add(new ConfigProblem(problems.file(), 1, 1, "apps", "the config file is empty",
                    "declare at least one app under apps:"));
            throw problems.toException();
        }
        if (!(root instanceof MappingNode mapping)) {
            problems.add(root.getStartMark(), "", "expected a mapping with host: and apps:, got "
                    + Section.describe(root), "start the file with apps: (and optionally host:)");
            throw problems.toException();
        }
        Section top = Section.root(problems, mapping);
        HostSettings host = readHost(top.section("host"));
        Map<String, AppConfig> apps = readApps(top);
        top.reportUnknownKeys();
        problems.throwIfAny();
        return new HostConfig(problems.file().toAbsolutePath().normalize(), host, apps);
    }

    /** The YAML node tree, or null for a document with no content; syntax errors end the load here. */
    private Node compose(String yamlText) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(CODE_POINT_LIMIT);
        // Lets one app reuse another's settings with "<<: *anchor"; explicit keys still win over merged ones.
        options.setMergeOnCompose(true);
        DumperOptions dumperOptions = new DumperOptions();
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(dumperOptions), dumperOptions, options);
        try {
            return yaml.compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String message = "YAML syntax error: " + syntaxMessage(e);
            if (mark == null) {
                problems.add(new ConfigProblem(problems.file(), 0, 0, "", message, null));
            } else {
                problems.add(mark, "", message, syntaxFix(e));
            }
        } catch (YAMLException e) {
            problems.add(new ConfigProblem(problems.file(), 0, 0, "", "cannot read the YAML: " + e.getMessage(), null));
        }
        throw problems.toException();
    }

    private HostSettings readHost(Section host) {
        Path runDir = host.path("run_dir", dir, "run");
        Path logDir = host.path("log_dir", dir, "logs");
        long memoryLimit = host.size("memory_limit", 0, 0, Long.MAX_VALUE);
        Optional<ListenAddress> admin = host.scalar("admin", "an address", ConfigLoader::parseAdmin);
        Optional<String> adminToken = host.optionalString("admin_token");
        if (admin.isPresent() && !admin.get().isLoopback() && adminToken.isEmpty() && !host.isBad("admin_token")) {
            // Point at admin: that is the line that made the token necessary.
            problems.add(host.markOf("admin"), host.pathOf("admin_token"),
                    "is required when admin listens on a non-loopback address (" + admin.get() + ")",
                    "set admin_token, or bind admin to 127.0.0.1:" + admin.get().port());
        }
        admin.ifPresent(a -> claims.add(new Claim(a, "host.admin", host.markOf("admin"))));
        Duration shutdownTimeout = host.duration("shutdown_timeout", Duration.ofSeconds(30), false);
        LogRotation logRotation = readLogRotation(host.section("log_rotation"));
        host.reportUnknownKeys();
        return new HostSettings(runDir, logDir, memoryLimit, admin, adminToken, shutdownTimeout, logRotation);
    }

    /** Like any listen address, except that a bare port binds loopback only: admin should not be public by accident. */
    private static ListenAddress parseAdmin(String text) {
        ListenAddress parsed = ListenAddress.parse(text);
        return text.strip().chars().allMatch(Character::isDigit) ? new ListenAddress("127.0.0.1", parsed.port()) : parsed;
    }

    private static LogRotation readLogRotation(Section rotation) {
        long maxSize = rotation.size("max_size", LogRotation.DEFAULT.maxSize(), 1, Long.MAX_VALUE);
        int keep = rotation.intValue("keep", LogRotation.DEFAULT.keep(), 1, LogRotation.MAX_KEEP);
        Duration every = rotation.duration("every", LogRotation.DEFAULT.every(), false);
        rotation.reportUnknownKeys();
        return new LogRotation(maxSize, keep, every);
    }

    private Map<String, AppConfig> readApps(Section top) {
        Map<String, AppConfig> apps = new LinkedHashMap<>();
        if (!top.has("apps")) {
            if (!top.isBad("apps")) {
                top.missing("apps", "add an apps: section with at least one app");
            }
            return apps;
        }
        Section section = top.section("apps");
        List<Section.Entry> entries = section.entries();
        if (entries.isEmpty() && !top.isBad("apps")) {
            top.problem("apps", "declares no apps", "add at least one app under apps:");
        }
        for (Section.Entry entry : entries) {
            String name = entry.name();
            if (!AppReader.APP_NAME.matcher(name).matches()) {
                problems.add(entry.keyNode().getStartMark(), entry.path(), "app name '" + name + "' is not allowed",
                        "use 1 to 63 characters from a-z, 0-9, '_' and '-', starting with a letter or digit");
            }
            Section app = section.section(name);
            AppConfig config = AppReader.read(name, app, dir);
            if (config != null) {
                claim(config.listen(), "app '" + name + "'", app, "listen");
                apps.put(name, config);
            }
        }
        return apps;
    }

    private void claim(ListenAddress address, String owner, Section section, String key) {
        Mark mark = section.markOf(key);
        for (Claim earlier : claims) {
            if (earlier.address().overlaps(address)) {
                String clash = earlier.address().equals(address)
                        ? "is already used by " : "overlaps " + earlier.address() + " of ";
                problems.add(mark, section.pathOf(key), address + " " + clash + earlier.owner() + " (line "
                        + (earlier.mark().getLine() + 1) + ")", "give each app its own port");
                return;
            }
        }
        claims.add(new Claim(address, owner, mark));
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
        return e.getContext() == null ? problem : problem + " (" + e.getContext() + ")";
    }

    private static String syntaxFix(MarkedYAMLException e) {
        // The most common syntax error in hand-written YAML, and snakeyaml's wording does not say what to do.
        return String.valueOf(e.getProblem()).contains("\\t") ? "indent with spaces, not tabs" : null;
    }

    private static ConfigException fileProblem(Path file, String message, String fix) {
        return new ConfigException(new ConfigProblem(file, 0, 0, "", message, fix));
    }
}
