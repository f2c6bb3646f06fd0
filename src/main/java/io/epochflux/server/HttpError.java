package io.epochflux.server;

import java.util.LinkedHashMap;
import java.util.Map;

/** A request the server refuses, with the status and the JSON body that says why. */
final class HttpError extends RuntimeException {

    private final int status;
    private final Map<String, Object> body;

    HttpError(int status, String message) {
        this(status, message, null, null, null);
    }

    HttpError(int status, String message, String field, String value, String rule) {
        super(message, null, false, false);
        this.status = status;
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("error", message);
        if (field != null) {
            b.put("field", field);
            b.put("value", value);
            b.put("rule", rule);
        }
        this.body = b;
    }

    static HttpError of(RunRequest.InvalidField e) {
        return new HttpError(400, e.getMessage(), e.field(), e.value(), e.rule());
    }

    int status() {
        return status;
    }

    Map<String, Object> body() {
        return body;
    }
}
