package io.admmnn.experiments.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import io.admmnn.experiments.config.YamlTree.Mapping;
import io.admmnn.experiments.config.YamlTree.Node;
import io.admmnn.experiments.config.YamlTree.Scalar;
import io.admmnn.experiments.config.YamlTree.Sequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * One mapping of an experiment file, read key by key: each accessor checks presence, type and range and throws
 * a {@link ConfigException} naming the file, the dotted key path and the line. Optional keys take a default.
 */
final class ConfigSection {

    private final String file;
    private final String path;
    private final Mapping mapping;

    ConfigSection(String file, String path, Mapping mapping) {
        this.file = file;
        this.path = path;
        this.mapping = mapping;
    }

    /** Rejects any key not in {@code known}, suggesting the closest known key (typos are the usual cause). */
    ConfigSection allowOnly(String... known) {
        List<String> k = Arrays.asList(known);
        for (String key : mapping.entries().keySet()) {
            if (!k.contains(key)) {
                String near = closest(key, k);
                throw new ConfigException(file, YamlTree.line(mapping.keyAt().get(key)), path(key), "unknown key"
                        + (near != null ? " (did you mean '" + near + "'?)" : "") + "; keys here: " + String.join(", ", k));
            }
        }
        return this;
    }

    boolean has(String key) {
        return mapping.entries().containsKey(key);
    }

    /** The keys of this mapping, in file order. */
    List<String> keys() {
        return List.copyOf(mapping.entries().keySet());
    }

    /** Dotted path of a key of this section. */
    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** A required integer satisfying {@code ok} (described by {@code rule}, e.g. "must be >= 1"). */
    int integer(String key, IntPredicate ok, String rule) {
        Scalar s = scalar(key, "an integer");
        if (s.token() != JsonToken.VALUE_NUMBER_INT) {
            throw typeError(key, "an integer", s);
        }
        int v;
        try {
            v = Integer.parseInt(s.text());
        } catch (NumberFormatException e) {
            throw error(key, s.text().matches("[-+]?[0-9]+") ? "integer out of range, was " + s.text()
                    : "expected a decimal integer, found '" + s.text() + "'");
        }
        if (!ok.test(v)) {
            throw error(key, rule + ", was " + v);
        }
        return v;
    }

    /** An optional integer, {@code fallback} when absent. */
    int integer(String key, int fallback, IntPredicate ok, String rule) {
        return has(key) ? integer(key, ok, rule) : fallback;
    }

    /**
     * A required number satisfying {@code ok}. YAML 1.1 reads {@code 1e-3} (no dot) as a string, so a plain
     * string that parses as a number is taken as one.
     */
    double number(String key, DoublePredicate ok, String rule) {
        Scalar s = scalar(key, "a number");
        double v;
        if (s.token() == JsonToken.VALUE_NUMBER_INT || s.token() == JsonToken.VALUE_NUMBER_FLOAT
                || (s.token() == JsonToken.VALUE_STRING && s.text().matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?"))) {
            v = decimal(s.text(), path(key), s);
        } else {
            throw typeError(key, "a number", s);
        }
        if (!ok.test(v)) {
            throw error(key, rule + ", was " + s.text());
        }
        return v;
    }

    /** {@code text} as a finite decimal number, or an error at {@code at} naming the key path. */
    private double decimal(String text, String keyPath, Node at) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!Double.isFinite(v)) {
            throw new ConfigException(file, YamlTree.line(at.at()), keyPath,
                    "expected a finite decimal number (e.g. 0.01 or 1.0e-3), found '" + text + "'");
        }
        return v;
    }

    /** An optional number, {@code fallback} when absent. */
    double number(String key, double fallback, DoublePredicate ok, String rule) {
        return has(key) ? number(key, ok, rule) : fallback;
    }

    /** An optional boolean. */
    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        Scalar s = scalar(key, "true or false");
        if (s.token() != JsonToken.VALUE_TRUE && s.token() != JsonToken.VALUE_FALSE) {
            throw typeError(key, "true or false", s);
        }
        return s.token() == JsonToken.VALUE_TRUE;
    }

    /** A required non-empty string (a scalar of any type is taken as its text, e.g. a model id). */
    String string(String key) {
        Scalar s = scalar(key, "a string");
        if (s.token() == JsonToken.VALUE_NULL || s.text().isBlank()) {
            throw error(key, "must not be empty");
        }
        return s.text();
    }

    /** A required list of numbers, each satisfying {@code ok}. */
    List<Double> numbers(String key, DoublePredicate ok, String rule) {
        Node n = node(key);
        if (!(n instanceof Sequence seq)) {
            throw typeError(key, "a list of numbers", n);
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            Node item = seq.items().get(i);
            if (!(item instanceof Scalar s) || (s.token() != JsonToken.VALUE_NUMBER_INT
                    && s.token() != JsonToken.VALUE_NUMBER_FLOAT)) {
                throw new ConfigException(file, YamlTree.line(item.at()), path(key) + "[" + i + "]",
                        "expected a number, found " + item.kind());
            }
            double v = decimal(s.text(), path(key) + "[" + i + "]", s);
            if (!ok.test(v)) {
                throw new ConfigException(file, YamlTree.line(item.at()), path(key) + "[" + i + "]", rule + ", was " + v);
            }
            out.add(v);
        }
        return out;
    }

    /** A required nested mapping. */
    ConfigSection section(String key) {
        Node n = node(key);
        if (!(n instanceof Mapping m)) {
            throw typeError(key, "a mapping of keys", n);
        }
        return new ConfigSection(file, path(key), m);
    }

    /** An optional nested mapping. */
    Optional<ConfigSection> optionalSection(String key) {
        return has(key) ? Optional.of(section(key)) : Optional.empty();
    }

    /** Whether the value of {@code key} is a mapping (rather than a scalar). */
    boolean isSection(String key) {
        return node(key) instanceof Mapping;
    }

    /** Builds a value from what was read; its own {@link IllegalArgumentException} is reported at this section. */
    <T> T build(Supplier<T> factory) {
        try {
            return factory.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, YamlTree.line(mapping.at()), path, e.getMessage());
        }
    }

    /** An error at the value of {@code key} (or at this section when the key is absent). */
    ConfigException error(String key, String reason) {
        Node n = mapping.entries().get(key);
        JsonLocation at = n != null ? n.at() : mapping.at();
        return new ConfigException(file, YamlTree.line(at), path(key), reason);
    }

    /** An error at the key {@code key} itself (for keys that are names or patterns). */
    ConfigException keyError(String key, String reason) {
        return new ConfigException(file, YamlTree.line(mapping.keyAt().get(key)), path(key), reason);
    }

    /** The 1-based line of a key of this section. */
    int keyLine(String key) {
        return YamlTree.line(mapping.keyAt().get(key));
    }

    private Node node(String key) {
        Node n = mapping.entries().get(key);
        if (n == null) {
            throw new ConfigException(file, YamlTree.line(mapping.at()), path(key), "required key is missing");
        }
        return n;
    }

    private Scalar scalar(String key, String expected) {
        Node n = node(key);
        if (!(n instanceof Scalar s)) {
            throw typeError(key, expected, n);
        }
        if (s.token() == JsonToken.VALUE_NULL) {
            throw error(key, "expected " + expected + ", found no value");
        }
        return s;
    }

    private ConfigException typeError(String key, String expected, Node found) {
        String value = found instanceof Scalar s && s.text() != null ? " '" + s.text() + "'" : "";
        return new ConfigException(file, YamlTree.line(found.at()), path(key), "expected " + expected + ", found "
                + found.kind() + value);
    }

    /** The known key within edit distance 2 of {@code key}, if any (case ignored). */
    private static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(key.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Raw entries, for mappings whose keys are names chosen by the user (layers, patterns). */
    Map<String, Node> entries() {
        return mapping.entries();
    }
}
