package org.itaestudio.model.transfer;

/** How the teacher's attention reaches the student. */
public enum TransferMode {
    /** Cross-entropy only: the baseline, no teacher. */
    SCRATCH,
    /** In transferred layers the student attends with softmax(teacher scores); its own q and k are unused there. */
    COPY,
    /** The student's own attention, pulled towards the teacher's by an attention cross-entropy term. */
    DISTILL
}
