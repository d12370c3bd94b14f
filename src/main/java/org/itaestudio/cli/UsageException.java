package org.itaestudio.cli;

/** A bad option value: printed as one line with exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
