package org.itaestudio.store;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes cluster labels and embeddings as CSV.
 *
 * <p>Format: RFC 4180 fields (a field is quoted when it contains a comma, a double quote, CR or
 * LF; quotes inside are doubled), UTF-8 without BOM, header row first. Lines end with LF by
 * default: Python's csv module, pandas, R and spreadsheets read LF and CRLF alike, while
 * line-oriented Unix tools (cut, awk, join) would keep a stray CR in the last column with CRLF.
 * CRLF, the RFC's own choice, is available via {@link LineEnding#CRLF}. Numbers are written with
 * {@link Float#toString(float)}, which round-trips every float exactly (e.g. {@code 0.1},
 * {@code 1.0E-5}, {@code NaN}; Python's {@code float()} parses all of them).
 *
 * <p>Files are written to a temporary file in the target's directory, flushed to disk, then
 * renamed over the target (atomic move, or a plain replacing move where the file system cannot
 * do atomic moves): readers see the old file or the new one, never a half-written one, and a
 * failure mid-way leaves the old file untouched and no temporary file behind.
 */
public final class CsvExport {
    private CsvExport() {
    }

    public enum LineEnding {
        LF("\n"), CRLF("\r\n");

        final String chars;

        LineEnding(String chars) {
            this.chars = chars;
        }
    }

    /** Receives the rows of a CSV being written. */
    public interface RowSink {
        void row(String... fields) throws IOException;
    }

    /** Produces the rows of a CSV (header first). */
    @FunctionalInterface
    public interface CsvBody {
        void writeTo(RowSink sink) throws IOException;
    }

    /** {@code path,cluster}: one row per item, in the given order. */
    public static void writeLabels(Path file, List<String> paths, int[] labels) throws IOException {
        writeLabels(file, paths, labels, null, null, null, LineEnding.LF);
    }

    /**
     * {@code path,cluster} plus, when given (non-null), {@code distance} (to the cluster centroid)
     * and {@code x,y} (map coordinates), in that column order.
     */
    public static void writeLabels(Path file, List<String> paths, int[] labels, double[] distances,
                                   float[] mapX, float[] mapY, LineEnding lineEnding) throws IOException {
        int n = checkPaths(file, paths);
        checkLength(file, "labels", labels == null ? -1 : labels.length, n);
        if (distances != null) checkLength(file, "distances", distances.length, n);
        if ((mapX == null) != (mapY == null)) throw new IllegalArgumentException(file + ": map x and y must be given together");
        if (mapX != null) {
            checkLength(file, "map x", mapX.length, n);
            checkLength(file, "map y", mapY.length, n);
        }
        write(file, lineEnding, sink -> {
            int columns = 2 + (distances != null ? 1 : 0) + (mapX != null ? 2 : 0);
            String[] row = new String[columns];
            int c = 0;
            row[c++] = "path";
            row[c++] = "cluster";
            if (distances != null) row[c++] = "distance";
            if (mapX != null) {
                row[c++] = "x";
                row[c] = "y";
            }
            sink.row(row);
            for (int i = 0; i < n; i++) {
                c = 0;
                row[c++] = paths.get(i);
                row[c++] = Integer.toString(labels[i]);
                if (distances != null) row[c++] = Float.toString((float) distances[i]);
                if (mapX != null) {
                    row[c++] = Float.toString(mapX[i]);
                    row[c] = Float.toString(mapY[i]);
                }
                sink.row(row);
            }
        });
    }

    /**
     * {@code path,cluster,cluster_name}: the desktop app's labels export. The first two columns are those of
     * {@link #writeLabels(Path, List, int[])}; the third is {@code names[label]} (empty for a label without a name).
     */
    public static void writeNamedLabels(Path file, List<String> paths, int[] labels, String[] names) throws IOException {
        writeNamedLabels(file, paths, labels, names, "");
    }

    /**
     * As {@link #writeNamedLabels(Path, List, int[], String[])}, with {@code noiseName} as the name of label -1 (images
     * a density clustering left in no cluster: the app's "Unclustered" group, or what the user renamed it to).
     */
    public static void writeNamedLabels(Path file, List<String> paths, int[] labels, String[] names, String noiseName)
            throws IOException {
        int n = checkPaths(file, paths);
        checkLength(file, "labels", labels == null ? -1 : labels.length, n);
        if (names == null) throw new IllegalArgumentException(file + ": cluster names are required");
        write(file, LineEnding.LF, sink -> {
            sink.row("path", "cluster", "cluster_name");
            for (int i = 0; i < n; i++) {
                int c = labels[i];
                sink.row(paths.get(i), Integer.toString(c), c >= 0 && c < names.length ? names[c] : c == -1 ? noiseName : "");
            }
        });
    }

    /** {@code path,e0,e1,...}: one row per item, in the given order. */
    public static void writeEmbeddings(Path file, List<String> paths, float[][] embeddings) throws IOException {
        writeEmbeddings(file, paths, embeddings, LineEnding.LF);
    }

    public static void writeEmbeddings(Path file, List<String> paths, float[][] embeddings, LineEnding lineEnding)
            throws IOException {
        int n = checkPaths(file, paths);
        checkLength(file, "embeddings", embeddings == null ? -1 : embeddings.length, n);
        int d = n == 0 ? 0 : embeddings[0].length;
        for (int i = 0; i < n; i++) {
            if (embeddings[i] == null || embeddings[i].length != d) {
                throw new IllegalArgumentException(file + ": embedding " + i + " has length "
                        + (embeddings[i] == null ? "null" : embeddings[i].length) + ", expected " + d);
            }
        }
        write(file, lineEnding, sink -> {
            String[] row = new String[d + 1];
            row[0] = "path";
            for (int j = 0; j < d; j++) row[j + 1] = "e" + j;
            sink.row(row);
            for (int i = 0; i < n; i++) {
                row[0] = paths.get(i);
                float[] e = embeddings[i];
                for (int j = 0; j < d; j++) row[j + 1] = Float.toString(e[j]);
                sink.row(row);
            }
        });
    }

    /**
     * Writes any CSV atomically: {@code body} emits the header and rows; if it throws, the
     * target is left as it was and the exception propagates.
     */
    public static void write(Path file, LineEnding lineEnding, CsvBody body) throws IOException {
        if (file == null || lineEnding == null || body == null) throw new IllegalArgumentException("csv: file, line ending and body are required");
        AtomicFiles.write(file, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8.newEncoder()), 1 << 16);
            String eol = lineEnding.chars;
            body.writeTo(fields -> {
                for (int col = 0; col < fields.length; col++) {
                    if (col > 0) w.write(',');
                    writeField(w, fields[col]);
                }
                w.write(eol);
            });
            w.flush();
        });
    }


    /** RFC 4180: quote fields holding a comma, quote, CR or LF; double embedded quotes. */
    static void writeField(Writer w, String field) throws IOException {
        if (field == null) throw new IllegalArgumentException("csv: null field");
        boolean quote = false;
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\r' || ch == '\n') {
                quote = true;
                break;
            }
        }
        if (!quote) {
            w.write(field);
            return;
        }
        w.write('"');
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch == '"') w.write('"');
            w.write(ch);
        }
        w.write('"');
    }

    private static int checkPaths(Path file, List<String> paths) {
        if (paths == null) throw new IllegalArgumentException(file + ": paths are required");
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (p == null) throw new IllegalArgumentException(file + ": path of row " + i + " is null");
            for (int c = 0; c < p.length(); c++) {
                char ch = p.charAt(c);
                boolean badHigh = Character.isHighSurrogate(ch) && (c + 1 >= p.length() || !Character.isLowSurrogate(p.charAt(c + 1)));
                boolean badLow = Character.isLowSurrogate(ch) && (c == 0 || !Character.isHighSurrogate(p.charAt(c - 1)));
                if (badHigh || badLow) throw new IllegalArgumentException(file + ": path of row " + i + " is not valid Unicode");
            }
        }
        return paths.size();
    }

    private static void checkLength(Path file, String what, int length, int n) {
        if (length != n) {
            throw new IllegalArgumentException(file + ": " + (length < 0 ? "no " + what : length + " " + what) + " for " + n + " paths");
        }
    }
}
