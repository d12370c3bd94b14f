package org.itaestudio.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads small CSV files (label and ground-truth files) into memory, RFC 4180 aware: quoted
 * fields may hold commas, doubled quotes and line breaks; records end with CRLF, LF or CR; a
 * UTF-8 BOM is skipped; completely empty lines are ignored. Input must be valid UTF-8. Errors are
 * one-line {@link IOException}s naming the file and line.
 */
public final class CsvReader {
    private CsvReader() {
    }

    /** A parsed CSV: the header and the data rows (each exactly as long as the header). */
    public record Table(String source, List<String> header, List<List<String>> rows) {

        /** Index of a header column; IllegalArgumentException naming the file and the columns if absent. */
        public int column(String name) {
            int i = header.indexOf(name);
            if (i < 0) throw new IllegalArgumentException(source + ": no column '" + name + "' (columns: " + String.join(", ", header) + ")");
            return i;
        }

        /** All values of one column, in row order. */
        public List<String> values(String name) {
            int c = column(name);
            List<String> out = new ArrayList<>(rows.size());
            for (List<String> r : rows) out.add(r.get(c));
            return out;
        }

        /** key column -> value column, in row order; a repeated key is an error naming both rows. */
        public Map<String, String> toMap(String keyColumn, String valueColumn) {
            int k = column(keyColumn), v = column(valueColumn);
            Map<String, String> out = new LinkedHashMap<>();
            Map<String, Integer> firstRow = new LinkedHashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                String key = rows.get(i).get(k);
                Integer previous = firstRow.putIfAbsent(key, i + 1);
                if (previous != null) {
                    throw new IllegalArgumentException(source + ": " + keyColumn + " '" + key + "' appears in data rows "
                            + previous + " and " + (i + 1));
                }
                out.put(key, rows.get(i).get(v));
            }
            return out;
        }
    }

    public static Table read(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
            return parse(r, file.toString());
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8");
        }
    }

    /** Parses CSV text; {@code source} names it in error messages. */
    public static Table parse(String text, String source) throws IOException {
        return parse(new StringReader(text), source);
    }

    /**
     * The RFC 4180 state machine, one character at a time. Long on purpose: the states (field start, unquoted,
     * quoted, quote seen) and their transitions read best in one loop, and it is the hot path of reading large
     * label and embedding files.
     */
    private static Table parse(Reader in, String source) throws IOException {
        List<List<String>> records = new ArrayList<>();
        List<Integer> recordLines = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        boolean quoted = false;      // inside a quoted field
        boolean afterQuote = false;  // a quoted field just closed: only , or a line end may follow
        boolean fieldStarted = false;
        boolean first = true;
        int ch;
        int pending = -1;
        while (true) {
            if (pending >= 0) {
                ch = pending;
                pending = -1;
            } else {
                ch = in.read();
            }
            if (first) {
                first = false;
                if (ch == '\uFEFF') continue;
            }
            if (quoted) {
                if (ch < 0) throw new IOException(source + ": line " + recordLine + ": quoted field is not closed before the end of the file");
                if (ch == '"') {
                    int next = in.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        afterQuote = true;
                        pending = next;
                    }
                } else {
                    if (ch == '\n' || (ch == '\r')) line++;
                    if (ch == '\r') { // CRLF inside a field counts as one line break
                        int next = in.read();
                        field.append('\r');
                        if (next == '\n') field.append('\n');
                        else pending = next;
                        continue;
                    }
                    field.append((char) ch);
                }
                continue;
            }
            if (ch == ',' ) {
                record.add(field.toString());
                field.setLength(0);
                afterQuote = false;
                fieldStarted = true;
                continue;
            }
            if (ch == '\r' || ch == '\n' || ch < 0) {
                if (ch == '\r') {
                    int next = in.read();
                    if (next != '\n') pending = next;
                }
                boolean emptyLine = !fieldStarted && record.isEmpty() && field.length() == 0 && !afterQuote;
                if (!emptyLine) {
                    record.add(field.toString());
                    records.add(record);
                    recordLines.add(recordLine);
                    record = new ArrayList<>();
                    field.setLength(0);
                }
                afterQuote = false;
                fieldStarted = false;
                if (ch < 0) break;
                line++;
                recordLine = line;
                continue;
            }
            if (afterQuote) {
                throw new IOException(source + ": line " + line + ": unexpected character '" + (char) ch + "' after a closing quote");
            }
            if (ch == '"' && field.length() == 0) {
                quoted = true;
                fieldStarted = true;
                continue;
            }
            field.append((char) ch); // a quote inside an unquoted field is kept literally, as Python's csv does
            fieldStarted = true;
        }
        if (records.isEmpty()) throw new IOException(source + ": empty file (no header)");
        List<String> header = records.get(0);
        List<List<String>> rows = new ArrayList<>(records.size() - 1);
        for (int r = 1; r < records.size(); r++) {
            List<String> row = records.get(r);
            if (row.size() != header.size()) {
                throw new IOException(source + ": line " + recordLines.get(r) + " has " + row.size() + " fields, the header has " + header.size());
            }
            rows.add(List.copyOf(row));
        }
        return new Table(source, List.copyOf(header), List.copyOf(rows));
    }
}
