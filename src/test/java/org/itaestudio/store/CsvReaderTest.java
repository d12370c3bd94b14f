package org.itaestudio.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvReaderTest {
    @TempDir
    Path dir;

    @Test
    void quotedFieldsLineEndingsBomAndBlankLines() throws IOException {
        String text = "\uFEFFpath,label\r\n\"a,b\",cat\r\n\r\n\"multi\r\nline\",\"\"\"dog\"\"\"\nplain,\"\"\rlast,x";
        CsvReader.Table t = CsvReader.parse(text, "truth.csv");
        assertEquals(List.of("path", "label"), t.header());
        assertEquals(List.of(
                List.of("a,b", "cat"),
                List.of("multi\r\nline", "\"dog\""),
                List.of("plain", ""),
                List.of("last", "x")), t.rows());
        assertEquals(Map.of("a,b", "cat", "multi\r\nline", "\"dog\"", "plain", "", "last", "x"), t.toMap("path", "label"));
    }

    @Test
    void errorsNameTheFileAndLine() throws IOException {
        IOException e = assertThrows(IOException.class, () -> CsvReader.parse("path,label\na,1\n\"open,2\n", "t.csv"));
        assertEquals("t.csv: line 3: quoted field is not closed before the end of the file", e.getMessage());
        e = assertThrows(IOException.class, () -> CsvReader.parse("path,label\na,1\nb\n", "t.csv"));
        assertEquals("t.csv: line 3 has 1 fields, the header has 2", e.getMessage());
        e = assertThrows(IOException.class, () -> CsvReader.parse("path,label\n\"a\"x,1\n", "t.csv"));
        assertEquals("t.csv: line 2: unexpected character 'x' after a closing quote", e.getMessage());
        e = assertThrows(IOException.class, () -> CsvReader.parse("", "t.csv"));
        assertEquals("t.csv: empty file (no header)", e.getMessage());
        // line numbers count the line breaks inside quoted fields
        e = assertThrows(IOException.class, () -> CsvReader.parse("p,l\n\"x\ny\",1\nz\n", "t.csv"));
        assertEquals("t.csv: line 4 has 1 fields, the header has 2", e.getMessage());

        CsvReader.Table t = CsvReader.parse("path,label\na,1\nb,2\na,3\n", "t.csv");
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> t.toMap("path", "label"));
        assertEquals("t.csv: path 'a' appears in data rows 1 and 3", dup.getMessage());
        IllegalArgumentException col = assertThrows(IllegalArgumentException.class, () -> t.values("cluster"));
        assertEquals("t.csv: no column 'cluster' (columns: path, label)", col.getMessage());
    }

    @Test
    void invalidUtf8IsRejected() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.write(f, new byte[]{'p', ',', 'l', '\n', (byte) 0xC3, (byte) 0x28, ',', '1', '\n'});
        IOException e = assertThrows(IOException.class, () -> CsvReader.read(f));
        assertEquals(f + ": not valid UTF-8", e.getMessage());
    }
}
