package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exports for other tools: .npy bytes equal to what numpy.save writes (tools/make_explore_fixtures.py), CSVs. */
class ExploreExportTest {
    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ExploreExportTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void npyIsByteForByteWhatNumpyWrites() throws IOException {
        JsonObject small = JsonParser.parseString(new String(resource("/explore/small.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonArray rows = small.getAsJsonArray("values");
        float[][] values = new float[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            JsonArray r = rows.get(i).getAsJsonArray();
            values[i] = new float[r.size()];
            for (int j = 0; j < r.size(); j++) values[i][j] = r.get(j).getAsFloat();
        }
        Path npy = dir.resolve("emb.npy");
        ExploreExport.writeNpy(npy, values);
        assertArrayEquals(resource("/explore/small.npy"), Files.readAllBytes(npy));
    }

    @Test
    void npyHeaderKeepsTheDataAligned() {
        for (int n : new int[] {0, 1, 12345, 1_000_000}) {
            byte[] h = ExploreExport.npyHeader(n, 384);
            assertEquals(0, h.length % 64);
            assertEquals('\n', h[h.length - 1]);
            int len = (h[8] & 0xff) | (h[9] & 0xff) << 8;
            assertEquals(h.length - 10, len);
        }
    }

    @Test
    void pathsCsvSitsNextToTheArrayInTheSameOrder() throws IOException {
        Path npy = dir.resolve("e.npy");
        Path paths = ExploreExport.writeNpyWithPaths(npy, List.of("b/1.jpg", "a, comma.png"), new float[][] {{1, 2}, {3, 4}});
        assertEquals(dir.resolve("paths.csv").toAbsolutePath(), paths);
        assertEquals("path\nb/1.jpg\n\"a, comma.png\"\n", Files.readString(paths));
        assertEquals(128 + 16, Files.size(npy), "header padded to 128 bytes + 4 floats");
        assertThrows(IllegalArgumentException.class,
                () -> ExploreExport.writeNpyWithPaths(dir.resolve("f.npy"), List.of("a"), new float[][] {{1}, {2}}));
        assertFalse(Files.exists(dir.resolve("f.npy")));
    }

    @Test
    void viewCsvHasOneRowPerImage() throws IOException {
        Path f = dir.resolve("view.csv");
        ExploreExport.writeView(f, List.of("a.jpg", "b.jpg"), new int[] {1, -1}, new float[] {0.5f, -1f},
                new float[] {2f, 3f}, new double[] {0.25, 0.125});
        assertEquals("path,cluster,x,y,outlier_score\na.jpg,1,0.5,2.0,0.25\nb.jpg,-1,-1.0,3.0,0.125\n", Files.readString(f));
        ExploreExport.writeView(f, List.of("a.jpg"), new int[] {0}, null, null, new double[] {0});
        assertEquals("path,cluster,x,y,outlier_score\na.jpg,0,,,0.0\n", Files.readString(f));
        assertThrows(IllegalArgumentException.class,
                () -> ExploreExport.writeView(f, List.of("a.jpg"), new int[] {0, 1}, null, null, new double[] {0}));
    }

    @Test
    void duplicatesAndSimilarTables() throws IOException {
        Path f = dir.resolve("d.csv");
        ExploreExport.writeDuplicates(f, List.of(new ExploreExport.DuplicateRow(0, "a.jpg", 1.0, true),
                new ExploreExport.DuplicateRow(0, "a copy.jpg", 0.97, false)));
        assertEquals("group,path,similarity_to_first,mark\n0,a.jpg,1.0,keep\n0,a copy.jpg,0.97,drop\n", Files.readString(f));
        String text = ExploreExport.toText(sink -> ExploreExport.writeSimilar(sink,
                List.of(new ExploreExport.SimilarRow("x,y.png", 0.5))));
        assertEquals("path,similarity\n\"x,y.png\",0.5\n", text);
    }
}
