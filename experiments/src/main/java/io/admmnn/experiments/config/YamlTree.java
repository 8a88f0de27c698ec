package io.admmnn.experiments.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document as a tree that remembers where each key and value is (Jackson's {@link JsonLocation}), so that
 * every mistake in an experiment file can name its line. Jackson's own trees drop locations, hence this one.
 */
final class YamlTree {

    private static final YAMLFactory YAML = new YAMLFactory();

    private YamlTree() {
    }

    /** A node of the tree and where it starts. */
    sealed interface Node permits Scalar, Mapping, Sequence {
        JsonLocation at();

        /** "a number", "a mapping", ... for type errors. */
        String kind();
    }

    /** A scalar: {@code token} says whether YAML read it as a string, integer, float, boolean or null. */
    record Scalar(JsonToken token, String text, JsonLocation at) implements Node {
        @Override
        public String kind() {
            return switch (token) {
                case VALUE_NUMBER_INT -> "an integer";
                case VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "empty";
                default -> "a string";
            };
        }
    }

    /** A mapping in file order; {@code keyAt} holds where each key is written. */
    record Mapping(Map<String, Node> entries, Map<String, JsonLocation> keyAt, JsonLocation at) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** A sequence. */
    record Sequence(List<Node> items, JsonLocation at) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** Parses {@code text}; syntax errors and duplicate keys are {@link ConfigException}s naming {@code file}. */
    static Mapping parse(String text, String file) {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ConfigException(file, 1, "", "the file is empty");
            }
            Node root = read(p, file, "");
            if (!(root instanceof Mapping m)) {
                throw new ConfigException(file, line(root.at()), "", "expected a mapping of keys, found " + root.kind());
            }
            return m;
        } catch (JsonProcessingException e) {
            // SnakeYAML repeats the position and quotes the line; the location already says where.
            String reason = e.getOriginalMessage().replaceAll("\\s+", " ")
                    .replaceAll(" ?in '[^']*', line \\d+, column \\d+:.*?\\^", "").trim();
            throw new ConfigException(file, syntaxErrorLine(e), "", "not valid YAML: " + reason);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "", "cannot read: " + e.getMessage());
        }
    }

    private static Node read(JsonParser p, String file, String path) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Node> entries = new LinkedHashMap<>();
            Map<String, JsonLocation> keyAt = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonLocation keyLocation = p.currentTokenLocation();
                String child = path.isEmpty() ? key : path + "." + key;
                if (entries.containsKey(key)) {
                    throw new ConfigException(file, line(keyLocation), child,
                            "duplicate key (first on line " + line(keyAt.get(key)) + ")");
                }
                p.nextToken();
                keyAt.put(key, keyLocation);
                entries.put(key, read(p, file, child));
            }
            return new Mapping(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(keyAt), at);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p, file, path + "[" + items.size() + "]"));
            }
            return new Sequence(List.copyOf(items), at);
        }
        return new Scalar(t, t == JsonToken.VALUE_NULL ? null : p.getText(), at);
    }

    /**
     * The 1-based line of a YAML syntax error: where SnakeYAML found the problem. Jackson's location is where its
     * parser stood, the end of the last good token, which for a tab that starts a line is the line before.
     */
    private static int syntaxErrorLine(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return marked.getProblemMark().getLine() + 1; // SnakeYAML counts lines from 0
        }
        return line(e.getLocation());
    }

    /** The 1-based line of a location (0 when unknown). */
    static int line(JsonLocation at) {
        return at == null ? 0 : Math.max(0, at.getLineNr());
    }
}
