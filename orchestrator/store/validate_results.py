#!/usr/bin/env python3
"""Validates results.json files against results.schema.json (JSON Schema 2020-12).

Usage: validate_results.py SCHEMA FILE_OR_DIR...   (a directory: every *.json file in it)
Exit 0 when every file is valid, 1 when one is not (each error printed with its path), 77 when
python3-jsonschema is missing (ctest counts that as skipped; under CI=true it is a failure).
"""
import json
import os
import pathlib
import sys


def main(argv):
    try:
        import jsonschema
    except ImportError:
        print('validate_results: needs python3-jsonschema (ci/setup.sh --tests installs it)',
              file=sys.stderr)
        return 1 if os.environ.get('CI') == 'true' else 77
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 254
    schema = json.loads(pathlib.Path(argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = []
    for arg in argv[2:]:
        path = pathlib.Path(arg)
        if not path.exists():
            print(f'validate_results: {path}: no such file or directory', file=sys.stderr)
            return 1
        files += sorted(path.glob('*.json')) if path.is_dir() else [path]
    if not files:
        print('validate_results: no files to validate', file=sys.stderr)
        return 1
    bad = 0
    for path in files:
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        for error in errors:
            where = '/'.join(str(p) for p in error.absolute_path) or '(root)'
            print(f'{path}: {where}: {error.message}')
        bad += bool(errors)
    print(f'validate_results: {len(files) - bad} of {len(files)} files follow the schema')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
