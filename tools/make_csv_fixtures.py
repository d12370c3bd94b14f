#!/usr/bin/python3
"""CSV files written by Python's csv module (the reader the CLI contract tests use), for CsvExport/CsvReader tests.

Run with Debian's interpreter:  /usr/bin/python3 tools/make_csv_fixtures.py
Writes src/test/resources/csv/: nasty_rows.json (the rows), nasty_lf.csv (lineterminator '\\n') and
nasty_crlf.csv (the csv module's default '\\r\\n'), both QUOTE_MINIMAL, UTF-8 without BOM.

Python 3.11's writer does not quote a field holding a lone CR when the line terminator is '\\n', so it cannot
read such a file back; CsvExport quotes it (RFC 4180). nasty_rows.json therefore also lists "python_reads":
CSV texts in CsvExport's quoting for such rows, with the rows Python's csv.reader returns for them.
"""
import csv
import io
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "csv")

ROWS = [
    ["path", "cluster"],
    ["plain/file.jpg", "0"],
    ["with,comma.png", "1"],
    ['say "cheese".jpg', "2"],
    ['"quoted at both ends"', "3"],
    ["line\nbreak.jpg", "4"],
    ["crlf\r\ninside.jpg", "6"],
    ["  spaces around  .jpg", "7"],
    ["caf\u00e9/\u65e5\u672c\u8a9e/\U0001F600.webp", "8"],
    ["", "9"],
    ["=SUM(A1:A2)", "10"],
    ["trailing,", "11"],
    ["a,\"b\",\r\nc", "12"],
]


# CSV text as CsvExport writes it (LF) -> rows that Python's reader must return
PYTHON_READS = [
    ('path,cluster\n"carriage\rreturn.jpg",5\n"x\ry\r",6\n', [["path", "cluster"], ["carriage\rreturn.jpg", "5"], ["x\ry\r", "6"]]),
    ('path,x,y\n"a,b",1.0E-5,-0.0\n', [["path", "x", "y"], ["a,b", "1.0E-5", "-0.0"]]),
]


def write(lineterminator):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    w.writerows(ROWS)
    data = buf.getvalue()
    # check that Python reads back exactly these rows
    assert list(csv.reader(io.StringIO(data, newline=""))) == ROWS
    return data.encode("utf-8")


def main():
    os.makedirs(OUT, exist_ok=True)
    reads = []
    for text, rows in PYTHON_READS:
        got = list(csv.reader(io.StringIO(text, newline="")))
        assert got == rows, (text, got)
        assert [float(v) for v in got[-1][1:]] == [1e-5, -0.0] or rows[0][1] == "cluster"
        reads.append({"text": text, "rows": got})
    with open(os.path.join(OUT, "nasty_rows.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "tools/make_csv_fixtures.py", "rows": ROWS, "python_reads": reads}, f, ensure_ascii=True)
        f.write("\n")
    for name, term in [("nasty_lf.csv", "\n"), ("nasty_crlf.csv", "\r\n")]:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(write(term))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
