package io.epochflux.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * The content of an IDX label file (magic {@code 0x00000801}): one unsigned byte per item.
 * Immutable: the labels are copied in and out.
 */
public final class IdxLabels {

    private final byte[] labels;

    private IdxLabels(byte[] labels) {
        this.labels = labels;
    }

    /**
     * Creates labels from unsigned bytes.
     *
     * @param labels one byte per item, copied
     * @return the labels
     */
    public static IdxLabels of(byte[] labels) {
        return new IdxLabels(Objects.requireNonNull(labels, "labels").clone());
    }

    static IdxLabels wrap(byte[] labels) {
        return new IdxLabels(labels);
    }

    /**
     * Returns the number of labels.
     *
     * @return the count from the header
     */
    public int count() {
        return labels.length;
    }

    /**
     * Returns one label as a value from 0 to 255.
     *
     * @param index the item, {@code 0 <= index < count()}
     * @return the unsigned label
     */
    public int label(int index) {
        Objects.checkIndex(index, labels.length);
        return labels[index] & 0xFF;
    }

    /**
     * Returns a copy of all labels.
     *
     * @return one unsigned byte per item
     */
    public byte[] toBytes() {
        return labels.clone();
    }

    byte[] unsafeBytes() {
        return labels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxLabels other && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "IdxLabels[" + labels.length + "]";
    }
}
