package org.itaestudio.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What executors need to know about a job, shipped with its tasks (Java serialization).
 *
 * @param engineArgs   the {@code embed-cluster} arguments, re-parsed on each executor into the same
 *                     {@link org.itaestudio.pipeline.AnalysisSettings} the driver uses (one source of truth: the CLI's
 *                     option parsing)
 * @param inputRoot    the qualified input URI (file:/..., hdfs://...), so relative paths match the CLI's
 * @param settingsKey  the driver's key for the model and settings; an executor whose model differs refuses to run
 * @param decodeThreads threads decoding images beside each task's forward passes
 */
record JobSpec(List<String> engineArgs, String inputRoot, String settingsKey, int decodeThreads) implements Serializable {
}
