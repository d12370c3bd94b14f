#!/usr/bin/env python3
"""Lists methods and constructors longer than a limit (default 80 lines) in Java sources.

    tools/long_methods.py [--limit 80] [DIR...]      # default DIR: src/main/java

A method's length counts from its signature line to its closing brace. The parser is a brace counter that skips
strings, chars and comments: good enough for this code base (no annotation processors, no odd formatting)."""
import argparse, os, re, sys

SIG = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|protected|private|static|final|synchronized|abstract|native|default)\s+)*'
                 r'(?:<[^>]+>\s+)?(?:[\w.<>\[\], ?]+\s+)?(\w+)\s*\([^;{]*\)?\s*(?:throws [\w., ]+)?\s*\{?\s*$')
KEYWORDS = {'if', 'for', 'while', 'switch', 'catch', 'synchronized', 'return', 'new', 'else', 'try', 'do'}


def strip(line, state):
    out, i = [], 0
    while i < len(line):
        if state['block']:
            j = line.find('*/', i)
            if j < 0:
                return ''.join(out)
            state['block'] = False
            i = j + 2
            continue
        c = line[i]
        if line.startswith('//', i):
            break
        if line.startswith('/*', i):
            state['block'] = True
            i += 2
            continue
        if c in '"\'':
            if line.startswith('"""', i):
                j = line.find('"""', i + 3)
                i = len(line) if j < 0 else j + 3
                continue
            j = i + 1
            while j < len(line) and line[j] != c:
                j += 2 if line[j] == '\\' else 1
            i = j + 1
            out.append('""')
            continue
        out.append(c)
        i += 1
    return ''.join(out)


def methods(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    state = {'block': False}
    depth, stack, pending = 0, [], None
    for n, raw in enumerate(lines, 1):
        code = strip(raw, state)
        m = SIG.match(code)
        if (m and m.group(1) not in KEYWORDS and not code.strip().startswith(('return', 'new ', 'else'))
                and not re.search(r'\b(record|class|interface|enum)\b', code)):
            pending = (m.group(1), n)
        for ch in code:
            if ch == '{':
                depth += 1
                if pending:
                    stack.append((pending[0], pending[1], depth))
                    pending = None
            elif ch == '}':
                if stack and stack[-1][2] == depth:
                    name, start, _ = stack.pop()
                    yield name, start, n
                depth -= 1
        if code.strip().endswith(';'):
            pending = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--limit', type=int, default=80)
    ap.add_argument('dirs', nargs='*', default=['src/main/java'])
    a = ap.parse_args()
    found = []
    for d in a.dirs:
        for dp, _, fs in os.walk(d):
            for f in fs:
                if f.endswith('.java'):
                    p = os.path.join(dp, f)
                    for name, s, e in methods(p):
                        if e - s + 1 > a.limit:
                            found.append((e - s + 1, p, name, s))
    for length, p, name, s in sorted(found, reverse=True):
        print(f'{length:5d}  {p}:{s}  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
