package io.epochflux.train.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;

/**
 * A double in JSON as {@code report.json} writes it: a number when finite, else the string
 * {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} ({@link Double#toString}). Explicit,
 * rather than left to Jackson's {@code WRITE_NAN_AS_STRINGS} default, so that a mapper configured
 * otherwise still writes valid JSON that reads back.
 */
public final class NonFiniteDoubles {

    private NonFiniteDoubles() {
    }

    /** Writes a finite double as a number, any other as its {@link Double#toString} string. */
    public static final class Serializer extends StdSerializer<Double> {
        private static final long serialVersionUID = 1L;

        /** For Jackson. */
        public Serializer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            double v = value;
            if (Double.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeString(Double.toString(v));
            }
        }
    }

    /** Reads a JSON number, or one of the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. */
    public static final class Deserializer extends StdDeserializer<Double> {
        private static final long serialVersionUID = 1L;

        /** For Jackson. */
        public Deserializer() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getDoubleValue();
            }
            if (token == JsonToken.VALUE_STRING) {
                String text = p.getText();
                switch (text) {
                    case "NaN":
                        return Double.NaN;
                    case "Infinity":
                        return Double.POSITIVE_INFINITY;
                    case "-Infinity":
                        return Double.NEGATIVE_INFINITY;
                    default:
                        return (Double) ctx.handleWeirdStringValue(Double.class, text,
                                "a value must be a number or one of \"NaN\", \"Infinity\", \"-Infinity\"");
                }
            }
            return (Double) ctx.handleUnexpectedToken(Double.class, p);
        }
    }
}
