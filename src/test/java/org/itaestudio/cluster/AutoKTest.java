package org.itaestudio.cluster;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoKTest {

    @Test
    void findsTheNumberOfBlobs() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(1400, 32, 7, 31);
        AutoK.Result r = new AutoK().withRange(2, 12).withClusterer(new KMeansClusterer().withRestarts(3)).choose(b.x);
        assertEquals(7, r.bestK());
        assertArrayEquals(new int[]{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, r.ks());
        double max = Double.NEGATIVE_INFINITY;
        for (double s : r.silhouettes()) max = Math.max(max, s);
        assertEquals(max, r.silhouettes()[7 - 2], 0.0);
        assertEquals(7, r.best().k());
        assertEquals(1.0, Metrics.accuracy(b.labels, r.best().labels()), 0.0);
        // the reported silhouette is the silhouette of the chosen clustering (all points: n <= 2000)
        float[][] xn = Embeddings.l2Normalized(b.x);
        assertEquals(Metrics.silhouette(xn, r.best().labels(), Metrics.Distance.EUCLIDEAN), r.silhouettes()[5], 1e-12);
    }

    @Test
    void subsampledSilhouetteStillFindsBlobsAndIsDeterministic() {
        TsneMapTest.Blobs b = new TsneMapTest.Blobs(5000, 16, 5, 77);
        List<Integer> progress = new ArrayList<>();
        AutoK auto = new AutoK().withRange(2, 8).withMaxSilhouettePoints(500).withDistance(Metrics.Distance.COSINE)
                .withClusterer(new KMeansClusterer().withRestarts(2));
        AutoK.Result r = auto.choose(b.x, p -> {
            String stage = p.stage();
            int done = (int) p.done();
            int total = (int) p.total();
            assertEquals("auto-k", stage);
            assertEquals(7, total);
            progress.add(done);
        }, null);
        assertEquals(5, r.bestK());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), progress);
        AutoK.Result again = auto.choose(b.x);
        assertArrayEquals(r.silhouettes(), again.silhouettes());
        assertArrayEquals(r.best().labels(), again.best().labels());
    }

    @Test
    void rangeIsCappedAndValidated() {
        float[][] x = {{0, 1}, {0, 1.1f}, {1, 0}, {1.1f, 0}};
        AutoK.Result r = new AutoK().choose(x);
        assertArrayEquals(new int[]{2, 3}, r.ks());
        assertEquals(2, r.bestK());
        assertThrows(IllegalArgumentException.class, () -> new AutoK().choose(new float[][]{{1}, {2}}));
        assertThrows(IllegalArgumentException.class, () -> new AutoK().withRange(1, 5));
    }
}
