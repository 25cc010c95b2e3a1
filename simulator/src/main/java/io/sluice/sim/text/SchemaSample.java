package io.sluice.sim.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A synthetic JSON value that satisfies a JSON schema: the emulator's stand-in for a model under
 * guided decoding. Covers what tool and response schemas use: {@code type} (one or a list),
 * {@code properties} and {@code required}, {@code enum}, {@code const}, {@code items},
 * {@code minItems}/{@code maxItems}, {@code minLength}/{@code maxLength},
 * {@code minimum}/{@code maximum} (and their exclusive forms), common string {@code format}s,
 * {@code anyOf}/{@code oneOf} (the first non-null branch), {@code allOf} of objects, and local
 * {@code $ref}s ({@code #/$defs/...}, {@code #/definitions/...}). {@code pattern} is not honoured.
 */
public final class SchemaSample {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Deeper than this, objects keep only required properties and arrays their minimum. */
    private static final int MAX_DEPTH = 6;

    private SchemaSample() {
    }

    /** A value matching {@code schema}; the same schema and random state give the same value. */
    public static JsonNode of(JsonNode schema, SplittableRandom random) {
        return value(schema, schema, random, 0);
    }

    private static JsonNode value(JsonNode s, JsonNode root, SplittableRandom r, int depth) {
        if (s == null || !s.isObject()) {
            return NODES.textNode(words(r, 2));
        }
        if (s.has("$ref")) {
            String ref = s.path("$ref").asText();
            JsonNode target = ref.startsWith("#") ? root.at(ref.substring(1)) : null;
            return depth > 2 * MAX_DEPTH || target == null || target.isMissingNode()
                    ? NODES.nullNode() : value(target, root, r, depth + 1);
        }
        if (s.has("const")) {
            return s.get("const");
        }
        if (s.path("enum").isArray() && !s.path("enum").isEmpty()) {
            return s.get("enum").get(r.nextInt(s.get("enum").size()));
        }
        for (String key : new String[] {"anyOf", "oneOf"}) {
            if (s.path(key).isArray() && !s.path(key).isEmpty()) {
                for (JsonNode branch : s.get(key)) {
                    if (!"null".equals(branch.path("type").asText())) {
                        return value(branch, root, r, depth + 1);
                    }
                }
                return NODES.nullNode();
            }
        }
        if (s.path("allOf").isArray() && !s.path("allOf").isEmpty()) {
            ObjectNode merged = NODES.objectNode();
            for (JsonNode part : s.get("allOf")) {
                JsonNode v = value(part, root, r, depth + 1);
                if (!v.isObject()) {
                    return v;
                }
                merged.setAll((ObjectNode) v);
            }
            return merged;
        }
        return switch (type(s)) {
            case "object" -> object(s, root, r, depth);
            case "array" -> array(s, root, r, depth);
            case "integer" -> NODES.numberNode(Math.round(number(s, r, true)));
            case "number" -> NODES.numberNode(Math.round(number(s, r, false) * 100) / 100.0);
            case "boolean" -> NODES.booleanNode(r.nextBoolean());
            case "null" -> NODES.nullNode();
            default -> NODES.textNode(string(s, r));
        };
    }

    private static String type(JsonNode s) {
        JsonNode t = s.path("type");
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            for (JsonNode one : t) {
                if (!"null".equals(one.asText())) {
                    return one.asText();
                }
            }
            return "null";
        }
        if (s.has("properties")) {
            return "object";
        }
        return s.has("items") ? "array" : "string";
    }

    private static ObjectNode object(JsonNode s, JsonNode root, SplittableRandom r, int depth) {
        ObjectNode out = NODES.objectNode();
        Set<String> required = new HashSet<>();
        s.path("required").forEach(n -> required.add(n.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (depth < MAX_DEPTH || required.contains(p.getKey())) {
                out.set(p.getKey(), value(p.getValue(), root, r, depth + 1));
            }
        }
        for (String name : required) {
            if (!out.has(name)) {
                out.put(name, words(r, 1));
            }
        }
        return out;
    }

    private static ArrayNode array(JsonNode s, JsonNode root, SplittableRandom r, int depth) {
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.path("maxItems").asInt() : Math.max(min, 3);
        int count = depth >= MAX_DEPTH ? min : Math.max(min, Math.min(max, 1 + r.nextInt(2)));
        ArrayNode out = NODES.arrayNode();
        JsonNode prefix = s.path("prefixItems");
        for (int i = 0; i < count; i++) {
            JsonNode item = prefix.isArray() && i < prefix.size() ? prefix.get(i) : s.get("items");
            out.add(value(item, root, r, depth + 1));
        }
        return out;
    }

    private static double number(JsonNode s, SplittableRandom r, boolean integer) {
        double step = integer ? 1 : 0.01;
        double lo = s.has("minimum") ? s.path("minimum").asDouble()
                : s.has("exclusiveMinimum") ? s.path("exclusiveMinimum").asDouble() + step : 0;
        double hi = s.has("maximum") ? s.path("maximum").asDouble()
                : s.has("exclusiveMaximum") ? s.path("exclusiveMaximum").asDouble() - step : lo + 100;
        if (integer) {
            lo = Math.ceil(lo);
            hi = Math.floor(hi);
        }
        return hi <= lo ? lo : lo + r.nextDouble() * (hi - lo);
    }

    private static String string(JsonNode s, SplittableRandom r) {
        String v = switch (s.path("format").asText("")) {
            case "date" -> "2026-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(10);
            case "date-time" -> "2026-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(10) + "T12:00:00Z";
            case "time" -> "12:" + (10 + r.nextInt(50)) + ":00";
            case "email" -> "user" + r.nextInt(100) + "@example.com";
            case "uri", "url" -> "https://example.com/" + words(r, 1);
            case "uuid" -> new java.util.UUID(r.nextLong(), r.nextLong()).toString();
            default -> words(r, 1 + r.nextInt(3));
        };
        int min = s.path("minLength").asInt(0);
        while (v.length() < min) {
            v = v + " " + words(r, 1);
        }
        return s.has("maxLength") && v.length() > s.path("maxLength").asInt() ? v.substring(0, s.path("maxLength").asInt()) : v;
    }

    private static String words(SplittableRandom r, int count) {
        StringBuilder b = new StringBuilder();
        int start = r.nextInt(1000);
        for (int i = 0; i < count; i++) {
            b.append(OutputText.token(start + i).strip().replace(".", ""));
            if (i + 1 < count) {
                b.append(' ');
            }
        }
        return b.toString();
    }
}
