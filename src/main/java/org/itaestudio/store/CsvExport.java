package org.itaestudio.store;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * CSV files the CLI and the app export: RFC 4180 quoting (fields with commas, quotes, CR or LF are quoted, quotes
 * doubled), UTF-8 without BOM, '\n' line ends (what Python's csv module and spreadsheets read), floats written with
 * {@link Float#toString} so they read back exactly. Files are written atomically ({@link AtomicFiles}).
 */
public final class CsvExport {
    private CsvExport() {
    }

    /**
     * {@code path,cluster[,distance][,map_x,map_y]}.
     *
     * @param distances distance to the cluster centre per row, or null to leave the column out
     * @param map       [row][2] map coordinates, or null to leave the columns out
     */
    public static void writeLabels(Path target, List<String> paths, int[] labels, double[] distances, double[][] map)
            throws IOException {
        check(paths.size(), labels.length, "labels");
        if (distances != null) {
            check(paths.size(), distances.length, "distances");
        }
        if (map != null) {
            check(paths.size(), map.length, "map points");
        }
        write(target, w -> {
            w.write("path,cluster");
            if (distances != null) {
                w.write(",distance");
            }
            if (map != null) {
                w.write(",map_x,map_y");
            }
            w.write('\n');
            for (int i = 0; i < paths.size(); i++) {
                w.write(quote(paths.get(i)));
                w.write(',');
                w.write(Integer.toString(labels[i]));
                if (distances != null) {
                    w.write(',');
                    w.write(Float.toString((float) distances[i]));
                }
                if (map != null) {
                    w.write(',');
                    w.write(Float.toString((float) map[i][0]));
                    w.write(',');
                    w.write(Float.toString((float) map[i][1]));
                }
                w.write('\n');
            }
        });
    }

    /** {@code path,e0,e1,...}. */
    public static void writeEmbeddings(Path target, List<String> paths, float[][] embeddings) throws IOException {
        check(paths.size(), embeddings.length, "embeddings");
        int dim = embeddings.length == 0 ? 0 : embeddings[0].length;
        write(target, w -> {
            w.write("path");
            for (int d = 0; d < dim; d++) {
                w.write(",e");
                w.write(Integer.toString(d));
            }
            w.write('\n');
            for (int i = 0; i < paths.size(); i++) {
                if (embeddings[i].length != dim) {
                    throw new IOException("embedding " + i + " has " + embeddings[i].length + " values, expected " + dim);
                }
                w.write(quote(paths.get(i)));
                for (float v : embeddings[i]) {
                    w.write(',');
                    w.write(Float.toString(v));
                }
                w.write('\n');
            }
        });
    }

    /** RFC 4180: quote when the field holds a comma, a quote, CR or LF; double the quotes. */
    public static String quote(String field) {
        boolean needs = false;
        for (int i = 0; i < field.length() && !needs; i++) {
            char c = field.charAt(i);
            needs = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return needs ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private static void write(Path target, Body body) throws IOException {
        AtomicFiles.write(target, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            body.write(w);
            w.flush();
        });
    }

    private static void check(int expected, int actual, String what) {
        if (expected != actual) {
            throw new IllegalArgumentException(actual + " " + what + " for " + expected + " paths");
        }
    }
}
