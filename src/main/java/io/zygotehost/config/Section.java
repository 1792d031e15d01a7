package io.zygotehost.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping of the config, read through typed getters. A getter that finds a bad value records a problem
 * and returns the default, so reading goes on and every problem in the file is found in one pass.
 *
 * <p>The keys the getters ask for are, by construction, the keys this section knows; whatever the file holds
 * beyond them is reported by {@link #reportUnknownKeys()}, which must therefore be called after every getter.
 */
final class Section {

    /** A key and its value as they appear in the file. */
    record Entry(String name, String path, Node keyNode, Node valueNode) {
    }

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");

    private final Problems problems;
    private final String path;
    private final Mark anchor;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> bad = new HashSet<>();
    /** Set when the section's value was not a mapping: that one problem is enough, so missing keys go unreported. */
    private boolean broken;

    private Section(Problems problems, String path, Mark anchor) {
        this.problems = problems;
        this.path = path;
        this.anchor = anchor;
    }

    /** The whole document. */
    static Section root(Problems problems, MappingNode node) {
        Section root = new Section(problems, "", node.getStartMark());
        root.load(node);
        return root;
    }

    private void load(MappingNode mapping) {
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || isNull(keyNode)) {
                problems.add(keyNode.getStartMark(), path, "keys must be plain names, got " + describe(keyNode), null);
                continue;
            }
            String name = scalar.getValue();
            Entry first = entries.get(name);
            if (first != null) {
                // snakeyaml's compose() does not check duplicates; a silent "last one wins" would hide typos.
                problems.add(keyNode.getStartMark(), pathOf(name),
                        "duplicate key '" + name + "' (first at line " + line(first.keyNode()) + ")",
                        "remove one of the two");
                continue;
            }
            entries.put(name, new Entry(name, pathOf(name), keyNode, tuple.getValueNode()));
        }
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Every entry, in file order; they all count as known (used for maps of user-chosen names). */
    List<Entry> entries() {
        known.addAll(entries.keySet());
        return List.copyOf(entries.values());
    }

    boolean has(String key) {
        return value(key).isPresent();
    }

    /** True when the key's value was refused; cross-checks skip such keys to avoid a second, confusing problem. */
    boolean isBad(String key) {
        return bad.contains(key);
    }

    /** Where problems about a key point: its value, else the key, else this section. */
    Mark markOf(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return anchor;
        }
        return isNull(entry.valueNode()) ? entry.keyNode().getStartMark() : entry.valueNode().getStartMark();
    }

    void problem(String key, String message, String fix) {
        bad.add(key);
        problems.add(markOf(key), pathOf(key), message, fix);
    }

    void missing(String key, String fix) {
        bad.add(key);
        if (broken) {
            return;
        }
        if (entries.containsKey(key)) {
            problems.add(markOf(key), pathOf(key), "required key '" + key + "' has no value", fix);
        } else {
            problems.add(anchor, pathOf(key), "missing required key '" + key + "'", fix);
        }
    }

    // ---- typed getters ----

    Section section(String key) {
        Section child = new Section(problems, pathOf(key), keyMark(key));
        Optional<Node> node = value(key);
        if (node.isEmpty()) {
            return child;
        }
        if (node.get() instanceof MappingNode mapping) {
            child.load(mapping);
        } else {
            problem(key, "expected a mapping, got " + describe(node.get()), null);
            child.broken = true;
        }
        return child;
    }

    /** A string that must be present and non-empty; null (with a problem recorded) when it is not. */
    String requireString(String key, String fixIfMissing) {
        Optional<String> value = optionalString(key);
        if (value.isEmpty() && !isBad(key)) {
            missing(key, fixIfMissing);
        }
        return value.orElse(null);
    }

    /** Absent or {@code null} gives empty. Numbers and booleans count as text: {@code version: 1.10} is "1.10". */
    Optional<String> optionalString(String key) {
        Optional<String> value = scalar(key, "a string", Function.identity());
        if (value.isPresent() && value.get().isBlank()) {
            problem(key, "must not be empty", "remove the key, or write a value");
            return Optional.empty();
        }
        return value;
    }

    String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    boolean bool(String key, boolean defaultValue) {
        Optional<String> text = scalar(key, "true or false", Function.identity());
        if (text.isEmpty()) {
            return defaultValue;
        }
        // YAML 1.1 would also read yes/no/on/off as booleans; too easy to write by accident, so refuse them.
        return switch (text.get()) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> {
                problem(key, "expected true or false, got \"" + text.get() + "\"", "write true or false");
                yield defaultValue;
            }
        };
    }

    long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> text = scalar(key, "a whole number", Function.identity());
        if (text.isEmpty()) {
            return defaultValue;
        }
        if (!WHOLE_NUMBER.matcher(text.get()).matches()) {
            problem(key, "expected a whole number, got \"" + text.get() + "\"", null);
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            problem(key, "number " + text.get() + " is too large", rangeFix(min, max));
            return defaultValue;
        }
        return inRange(key, value, min, max, Long.toString(min), Long.toString(max), Long.toString(value))
                ? value : defaultValue;
    }

    int intValue(String key, int defaultValue, int min, int max) {
        return (int) longValue(key, defaultValue, min, max);
    }

    long size(String key, long defaultValue, long min, long max) {
        Optional<Long> value = scalar(key, "a size", Sizes::parse);
        if (value.isEmpty()) {
            return defaultValue;
        }
        long v = value.get();
        return inRange(key, v, min, max, Sizes.format(min), Sizes.format(max), Sizes.format(v)) ? v : defaultValue;
    }

    Duration duration(String key, Duration defaultValue, boolean positive) {
        Optional<Duration> value = scalar(key, "a duration", Durations::parse);
        if (value.isEmpty()) {
            return defaultValue;
        }
        if (positive && value.get().isZero()) {
            problem(key, "must be greater than 0", "write a duration such as " + Durations.format(defaultValue));
            return defaultValue;
        }
        return value.get();
    }

    /** A relative path is resolved against {@code dir}; the result is normalized but symlinks are left alone. */
    Path path(String key, Path dir, String defaultValue) {
        Path path = resolve(key, dir, string(key, defaultValue));
        return path != null ? path : dir.resolve(defaultValue).normalize();
    }

    Path requirePath(String key, Path dir, String fixIfMissing) {
        String text = requireString(key, fixIfMissing);
        return text == null ? null : resolve(key, dir, text);
    }

    private Path resolve(String key, Path dir, String text) {
        try {
            return dir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problem(key, "not a valid path: " + e.getReason(), null);
            return null;
        }
    }

    /** A list of scalars as strings; a single scalar is refused rather than guessed into a one-item list. */
    List<String> stringList(String key) {
        Optional<Node> node = value(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!(node.get() instanceof SequenceNode sequence)) {
            problem(key, "expected a list, got " + describe(node.get()), "write [ ... ], or one \"- item\" per line");
            return List.of();
        }
        List<String> items = new ArrayList<>();
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            Node item = values.get(i);
            if (item instanceof ScalarNode scalar && !isNull(item)) {
                items.add(scalar.getValue());
            } else {
                bad.add(key);
                problems.add(item.getStartMark(), pathOf(key) + "[" + i + "]",
                        "expected a string, got " + describe(item), isNull(item) ? "write \"\" for an empty string" : null);
            }
        }
        return Collections.unmodifiableList(items);
    }

    /** A mapping of names (checked against {@code namePattern}) to scalars as strings, in file order. */
    Map<String, String> stringMap(String key, Pattern namePattern, String nameRule) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Entry entry : section(key).entries()) {
            if (!namePattern.matcher(entry.name()).matches()) {
                bad.add(key);
                problems.add(entry.keyNode().getStartMark(), entry.path(),
                        "name '" + entry.name() + "' is not allowed", nameRule);
            }
            if (entry.valueNode() instanceof ScalarNode scalar && !isNull(scalar)) {
                result.put(entry.name(), scalar.getValue());
            } else {
                bad.add(key);
                // An empty value's mark is the end of the line; the key is easier to spot.
                Node where = isNull(entry.valueNode()) ? entry.keyNode() : entry.valueNode();
                problems.add(where.getStartMark(), entry.path(),
                        "expected a value, got " + describe(entry.valueNode()),
                        isNull(entry.valueNode()) ? "write \"\" for an empty value" : null);
            }
        }
        return result;
    }

    /**
     * A scalar converted by {@code parser}; empty when absent, {@code null}, or refused (then with a problem
     * recorded, using the parser's own fix when it has one).
     */
    <T> Optional<T> scalar(String key, String expected, Function<String, T> parser) {
        Optional<Node> node = value(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!(node.get() instanceof ScalarNode scalar)) {
            problem(key, "expected " + expected + ", got " + describe(node.get()), null);
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(scalar.getValue()));
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage(), BadValueException.fixOf(e));
            return Optional.empty();
        }
    }

    /** Reports every key of the file that no getter asked for, with a suggestion when one is close. */
    void reportUnknownKeys() {
        for (Entry entry : entries.values()) {
            if (known.contains(entry.name())) {
                continue;
            }
            String fix = DidYouMean.suggest(entry.name(), known)
                    .map(k -> "did you mean '" + k + "'?")
                    .orElse("known keys here: " + String.join(", ", known));
            problems.add(entry.keyNode().getStartMark(), entry.path(), "unknown key '" + entry.name() + "'", fix);
        }
    }

    // ---- helpers ----

    /** The value of a key this section knows; {@code null} in the file counts as absent, so defaults apply. */
    private Optional<Node> value(String key) {
        known.add(key);
        Entry entry = entries.get(key);
        return entry == null || isNull(entry.valueNode()) ? Optional.empty() : Optional.of(entry.valueNode());
    }

    private Mark keyMark(String key) {
        Entry entry = entries.get(key);
        return entry == null ? anchor : entry.keyNode().getStartMark();
    }

    private boolean inRange(String key, long value, long min, long max, String minText, String maxText, String text) {
        if (value >= min && value <= max) {
            return true;
        }
        String message;
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            message = min == 1 ? "must be greater than 0, got " + text : "must be at least " + minText + ", got " + text;
        } else {
            message = "must be between " + minText + " and " + maxText + ", got " + text;
        }
        problem(key, message, null);
        return false;
    }

    private static String rangeFix(long min, long max) {
        return max == Long.MAX_VALUE ? null : "use a number from " + min + " to " + max;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (isNull(node)) {
            return "nothing";
        }
        return switch (node) {
            case ScalarNode scalar -> "\"" + scalar.getValue() + "\"";
            case SequenceNode ignored -> "a list";
            case MappingNode ignored -> "a mapping";
            default -> "a " + node.getNodeId();
        };
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
