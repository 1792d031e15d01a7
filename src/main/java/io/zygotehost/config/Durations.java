package io.zygotehost.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: a whole number and a unit ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 6h},
 * {@code 1d}), or {@code 0} alone. A bare number is refused because "30" is as likely to mean minutes as seconds.
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message saying what is wrong; it is a {@code BadValueException}
     *                                  carrying a suggested fix
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        Matcher m = DURATION.matcher(trimmed);
        if (!m.matches()) {
            throw new BadValueException("expected a duration such as 30s or 500ms, got \"" + text + "\"",
                    "write a whole number followed by ms, s, m, h or d, e.g. 30s");
        }
        String number = m.group(1);
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        if (unit.isEmpty()) {
            if (number.chars().allMatch(c -> c == '0')) {
                return Duration.ZERO;
            }
            throw new BadValueException("a duration needs a unit, got \"" + text + "\"", "write " + number + "s");
        }
        long amount;
        try {
            amount = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new BadValueException("duration \"" + text + "\" is too large", null);
        }
        try {
            Duration duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw new BadValueException(
                        "unknown duration unit \"" + m.group(2) + "\" in \"" + text + "\"",
                        "use ms, s, m, h or d, e.g. " + number + "s");
            };
            // Callers convert to nanoseconds (timers, Netty); refuse what would overflow there.
            duration.toNanos();
            return duration;
        } catch (ArithmeticException e) {
            throw new BadValueException("duration \"" + text + "\" is too large", null);
        }
    }

    /** The shortest exact text that {@link #parse} reads back, in the largest unit that divides evenly. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString(); // finer than a millisecond: no unit of ours can say it
        }
        long millis = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        throw new AssertionError("unreachable: every millisecond count is a whole number of ms");
    }

    /** For people reading logs, not for config files: "350ms", "8.2s", "3m12s", "2h05m". */
    public static String approximate(Duration d) {
        long millis = d.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format(java.util.Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format(java.util.Locale.ROOT, "%02d", (seconds % 3600) / 60) + "m";
    }
}
