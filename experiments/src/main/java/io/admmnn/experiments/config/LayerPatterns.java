package io.admmnn.experiments.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves the keys of a per-layer mapping ({@code layers:}, {@code quantize.bits:}) against a model's layer
 * names: a key is a layer name or a glob ({@code *} any run of characters, {@code ?} one character, e.g.
 * {@code conv*}, {@code ip?}). A key that matches no layer, or a layer matched by two keys, is an error.
 */
final class LayerPatterns {

    private LayerPatterns() {
    }

    /**
     * The key that selects each matched layer, in the model's layer order.
     *
     * @param section the mapping whose keys are names or patterns
     * @param layers  the model's layers with weights, in network order
     * @param model   model id, for messages
     */
    static Map<String, String> resolve(ConfigSection section, List<String> layers, String model) {
        Map<String, String> keyOf = new LinkedHashMap<>();
        for (String key : section.keys()) {
            Pattern glob = glob(key);
            List<String> matched = new ArrayList<>();
            for (String layer : layers) {
                if (glob.matcher(layer).matches()) {
                    matched.add(layer);
                }
            }
            if (matched.isEmpty()) {
                throw section.keyError(key, "matches no layer of " + model + " (layers with weights: "
                        + String.join(", ", layers) + ")");
            }
            for (String layer : matched) {
                String earlier = keyOf.putIfAbsent(layer, key);
                if (earlier != null) {
                    throw section.keyError(key, "layer " + layer + " is already set by '" + earlier + "' (line "
                            + section.keyLine(earlier) + ")");
                }
            }
        }
        Map<String, String> inModelOrder = new LinkedHashMap<>();
        layers.stream().filter(keyOf::containsKey).forEach(l -> inModelOrder.put(l, keyOf.get(l)));
        return inModelOrder;
    }

    /** The regular expression of a glob; every other character stands for itself. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
