/**
 * The tensor side of attention transfer: the trainable student ViT ({@link org.itaestudio.model.transfer.StudentVit}),
 * the teacher's attention, the losses, AdamW, and a trainer that ties them for one batch at a time. Lives under
 * {@code model} because it runs on DJL.
 */
package org.itaestudio.model.transfer;
