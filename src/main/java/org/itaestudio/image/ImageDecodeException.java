package org.itaestudio.image;

import java.nio.file.Path;

/**
 * A file could not be turned into an image. {@link #reason()} is a short phrase meant for the user
 * ("truncated JPEG", "not an image", "permission denied", "image too large: 20000x20000 &gt; 100 MP cap");
 * {@link #getMessage()} is {@code "<file>: <reason>"}, one line.
 */
public final class ImageDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String reason;

    public ImageDecodeException(Path file, String reason) {
        this(file, reason, null);
    }

    public ImageDecodeException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file that failed. */
    public Path file() {
        return file;
    }

    /** Short reason without the file name. */
    public String reason() {
        return reason;
    }
}
