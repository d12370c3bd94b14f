package org.itaestudio.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvExportTest {
    @TempDir
    Path dir;

    private static JsonObject fixture() throws IOException {
        try (InputStream in = CsvExportTest.class.getResourceAsStream("/csv/nasty_rows.json")) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CsvExportTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static List<List<String>> rows(JsonArray a) {
        List<List<String>> out = new ArrayList<>();
        for (JsonElement r : a) {
            List<String> row = new ArrayList<>();
            for (JsonElement v : r.getAsJsonArray()) row.add(v.getAsString());
            out.add(row);
        }
        return out;
    }

    /** Our bytes equal Python csv.writer's (QUOTE_MINIMAL) for LF and CRLF; see tools/make_csv_fixtures.py. */
    @Test
    void labelsAreByteIdenticalToPythonCsvWriter() throws IOException {
        List<List<String>> rows = rows(fixture().getAsJsonArray("rows"));
        List<String> paths = new ArrayList<>();
        int[] labels = new int[rows.size() - 1];
        for (int i = 1; i < rows.size(); i++) {
            paths.add(rows.get(i).get(0));
            labels[i - 1] = Integer.parseInt(rows.get(i).get(1));
        }
        Path lf = dir.resolve("lf.csv"), crlf = dir.resolve("crlf.csv");
        CsvExport.writeLabels(lf, paths, labels);
        CsvExport.writeLabels(crlf, paths, labels, null, null, null, CsvExport.LineEnding.CRLF);
        assertArrayEquals(resource("/csv/nasty_lf.csv"), Files.readAllBytes(lf));
        assertArrayEquals(resource("/csv/nasty_crlf.csv"), Files.readAllBytes(crlf));
    }

    /** The desktop app's labels: a third column with the cluster's name; names and paths quoted only when needed. */
    @Test
    void namedLabelsHaveTheAppsLayout() throws IOException {
        Path f = dir.resolve("labels.csv");
        CsvExport.writeNamedLabels(f, List.of("plain/path.jpg", "a,b\"c.jpg", "x.png"), new int[] {0, 1, 2},
                new String[] {"Cluster 0", "Sunsets, \"mostly\""});
        assertEquals("path,cluster,cluster_name\n"
                        + "plain/path.jpg,0,Cluster 0\n"
                        + "\"a,b\"\"c.jpg\",1,\"Sunsets, \"\"mostly\"\"\"\n"
                        + "x.png,2,\n",
                Files.readString(f, StandardCharsets.UTF_8));
    }

    @Test
    void unclusteredImagesExportAsMinusOneWithTheGroupsName() throws IOException {
        Path f = dir.resolve("density.csv");
        CsvExport.writeNamedLabels(f, List.of("a.jpg", "b.jpg", "c.jpg"), new int[] {0, -1, 1},
                new String[] {"Cats", "Cluster 1"}, "Unclustered");
        assertEquals("path,cluster,cluster_name\n"
                        + "a.jpg,0,Cats\n"
                        + "b.jpg,-1,Unclustered\n"
                        + "c.jpg,1,Cluster 1\n",
                Files.readString(f, StandardCharsets.UTF_8));
    }

    /** Where Python's writer is wrong (lone CR), our quoting is what Python's reader needs. */
    @Test
    void loneCarriageReturnIsQuotedTheWayPythonReads() throws IOException {
        JsonObject read = fixture().getAsJsonArray("python_reads").get(0).getAsJsonObject();
        List<List<String>> expected = rows(read.getAsJsonArray("rows"));
        Path f = dir.resolve("cr.csv");
        CsvExport.writeLabels(f, List.of(expected.get(1).get(0), expected.get(2).get(0)), new int[]{5, 6});
        assertEquals(read.get("text").getAsString(), Files.readString(f, StandardCharsets.UTF_8));
    }

    @Test
    void readerParsesPythonWrittenFiles() throws IOException {
        List<List<String>> expected = rows(fixture().getAsJsonArray("rows"));
        for (String name : List.of("nasty_lf.csv", "nasty_crlf.csv")) {
            Path f = dir.resolve(name);
            Files.write(f, resource("/csv/" + name));
            CsvReader.Table t = CsvReader.read(f);
            assertEquals(expected.get(0), t.header(), name);
            assertEquals(expected.subList(1, expected.size()), t.rows(), name);
        }
    }

    @Test
    void roundTripWithDistancesAndMapCoordinates() throws IOException {
        List<String> paths = List.of("a,b/c.jpg", "\"q\".png", "new\nline.gif", "é/😀.webp", " lead", "x\r\ny");
        int[] labels = {0, 1, 2, 0, 1, 2};
        double[] dist = {0.1, 1e-5, 123456.789, 0, Double.MIN_VALUE, 3.4e38};
        float[] x = {0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -1.5e-7f, 42f};
        float[] y = {1f / 3, 2f / 3, -7f, 1e10f, Float.NaN, 0f};
        for (CsvExport.LineEnding le : CsvExport.LineEnding.values()) {
            Path f = dir.resolve("labels-" + le + ".csv");
            CsvExport.writeLabels(f, paths, labels, dist, x, y, le);
            byte[] bytes = Files.readAllBytes(f);
            assertEquals('p', bytes[0], "no BOM");
            CsvReader.Table t = CsvReader.read(f);
            assertEquals(List.of("path", "cluster", "distance", "x", "y"), t.header());
            assertEquals(paths, t.values("path"));
            for (int i = 0; i < paths.size(); i++) {
                List<String> r = t.rows().get(i);
                assertEquals(labels[i], Integer.parseInt(r.get(1)));
                assertEquals((float) dist[i], Float.parseFloat(r.get(2)), 0f, "distances in float precision");
                assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(Float.parseFloat(r.get(3))), "x bit-exact");
                assertEquals(Float.floatToIntBits(y[i]), Float.floatToIntBits(Float.parseFloat(r.get(4))), "y bit-exact");
            }
        }
    }

    @Test
    void embeddingsRoundTripExactly() throws IOException {
        java.util.Random r = new java.util.Random(5);
        float[][] e = new float[50][16];
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < e.length; i++) {
            paths.add("dir " + i + "/img,\"" + i + "\".jpg");
            for (int j = 0; j < 16; j++) e[i][j] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
        }
        Path f = dir.resolve("emb.csv");
        CsvExport.writeEmbeddings(f, paths, e);
        CsvReader.Table t = CsvReader.read(f);
        assertEquals("path", t.header().get(0));
        assertEquals("e15", t.header().get(16));
        for (int i = 0; i < e.length; i++) {
            assertEquals(paths.get(i), t.rows().get(i).get(0));
            for (int j = 0; j < 16; j++) assertEquals(e[i][j], Float.parseFloat(t.rows().get(i).get(j + 1)), 0f);
        }
    }

    @Test
    void failureMidWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("labels.csv");
        Files.writeString(f, "path,cluster\nold.jpg,3\n");
        // a data source that fails after 500 rows have been written
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CsvExport.write(f, CsvExport.LineEnding.LF, sink -> {
            sink.row("path", "cluster");
            for (int i = 0; ; i++) {
                if (i == 500) throw new IllegalStateException("source failed");
                sink.row("img" + i + ".jpg", "0");
            }
        }));
        assertEquals("source failed", e.getMessage());
        assertEquals("path,cluster\nold.jpg,3\n", Files.readString(f));
        assertEquals(List.of(f), listDir());
        // I/O-type failures too
        assertThrows(IOException.class, () -> CsvExport.write(f, CsvExport.LineEnding.LF, sink -> {
            sink.row("a");
            throw new IOException("disk full");
        }));
        assertEquals("path,cluster\nold.jpg,3\n", Files.readString(f));
        assertEquals(List.of(f), listDir());
        // a list of paths whose elements fail while the rows are being written
        List<String> failing = new AbstractList<>() {
            int calls;

            @Override
            public String get(int index) {
                if (++calls > 1200) throw new IllegalStateException("lost the folder");
                return "p" + index;
            }

            @Override
            public int size() {
                return 1000;
            }
        };
        assertThrows(IllegalStateException.class, () -> CsvExport.writeLabels(f, failing, new int[1000]));
        assertEquals("path,cluster\nold.jpg,3\n", Files.readString(f));
        assertEquals(List.of(f), listDir());
        // and a successful write replaces it
        CsvExport.writeLabels(f, List.of("new.jpg"), new int[]{1});
        assertEquals("path,cluster\nnew.jpg,1\n", Files.readString(f));
        assertEquals(List.of(f), listDir());
    }

    @Test
    void badArgumentsFailBeforeTouchingTheFile() throws IOException {
        Path f = dir.resolve("labels.csv");
        Files.writeString(f, "keep");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvExport.writeLabels(f, List.of("a", "b"), new int[]{1}));
        assertEquals(f + ": 1 labels for 2 paths", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CsvExport.writeEmbeddings(f, List.of("a", "b"), new float[][]{{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class,
                () -> CsvExport.writeLabels(f, List.of("bad\uD800"), new int[]{1}));
        assertThrows(IllegalArgumentException.class,
                () -> CsvExport.writeLabels(f, List.of("a"), new int[]{1}, null, new float[1], null, CsvExport.LineEnding.LF));
        assertEquals("keep", Files.readString(f));
        IOException io = assertThrows(IOException.class,
                () -> CsvExport.writeLabels(dir.resolve("missing/labels.csv"), List.of("a"), new int[]{1}));
        assertTrue(io.getMessage().contains("does not exist"), io.getMessage());
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
