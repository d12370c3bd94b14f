/**
 * Clustering, 2-D maps and metrics for embeddings given as {@code float[n][d]} (pure Java).
 *
 * <ul>
 *   <li>{@link org.itaestudio.cluster.KMeansClusterer}: k-means++ / Lloyd (Hamerly bounds), restarts, seeded and
 *       bit-for-bit reproducible for any thread count; {@link org.itaestudio.cluster.AutoK} picks k by silhouette.</li>
 *   <li>{@link org.itaestudio.cluster.WardClusterer}: agglomerative Ward clustering cut by k or by height,
 *       with its {@link org.itaestudio.cluster.Dendrogram}.</li>
 *   <li>{@link org.itaestudio.cluster.PcaMap} and {@link org.itaestudio.cluster.TsneMap} (Barnes-Hut, or Smile's
 *       exact t-SNE for tiny inputs) produce {@link org.itaestudio.cluster.Map2D}s.</li>
 *   <li>{@link org.itaestudio.cluster.Metrics}: ACC (Hungarian), NMI, ARI as scikit-learn defines them, silhouette,
 *       trustworthiness.</li>
 * </ul>
 *
 * <p>Rows are L2-normalised by default everywhere (each class has {@code withNormalize(false)}). Long operations
 * accept an optional {@link org.itaestudio.progress.ProgressListener} and a {@code BooleanSupplier cancelled}, and
 * throw {@link java.util.concurrent.CancellationException} when cancelled. Parallel loops split the work into
 * fixed-size blocks and reduce in block order, so results do not depend on the thread count.
 */
package org.itaestudio.cluster;
