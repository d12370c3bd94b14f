package org.itaestudio.transfer;

import java.io.IOException;

/** Training images that cannot make a run: an unlabelled folder, a class too small to split. One line of message. */
public final class TransferDataException extends IOException {
    public TransferDataException(String message) {
        super(message);
    }
}
