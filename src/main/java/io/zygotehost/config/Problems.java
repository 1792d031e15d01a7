package io.zygotehost.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;

/** Collects problems during one pass over a file, so the user sees all of them at once. */
final class Problems {

    private final Path file;
    private final List<ConfigProblem> list = new ArrayList<>();

    Problems(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Records a problem at a snakeyaml mark (0-based), turning it into a 1-based line and column. */
    void add(Mark mark, String key, String message, String fix) {
        list.add(new ConfigProblem(file, mark.getLine() + 1, mark.getColumn() + 1, key, message, fix));
    }

    void add(ConfigProblem problem) {
        list.add(problem);
    }

    void throwIfAny() throws ConfigException {
        if (!list.isEmpty()) {
            throw toException();
        }
    }

    /** Everything recorded so far, in file order; there must be at least one problem. */
    ConfigException toException() {
        // Cross-checks run after the walk; sorting puts their problems where they belong in the file.
        List<ConfigProblem> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
        return new ConfigException(sorted);
    }
}
