#!/usr/bin/env python3
"""STYLE's size limits, checked in a second: no function body over 70 lines and no source
file over 400 lines, outside tests (files ending in _test.cc, testing/ helpers, bench/).

Function bodies are found by brace matching on the source with comments, strings and
character literals blanked out: a `{` opened at namespace or class level whose preceding
text ends in `)` (plus qualifiers such as const, noexcept, override, or a trailing return
type or constructor initialiser list) starts a function body. Lambdas inside a function
count toward that function. Exit 1 with one line per violation.
"""
import os
import re
import subprocess
import sys

MAX_FUNCTION_LINES = 70
MAX_FILE_LINES = 400


def blank(text):
    """Replaces comments, string and char literal contents with spaces (keeps newlines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = ')' + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + re.sub(r'[^\n]', ' ', text[i + 2:j]))
            i = j
        elif c in '"\'':
            # A digit separator (1'000) is not a char literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                out.append(' ')
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


FUNCTION_HEAD = re.compile(
    r'\)\s*(const|noexcept|override|final|mutable|&|&&|\s|->\s*[\w:<>,\s*&]+)*$|'
    r'\)\s*:\s*[\w:]+[({].*$', re.S)
NON_FUNCTION = re.compile(r'\b(if|for|while|switch|catch)\s*\(')


def functions(text):
    """Yields (name, first line, line count) of each function body in blanked text."""
    stack = []  # (kind, start offset)
    last_stmt_end = 0
    for i, c in enumerate(text):
        if c in ';}':
            if c == '}' and stack:
                kind, start, head = stack.pop()
                if kind == 'function':
                    first = text.count('\n', 0, start) + 1
                    last = text.count('\n', 0, i) + 1
                    yield head, first, last - first - 1
            last_stmt_end = i + 1
        elif c == '{':
            inside_function = any(k == 'function' for k, _, _ in stack)
            head = text[last_stmt_end:i]
            kind = 'block'
            if not inside_function and FUNCTION_HEAD.search(head.rstrip()) and \
                    not NON_FUNCTION.search(head.split('\n')[-1]):
                kind = 'function'
            name = ' '.join(head.split())[-80:]
            stack.append((kind, i, name))
            last_stmt_end = i + 1


def is_test(path):
    return (path.endswith('_test.cc') or '/testing/' in path or path.startswith('bench/')
            or path.endswith('_testing.h') or 'test_' in path.rsplit('/', 1)[-1])


def main():
    files = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard',
                            '*.cc', '*.h'], capture_output=True, text=True,
                           check=True).stdout.split()
    files = [f for f in files if os.path.exists(f)]
    problems = []
    for path in files:
        if is_test(path):
            continue
        with open(path, encoding='utf-8') as f:
            text = f.read()
        lines = text.count('\n')
        if lines > MAX_FILE_LINES:
            problems.append(f'{path}: {lines} lines (limit {MAX_FILE_LINES})')
        for name, first, count in functions(blank(text)):
            if count > MAX_FUNCTION_LINES:
                problems.append(f'{path}:{first}: function of {count} lines (limit '
                                f'{MAX_FUNCTION_LINES}): {name.strip()[-60:]}')
    for p in problems:
        print(p)
    if problems:
        print(f'limits: {len(problems)} over STYLE\'s limits', file=sys.stderr)
        return 1
    print(f'limits: {len(files)} files within STYLE\'s limits')
    return 0


if __name__ == '__main__':
    sys.exit(main())
