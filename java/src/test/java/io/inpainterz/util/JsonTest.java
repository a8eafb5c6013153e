package io.inpainterz.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesNestedValuesWithTypes() {
        Object v = Json.parse("{\"a\": [1, -2.5e-3, true, null, \"x\\n\\u00e9\"], \"b\": {\"c\": 12345678901}, \"n\": NaN}");
        List<?> a = (List<?>) Json.at(v, "a");
        assertEquals(-2.5e-3, a.get(1));
        assertEquals(true, a.get(2));
        assertEquals(null, a.get(3));
        assertEquals("x\né", a.get(4));
        assertEquals(12345678901L, Json.at(v, "b", "c"));
        assertTrue(((Double) Json.at(v, "n")).isNaN());
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("s", "q\"uote\\");
        m.put("l", List.of(1L, 2.5, false));
        m.put("shape", new long[] {1, 3});
        String text = Json.write(m);
        assertEquals("{\"s\":\"q\\\"uote\\\\\",\"l\":[1,2.5,false],\"shape\":[1,3]}", text);
        assertEquals(List.of(1L, 3L), Json.at(Json.parse(text), "shape"));
    }

    @Test
    void rejectsMalformedTextWithAPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": [1,\n 2,]}"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1, \"a\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }
}
