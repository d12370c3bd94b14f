package org.itaestudio.cluster;

/** Receives progress from long computations; called on the computing thread, so keep it cheap. */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param stage short name of the current stage, e.g. "neighbours", "affinities", "optimise"
     * @param done  units of work done in this stage
     * @param total units of work in this stage
     */
    void progress(String stage, int done, int total);

    ProgressListener NONE = (stage, done, total) -> {
    };
}
