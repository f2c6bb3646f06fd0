package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Objects;

/**
 * What failed, as a value: the error's class name and its message, as a run's outcome writes an
 * error to JSON and a viewer reads it back. It is not the {@code Throwable}: a reader gets the
 * description, never an exception object made from text.
 *
 * <p><b>JSON.</b> {@code {"type":"io.epochflux.train.TrainingException","message":"epoch 3 failed ..."}};
 * a plain {@code new ObjectMapper()} reads it back equal.
 *
 * @param type the error's class name, as {@code Class.getName()} gives it; not blank
 * @param message its message; {@code ""} when it had none
 */
@JsonPropertyOrder({"type", "message"})
public record Failure(@JsonProperty("type") String type, @JsonProperty("message") String message) {

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException when the type is blank
     */
    @JsonCreator
    public Failure(@JsonProperty(value = "type", required = true) String type, @JsonProperty("message") String message) {
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank, but was '" + type + "'");
        }
        this.type = type;
        this.message = message == null ? "" : message;
    }

    /**
     * Describes an error.
     *
     * @param error what was thrown
     * @return its class name and message
     */
    public static Failure of(Throwable error) {
        Objects.requireNonNull(error, "error");
        return new Failure(error.getClass().getName(), error.getMessage());
    }

    @Override
    public String toString() {
        return message.isEmpty() ? type : type + ": " + message;
    }
}
