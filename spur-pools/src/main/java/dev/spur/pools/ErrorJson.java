package dev.spur.pools;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.spur.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** Lambda's platform error payload: {@code {"errorType": …, "errorMessage": …}}. */
final class ErrorJson {
    private ErrorJson() {}

    static String of(String errorType, String errorMessage) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("errorType", errorType);
        body.put("errorMessage", errorMessage);
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
