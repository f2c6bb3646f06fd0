package io.epochflux.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * An {@code OptionalInt} in JSON without Jackson's JDK 8 module: its value as a number, and empty
 * as absent (with {@code @JsonInclude(NON_EMPTY)}, the property is left out).
 */
public final class OptionalInts {

    private OptionalInts() {
    }

    /** Writes a present value as a number; an empty one counts as empty, so NON_EMPTY leaves it out. */
    public static final class Serializer extends StdSerializer<OptionalInt> {
        private static final long serialVersionUID = 1L;

        /** For Jackson. */
        public Serializer() {
            super(OptionalInt.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, OptionalInt value) {
            return value == null || value.isEmpty();
        }

        @Override
        public void serialize(OptionalInt value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.isPresent()) {
                gen.writeNumber(value.getAsInt());
            } else {
                gen.writeNull();
            }
        }
    }
}
