package org.itaestudio.store;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Exports for other tools: embeddings as a NumPy {@code .npy} file (with the paths in a CSV next to it), the current
 * view as one CSV, the "more like this" and near-duplicate tables. Every file is written atomically
 * ({@link AtomicFiles}, {@link CsvExport#write}); numbers are written as in {@link CsvExport} (Float.toString).
 */
public final class ExploreExport {
    private ExploreExport() {
    }

    /** One row of the duplicates table. */
    public record DuplicateRow(int group, String path, double similarityToFirst, boolean keep) {
    }

    /** One row of the "more like this" table. */
    public record SimilarRow(String path, double similarity) {
    }

    /**
     * Writes {@code embeddings} (n x d) as a NumPy format 1.0 {@code .npy}: magic {@code \x93NUMPY}, version 1.0, a
     * little-endian uint16 header length, the header dict {@code {'descr': '<f4', 'fortran_order': False,
     * 'shape': (n, d), }} padded with spaces and ended by a newline so the data start at a multiple of 64 bytes
     * (what NumPy itself writes), then the values as little-endian float32, row-major. {@code numpy.load} reads it
     * as a float32 array of shape (n, d).
     */
    public static void writeNpy(Path file, float[][] embeddings) throws IOException {
        if (embeddings == null) throw new IllegalArgumentException(file + ": no embeddings");
        int n = embeddings.length;
        int d = n == 0 ? 0 : embeddings[0].length;
        for (int i = 0; i < n; i++) {
            if (embeddings[i] == null || embeddings[i].length != d) {
                throw new IllegalArgumentException(file + ": embedding " + i + " has length "
                        + (embeddings[i] == null ? "null" : embeddings[i].length) + ", expected " + d);
            }
        }
        byte[] header = npyHeader(n, d);
        AtomicFiles.write(file, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.write(header);
            ByteBuffer row = ByteBuffer.allocate(d * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] e : embeddings) {
                row.clear();
                row.asFloatBuffer().put(e);
                data.write(row.array(), 0, d * 4);
            }
            data.flush();
        });
    }

    /** The magic, version, length and padded header dict of a 2-D float32 C-order array. */
    static byte[] npyHeader(int n, int d) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int prefix = 6 + 2 + 2; // magic, version, header length
        int total = prefix + dict.length() + 1; // + '\n'
        int padded = (total + 63) / 64 * 64;
        StringBuilder h = new StringBuilder(dict);
        while (prefix + h.length() + 1 < padded) h.append(' ');
        h.append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    /**
     * The embeddings as {@code file} ({@code .npy}) plus {@code paths.csv} (header {@code path}, row i = array row
     * i) in the same folder. The paths file is written first: a reader that finds the array finds its paths.
     *
     * @return the paths file written
     */
    public static Path writeNpyWithPaths(Path file, List<String> paths, float[][] embeddings) throws IOException {
        if (paths == null || embeddings == null || paths.size() != embeddings.length) {
            throw new IllegalArgumentException(file + ": " + (paths == null ? "no" : paths.size()) + " paths for "
                    + (embeddings == null ? "no" : embeddings.length) + " embeddings");
        }
        Path abs = file.toAbsolutePath();
        Path pathsFile = abs.resolveSibling("paths.csv");
        if (pathsFile.equals(abs)) throw new IllegalArgumentException(file + ": the array cannot be named paths.csv");
        CsvExport.write(pathsFile, CsvExport.LineEnding.LF, sink -> {
            sink.row("path");
            for (String p : paths) sink.row(p);
        });
        writeNpy(file, embeddings);
        return pathsFile;
    }

    /**
     * {@code path,cluster,x,y,outlier_score}: the current view, one row per image in the given order. x and y may
     * be null (no map yet): the columns are then empty.
     */
    public static void writeView(Path file, List<String> paths, int[] labels, float[] x, float[] y, double[] outlier)
            throws IOException {
        int n = paths == null ? -1 : paths.size();
        if (n < 0 || labels == null || labels.length != n || outlier == null || outlier.length != n
                || (x == null) != (y == null) || x != null && (x.length != n || y.length != n)) {
            throw new IllegalArgumentException(file + ": view columns do not all have one value per path");
        }
        CsvExport.write(file, CsvExport.LineEnding.LF, sink -> {
            sink.row("path", "cluster", "x", "y", "outlier_score");
            for (int i = 0; i < n; i++) {
                sink.row(paths.get(i), Integer.toString(labels[i]), x == null ? "" : Float.toString(x[i]),
                        y == null ? "" : Float.toString(y[i]), Float.toString((float) outlier[i]));
            }
        });
    }

    /**
     * The columns of {@link CsvExport#writeLabels(Path, List, int[], double[], float[], float[], CsvExport.LineEnding)}
     * (path, cluster, distance and x,y when given) followed by {@code outlier_score}.
     */
    public static void writeLabels(Path file, List<String> paths, int[] labels, double[] distances, float[] mapX,
                                   float[] mapY, double[] outlier) throws IOException {
        int n = paths == null ? -1 : paths.size();
        if (n < 0 || labels == null || labels.length != n || outlier == null || outlier.length != n
                || distances != null && distances.length != n || (mapX == null) != (mapY == null)
                || mapX != null && (mapX.length != n || mapY.length != n)) {
            throw new IllegalArgumentException(file + ": label columns do not all have one value per path");
        }
        CsvExport.write(file, CsvExport.LineEnding.LF, sink -> {
            List<String> header = new java.util.ArrayList<>(List.of("path", "cluster"));
            if (distances != null) header.add("distance");
            if (mapX != null) header.addAll(List.of("x", "y"));
            header.add("outlier_score");
            sink.row(header.toArray(new String[0]));
            String[] row = new String[header.size()];
            for (int i = 0; i < n; i++) {
                int c = 0;
                row[c++] = paths.get(i);
                row[c++] = Integer.toString(labels[i]);
                if (distances != null) row[c++] = Float.toString((float) distances[i]);
                if (mapX != null) {
                    row[c++] = Float.toString(mapX[i]);
                    row[c++] = Float.toString(mapY[i]);
                }
                row[c] = Float.toString((float) outlier[i]);
                sink.row(row);
            }
        });
    }

    /** {@code group,path,similarity_to_first,mark} with mark {@code keep} or {@code drop}. */
    public static void writeDuplicates(Path file, List<DuplicateRow> rows) throws IOException {
        CsvExport.write(file, CsvExport.LineEnding.LF, sink -> writeDuplicates(sink, rows));
    }

    /** {@code path,similarity}, in the given order (most similar first). */
    public static void writeSimilar(Path file, List<SimilarRow> rows) throws IOException {
        CsvExport.write(file, CsvExport.LineEnding.LF, sink -> writeSimilar(sink, rows));
    }

    /** The same table into any sink (the CLI prints it to standard output). */
    public static void writeSimilar(CsvExport.RowSink sink, List<SimilarRow> rows) throws IOException {
        sink.row("path", "similarity");
        for (SimilarRow r : rows) sink.row(r.path(), Float.toString((float) r.similarity()));
    }

    /** The duplicates table into any sink. */
    public static void writeDuplicates(CsvExport.RowSink sink, List<DuplicateRow> rows) throws IOException {
        sink.row("group", "path", "similarity_to_first", "mark");
        for (DuplicateRow r : rows) {
            sink.row(Integer.toString(r.group()), r.path(), Float.toString((float) r.similarityToFirst()),
                    r.keep() ? "keep" : "drop");
        }
    }

    /** A CSV as text (RFC 4180 quoting as in the files, LF line ends), for printing to standard output. */
    public static String toText(CsvExport.CsvBody body) throws IOException {
        java.io.StringWriter w = new java.io.StringWriter();
        body.writeTo(fields -> {
            for (int col = 0; col < fields.length; col++) {
                if (col > 0) w.write(',');
                CsvExport.writeField(w, fields[col]);
            }
            w.write('\n');
        });
        return w.toString();
    }
}
