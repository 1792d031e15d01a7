package io.zygotehost.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known key a user probably meant when they wrote an unknown one. */
final class DidYouMean {

    private static final int MAX_DISTANCE = 2;

    private DidYouMean() {
    }

    /**
     * The closest candidate: one within edit distance 2, or one that the input is a prefix of (or that is a prefix
     * of the input). camelCase and kebab-case spellings of a snake_case key match it exactly.
     */
    static Optional<String> suggest(String input, Collection<String> candidates) {
        String wanted = normalize(input);
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = levenshtein(wanted, candidate);
            boolean prefix = wanted.length() >= 3 && (candidate.startsWith(wanted) || wanted.startsWith(candidate));
            if (distance > MAX_DISTANCE && !prefix) {
                continue;
            }
            // Prefix matches rank after close typos but before nothing; ties keep the first (declaration order).
            int score = distance <= MAX_DISTANCE ? distance : MAX_DISTANCE + 1 + distance;
            if (score < bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    private static String normalize(String key) {
        StringBuilder snake = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1))) {
                snake.append('_');
            }
            snake.append(c == '-' ? '_' : c);
        }
        return snake.toString().toLowerCase(Locale.ROOT);
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
