package org.itaestudio.pipeline;

/** A file that was not embedded, with a one-line reason ("truncated JPEG", "not an image", ...). */
public record SkippedFile(String relativePath, String reason) {
}
