package org.itaestudio.pipeline;

/**
 * A file that was not embedded, with a one-line reason ("truncated JPEG", "not an image", ...), or one that was
 * embedded after an adjustment the user should know about ({@code embedded}: "decoded at 1/2 scale (...)").
 *
 * @param embedded true for an adjusted file that is in the results, false for a skipped one
 */
public record SkippedFile(String relativePath, String reason, boolean embedded) {

    /** A skipped file. */
    public SkippedFile(String relativePath, String reason) {
        this(relativePath, reason, false);
    }

    /** An embedded file with a note on how it was adjusted. */
    public static SkippedFile adjusted(String relativePath, String note) {
        return new SkippedFile(relativePath, note, true);
    }
}
