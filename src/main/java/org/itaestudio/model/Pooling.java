package org.itaestudio.model;

/** How an image embedding is read off the final tokens. */
public enum Pooling {
    /** The CLS token after the final LayerNorm (DINOv2's default). */
    CLS,
    /** The mean of the patch tokens after the final LayerNorm (registers and CLS excluded). */
    MEAN
}
