package org.itaestudio.store;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads RFC 4180 CSV (quoted fields with commas, quotes and line breaks; CRLF or LF; optional UTF-8 BOM). */
public final class CsvReader {
    private CsvReader() {
    }

    /** Every record of the file as a list of fields. */
    public static List<List<String>> readAll(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file);
        }
    }

    static List<List<String>> parse(Reader r, Path file) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        int c = r.read();
        if (c == '\uFEFF') {
            c = r.read();
        }
        for (; c != -1; c = r.read()) {
            if (quoted) {
                if (c == '"') {
                    int next = r.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        c = next;
                        if (c == -1) {
                            break;
                        }
                        if (c != ',' && c != '\n' && c != '\r') {
                            throw new IOException(file + ": malformed CSV: text after a closing quote in record " + (rows.size() + 1));
                        }
                        // fall through to the separator handling below
                        if (handleSeparator(c, row, field, rows, r)) {
                            fieldStarted = false;
                        }
                        continue;
                    }
                } else {
                    field.append((char) c);
                }
                continue;
            }
            if (c == '"' && !fieldStarted && field.length() == 0) {
                quoted = true;
                fieldStarted = true;
                continue;
            }
            if (c == ',' || c == '\n' || c == '\r') {
                handleSeparator(c, row, field, rows, r);
                fieldStarted = false;
                continue;
            }
            field.append((char) c);
            fieldStarted = true;
        }
        if (quoted) {
            throw new IOException(file + ": malformed CSV: unterminated quoted field");
        }
        if (fieldStarted || field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    /** Ends a field (',') or a record (LF, CR, CRLF). Returns true. */
    private static boolean handleSeparator(int c, List<String> row, StringBuilder field, List<List<String>> rows, Reader r)
            throws IOException {
        row.add(field.toString());
        field.setLength(0);
        if (c == ',') {
            return true;
        }
        if (c == '\r') {
            r.mark(1);
            if (r.read() != '\n') {
                r.reset();
            }
        }
        if (!(row.size() == 1 && row.get(0).isEmpty())) { // skip blank lines
            rows.add(new ArrayList<>(row));
        }
        row.clear();
        return true;
    }

    /**
     * The first two columns as path -> value, in file order. A first row whose first field is "path" is a header.
     *
     * @param valueColumn expected name of the second header column (for a clear error), or null for any
     */
    public static Map<String, String> readTwoColumns(Path file, String valueColumn) throws IOException {
        List<List<String>> rows;
        try (Reader r = new java.io.BufferedReader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            rows = parse(r, file);
        }
        Map<String, String> out = new LinkedHashMap<>();
        int start = 0;
        if (!rows.isEmpty() && rows.get(0).get(0).trim().equalsIgnoreCase("path")) {
            if (valueColumn != null && (rows.get(0).size() < 2 || !rows.get(0).get(1).trim().equalsIgnoreCase(valueColumn))) {
                throw new IOException(file + ": expected a header 'path," + valueColumn + "', got '" + String.join(",", rows.get(0)) + "'");
            }
            start = 1;
        }
        for (int i = start; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            if (row.size() < 2) {
                throw new IOException(file + ": record " + (i + 1) + " has " + row.size() + " field(s), expected at least 2");
            }
            if (out.put(row.get(0), row.get(1).trim()) != null) {
                throw new IOException(file + ": path listed twice: " + row.get(0));
            }
        }
        return out;
    }
}
