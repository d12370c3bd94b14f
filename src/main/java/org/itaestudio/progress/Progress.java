package org.itaestudio.progress;

import java.time.Duration;

/**
 * A snapshot of a long task's progress.
 *
 * @param stage          what runs now ("Scanning", "Embedding", "Clustering", "Map", "Downloading")
 * @param done           items finished in this stage
 * @param total          items in this stage (0 when unknown)
 * @param itemsPerSecond current rate, 0 when unknown
 * @param eta            remaining time estimate, null when unknown
 * @param skipped        files skipped so far (unreadable images)
 */
public record Progress(String stage, long done, long total, double itemsPerSecond, Duration eta, int skipped) {

    /** Progress of a computation that knows only how far it is: no rate, no estimate, nothing skipped. */
    public static Progress of(String stage, long done, long total) {
        return new Progress(stage, done, total, 0, null, 0);
    }

    /** The same progress under another stage name. */
    public Progress withStage(String newStage) {
        return new Progress(newStage, done, total, itemsPerSecond, eta, skipped);
    }

    public double fraction() {
        return total <= 0 ? -1 : Math.min(1.0, (double) done / total);
    }
}
