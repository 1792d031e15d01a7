package io.zygotehost.config;

/**
 * An {@link IllegalArgumentException} that also knows what the user should write instead, so the loader can put
 * the parsers' own advice into a {@link ConfigProblem} rather than a generic one.
 */
final class BadValueException extends IllegalArgumentException {

    private final String fix;

    BadValueException(String message, String fix) {
        super(message);
        this.fix = fix;
    }

    /** What to write instead, or null. */
    String fix() {
        return fix;
    }

    static String fixOf(IllegalArgumentException e) {
        return e instanceof BadValueException bad ? bad.fix() : null;
    }
}
