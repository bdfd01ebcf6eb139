#!/usr/bin/env python3
"""Clang's thread-safety analysis over the code that uses it (STYLE.md §7: "guarded by mu_" is
stated as GUARDED_BY(mu_) in code and checked by the compiler).

The project builds with GCC, where the annotations (common/thread_annotations.h) expand to
nothing, so this check runs clang on the side: for every git-tracked .cc file outside tests
(*_test.cc) that uses them (it, or a header of this repository it includes directly, such as
its own, contains GUARDED_BY, PT_GUARDED_BY, REQUIRES or EXCLUDES or includes common/mutex.h),
it runs

    clang++ -fsyntax-only -Wthread-safety -Werror=thread-safety <flags> FILE

with the include paths, defines and -std of the file's entry in BUILD_DIR/compile_commands.json
(default build/release; the build must have run, since the files include generated protobuf
headers). In a unity build, a file's entry is that of the unity file that includes it. Other flags are dropped: they are GCC's (clang rejects some, e.g. -Wno-restrict) and
the project's own warnings are GCC's business. One line per file; exit 1 when clang reports
anything (a warning or an error) for any file, or a file has no compile command.

Every run starts with a self-test, which is also available alone (--self-test): clang must
report the two deliberate violations in common/testing/thread_safety_violation.cc.in. A check
that cannot fail (the macros expanding to nothing, the flag missing) fails there instead of
passing silently.

Usage: ci/thread_safety.py [BUILD_DIR] [--self-test] [--jobs N]
Environment: CLANGXX (default clang++).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLANGXX = os.environ.get('CLANGXX', 'clang++')
ANALYSIS_FLAGS = ['-fsyntax-only', '-Wthread-safety', '-Werror=thread-safety']
SELF_TEST_FILE = 'common/testing/thread_safety_violation.cc.in'
# What clang must say about SELF_TEST_FILE.
SELF_TEST_EXPECTED = [
    "writing variable 'count_' requires holding mutex 'mu_'",
    "calling function 'ResetLocked' requires holding mutex 'mu_'",
]
MARKER = re.compile(r'\b(?:PT_)?GUARDED_BY\s*\(|\bREQUIRES\s*\(|\bEXCLUDES\s*\(|'
                    r'#\s*include\s*"common/mutex\.h"')
UNITY_FILE = re.compile(r'^unity_\d+_cxx\.cxx$')
UNITY_INCLUDE = re.compile(r'^\s*#\s*include\s*"(/[^"]+)"', re.MULTILINE)
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
# Flags kept from a compile command; those taking a value may carry it joined or as the next
# argument.
KEPT_WITH_VALUE = ('-I', '-isystem', '-iquote', '-idirafter', '-include', '-D', '-U')
KEPT_ALONE = ('-pthread',)


def read(path):
    with open(os.path.join(ROOT, path), encoding='utf-8', errors='replace') as f:
        return f.read()


def uses_annotations(path):
    """True when `path` or a repository header it includes directly uses the annotations."""
    text = read(path)
    if MARKER.search(text):
        return True
    for header in LOCAL_INCLUDE.findall(text):
        if os.path.isfile(os.path.join(ROOT, header)) and MARKER.search(read(header)):
            return True
    return False


def candidates():
    files = subprocess.run(['git', 'ls-files', '--', '*.cc'], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    # A tracked file deleted in the work tree is not checked.
    return sorted(f for f in files if not f.endswith('_test.cc')
                  and os.path.isfile(os.path.join(ROOT, f)) and uses_annotations(f))


def kept_flags(arguments):
    """The include paths, defines and -std of a compile command (its compiler and file cut)."""
    kept = []
    i = 1
    while i < len(arguments):
        arg = arguments[i]
        if arg in KEPT_WITH_VALUE and i + 1 < len(arguments):
            kept += [arg, arguments[i + 1]]
            i += 1
        elif arg.startswith(KEPT_WITH_VALUE) or arg.startswith('-std=') or arg in KEPT_ALONE:
            kept.append(arg)
        i += 1
    return kept


def load_commands(build_dir):
    path = os.path.join(build_dir, 'compile_commands.json')
    if not os.path.isfile(path):
        sys.exit(f'thread_safety: {path} not found: configure and build {build_dir} first')
    with open(path, encoding='utf-8') as f:
        entries = json.load(f)
    commands = {}
    for e in entries:
        arguments = e.get('arguments') or shlex.split(e['command'])
        source = os.path.normpath(os.path.join(e['directory'], e['file']))
        commands[source] = (e['directory'], kept_flags(arguments))
        # A unity build (the presets') compiles unity_N_cxx.cxx files that #include the
        # sources: each included source takes that file's command.
        for included in unity_sources(source):
            commands.setdefault(included, commands[source])
    return commands


def unity_sources(path):
    """The sources a CMake unity file includes (none for any other file)."""
    if not UNITY_FILE.search(os.path.basename(path)) or not os.path.isfile(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [os.path.normpath(p) for p in UNITY_INCLUDE.findall(f.read())]


def run_clang(source, directory, flags):
    """Runs the analysis; returns (clean, clang's output)."""
    try:
        proc = subprocess.run([CLANGXX, *ANALYSIS_FLAGS, *flags, source], cwd=directory,
                              capture_output=True, text=True, check=False)
    except FileNotFoundError:
        sys.exit(f'thread_safety: {CLANGXX} not found (install clang or set CLANGXX)')
    output = proc.stdout + proc.stderr
    return proc.returncode == 0 and 'warning:' not in output, output


def self_test():
    """True when clang reports every expected violation of SELF_TEST_FILE."""
    _, output = run_clang(os.path.join(ROOT, SELF_TEST_FILE), ROOT,
                          ['-x', 'c++', '-std=c++20', '-I', ROOT])
    missing = [m for m in SELF_TEST_EXPECTED if m not in output]
    if missing:
        print(f'FAIL self-test: clang did not report {missing} in {SELF_TEST_FILE}:\n{output}')
        return False
    print(f'ok   self-test: clang reports the {len(SELF_TEST_EXPECTED)} violations of '
          f'{SELF_TEST_FILE}')
    return True


def check_file(path, commands):
    """Returns (clean, line to print)."""
    entry = commands.get(os.path.join(ROOT, path))
    if entry is None:
        return False, f'FAIL {path}: no entry in compile_commands.json'
    start = time.monotonic()
    clean, output = run_clang(os.path.join(ROOT, path), *entry)
    took = f'({time.monotonic() - start:.1f} s)'
    return clean, f'ok   {path} {took}' if clean else f'FAIL {path} {took}\n{output.rstrip()}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('build_dir', nargs='?', default='build/release')
    parser.add_argument('--self-test', action='store_true',
                        help='only check that clang reports the deliberate violations')
    parser.add_argument('--jobs', '-j', type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    start = time.monotonic()
    if not self_test():
        return 1
    if args.self_test:
        return 0
    commands = load_commands(os.path.abspath(os.path.join(ROOT, args.build_dir)))
    files = candidates()
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for clean, line in pool.map(lambda f: check_file(f, commands), files):
            print(line, flush=True)
            failures += not clean
    print(f'thread_safety: {len(files)} files, {failures} failing, '
          f'{time.monotonic() - start:.0f} s')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
