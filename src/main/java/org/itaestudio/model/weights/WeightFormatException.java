package org.itaestudio.model.weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be used: malformed, truncated, unsupported or refused for safety. The message is
 * one line that starts with the file and says why.
 */
public class WeightFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public WeightFormatException(Path file, String reason) {
        super(file + ": " + reason);
    }

    public WeightFormatException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
    }
}
