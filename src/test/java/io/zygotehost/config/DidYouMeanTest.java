package io.zygotehost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    private static final List<String> KEYS = List.of("workers", "max_workers", "max_age", "max_age_jitter", "heap",
            "listen", "class");

    @Test
    void closeTyposAreSuggested() {
        // Proves keys within edit distance 2 are suggested, closest first.
        assertEquals(Optional.of("workers"), DidYouMean.suggest("worker", KEYS));
        assertEquals(Optional.of("listen"), DidYouMean.suggest("lisen", KEYS));
        assertEquals(Optional.of("heap"), DidYouMean.suggest("heep", KEYS));
    }

    @Test
    void prefixesAreSuggested() {
        // Proves a prefix match counts even when the edit distance is large.
        assertEquals(Optional.of("max_age_jitter"), DidYouMean.suggest("max_age_jit", KEYS));
    }

    @Test
    void otherSpellingsOfTheSameKeyAreSuggested() {
        // Proves camelCase and kebab-case versions of a snake_case key find it.
        assertEquals(Optional.of("max_workers"), DidYouMean.suggest("maxWorkers", KEYS));
        assertEquals(Optional.of("max_workers"), DidYouMean.suggest("max-workers", KEYS));
    }

    @Test
    void farKeysGetNoSuggestion() {
        // Proves nothing is suggested when no key is close.
        assertEquals(Optional.empty(), DidYouMean.suggest("banana", KEYS));
    }

    @Test
    void levenshteinCountsEdits() {
        // Proves the distance counts insertions, deletions and substitutions.
        assertEquals(0, DidYouMean.levenshtein("abc", "abc"));
        assertEquals(3, DidYouMean.levenshtein("kitten", "sitting"));
        assertEquals(1, DidYouMean.levenshtein("worker", "workers"));
    }
}
