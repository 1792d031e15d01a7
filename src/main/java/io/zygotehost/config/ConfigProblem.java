package io.zygotehost.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with a config file, located precisely enough for an editor to jump to it.
 *
 * @param file    the config file, as the caller named it
 * @param line    1-based line, or 0 when the problem is about the file as a whole (it cannot be read)
 * @param column  1-based column, or 0 with line 0
 * @param key     dotted key such as {@code apps.hello.workers}; empty when the problem has no key (a syntax error)
 * @param message what is wrong, without a trailing period
 * @param fix     what to write instead, or null when there is nothing useful to suggest
 */
public record ConfigProblem(Path file, int line, int column, String key, String message, String fix) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
        key = key == null ? "" : key;
    }

    /** {@code FILE:LINE:COL: KEY: MESSAGE. Fix: FIX}; the location and key are left out when there are none. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (!key.isEmpty()) {
            text.append(key).append(": ");
        }
        text.append(message);
        if (fix != null) {
            text.append(". Fix: ").append(fix);
        }
        return text.toString();
    }
}
