package io.inpainterz.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;

/**
 * The one Jackson configuration of the project: strict (duplicate keys and trailing content are
 * errors), NaN and Infinity allowed both ways (the fixtures' JSON, written by Python, uses
 * them), integers as {@code Long}. Records serialize by their components.
 */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Objects become {@code Map<String, Object>} (in order), arrays {@code List<Object>}. */
    public static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr(), e);
        }
    }

    /** One line of JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The value at a path of object keys and list indices, or null when a step is missing. */
    public static Object at(Object root, Object... path) {
        Object v = root;
        for (Object step : path) {
            if (v instanceof Map<?, ?> m && step instanceof String k) v = m.get(k);
            else if (v instanceof List<?> l && step instanceof Integer i && i >= 0 && i < l.size()) v = l.get(i);
            else return null;
        }
        return v;
    }
}
