package org.itaestudio.store;

/**
 * A cache could not be read or written for a reason other than a corrupt file (which the caches repair
 * themselves): a directory that cannot be created, a full disk, a database locked by another process for too long.
 */
public final class CacheException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
