package io.zygotehost.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them: {@code 64m}, {@code 1.5g}, {@code 512MiB}, or a bare number of bytes. Every unit
 * is binary (k = 1024), whatever its case.
 */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final String[] SUFFIXES = {"", "k", "m", "g", "t"};

    private Sizes() {
    }

    /**
     * Parses a size into bytes; fractions are rounded to the nearest byte.
     *
     * @throws IllegalArgumentException with a message saying what is wrong; it is a {@code BadValueException}
     *                                  carrying a suggested fix
     */
    public static long parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        Matcher m = SIZE.matcher(trimmed);
        if (!m.matches()) {
            throw new BadValueException("expected a size such as 64m or 1g, got \"" + text + "\"",
                    "write a number followed by k, m, g or t, e.g. 64m");
        }
        String number = m.group(1);
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        int power = switch (unit) {
            case "", "b" -> 0;
            case "k", "kib" -> 1;
            case "m", "mib" -> 2;
            case "g", "gib" -> 3;
            case "t", "tib" -> 4;
            // Decimal-looking units are ambiguous (1000 or 1024?); make the user say which they mean.
            case "kb", "mb", "gb", "tb" -> throw new BadValueException(
                    "unit \"" + m.group(2) + "\" is ambiguous, got \"" + text + "\"",
                    "sizes are binary: write " + number + unit.charAt(0) + " or " + number
                            + Character.toUpperCase(unit.charAt(0)) + "iB");
            default -> throw new BadValueException("unknown size unit \"" + m.group(2) + "\" in \"" + text + "\"",
                    "use k, m, g or t (binary), e.g. " + number + "m");
        };
        if (power == 0 && number.contains(".")) {
            throw new BadValueException("a number of bytes must be whole, got \"" + text + "\"",
                    "write a whole number of bytes, or add a unit such as k or m");
        }
        BigDecimal bytes = new BigDecimal(number).multiply(BigDecimal.valueOf(1L << (10 * power)))
                .setScale(0, RoundingMode.HALF_UP);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new BadValueException("size \"" + text + "\" is too large", null);
        }
        return bytes.longValueExact();
    }

    /**
     * Short human text that {@link #parse} reads back: exact when the size is a whole number of some unit
     * ({@code 64m}), otherwise at most two decimals of the largest unit that fits ({@code 1.5g}, {@code 1.33k}).
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return bytes == Long.MIN_VALUE ? Long.toString(bytes) : "-" + format(-bytes);
        }
        int power = 0;
        while (power < SUFFIXES.length - 1 && bytes >= 1L << (10 * (power + 1))) {
            power++;
        }
        if (power == 0) {
            return Long.toString(bytes);
        }
        BigDecimal value = BigDecimal.valueOf(bytes)
                .divide(BigDecimal.valueOf(1L << (10 * power)), 2, RoundingMode.HALF_UP)
                .stripTrailingZeros();
        return value.toPlainString() + SUFFIXES[power];
    }
}
