package org.itaestudio.image.jpeg;

/** How a component plane becomes full output size (jdsample.c's per-component upsample methods). */
enum UpsampleMethod {
    /** Already full size (fullsize_upsample): the plane's rows are used as they are. */
    FULL,
    /** Twice as wide, triangle filter across (h2v1_fancy_upsample). */
    H2V1_FANCY,
    /** Twice as tall, triangle filter down (h1v2_fancy_upsample). */
    H1V2_FANCY,
    /** Twice as wide and tall, triangle filter both ways (h2v2_fancy_upsample). */
    H2V2_FANCY,
    /** Each sample repeated {@code hExpand x vExpand} times (int_upsample and its h2v1/h2v2 special cases). */
    REPLICATE
}
