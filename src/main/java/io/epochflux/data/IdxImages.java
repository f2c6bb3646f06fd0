package io.epochflux.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * The content of an IDX image file (magic {@code 0x00000803}): {@code count} images of
 * {@code rows x columns} unsigned bytes, stored row-major, one image after the other.
 * Immutable: the pixels are copied in and out.
 */
public final class IdxImages {

    private final int count;
    private final int rows;
    private final int columns;
    private final byte[] pixels;

    private IdxImages(int count, int rows, int columns, byte[] pixels) {
        this.count = count;
        this.rows = rows;
        this.columns = columns;
        this.pixels = pixels;
    }

    /**
     * Creates images from their pixels.
     *
     * @param count the number of images, {@code >= 0}
     * @param rows the height of each image, {@code >= 1}
     * @param columns the width of each image, {@code >= 1}
     * @param pixels {@code count * rows * columns} unsigned bytes, copied
     * @return the images
     */
    public static IdxImages of(int count, int rows, int columns, byte[] pixels) {
        Objects.requireNonNull(pixels, "pixels");
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, but was " + count);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, but was " + rows);
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be >= 1, but was " + columns);
        }
        long expected = (long) count * rows * columns;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels.length must be count * rows * columns = " + expected
                    + ", but was " + pixels.length);
        }
        return new IdxImages(count, rows, columns, pixels.clone());
    }

    static IdxImages wrap(int count, int rows, int columns, byte[] pixels) {
        return new IdxImages(count, rows, columns, pixels);
    }

    /**
     * Returns the number of images.
     *
     * @return the count from the header
     */
    public int count() {
        return count;
    }

    /**
     * Returns the height of each image.
     *
     * @return rows per image
     */
    public int rows() {
        return rows;
    }

    /**
     * Returns the width of each image.
     *
     * @return columns per image
     */
    public int columns() {
        return columns;
    }

    /**
     * Returns the pixels of one image as a value from 0 to 255.
     *
     * @param image the image index, {@code 0 <= image < count()}
     * @param offset the pixel within the image, {@code 0 <= offset < rows() * columns()}
     * @return the unsigned pixel value
     */
    public int pixel(int image, int offset) {
        Objects.checkIndex(image, count);
        Objects.checkIndex(offset, rows * columns);
        return pixels[image * rows * columns + offset] & 0xFF;
    }

    /**
     * Returns a copy of all pixels, image after image.
     *
     * @return {@code count * rows * columns} unsigned bytes
     */
    public byte[] toBytes() {
        return pixels.clone();
    }

    byte[] unsafeBytes() {
        return pixels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxImages other
                && count == other.count && rows == other.rows && columns == other.columns
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(count, rows, columns) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " x " + rows + " x " + columns + "]";
    }
}
