#!/usr/bin/env python3
"""Validates an example GitHub Actions workflow of ci/github/ before a user copies it.

Two layers:
  1. ci/github/workflow.schema.json (JSON Schema 2020-12, closed objects), so a misspelt key or
     a step with both `run` and `uses` fails;
  2. what a schema cannot say: every `needs` names a job of the workflow; every `${{ matrix.X }}`,
     `${{ env.X }}` and `${{ needs.J... }}` a job uses is defined for it; every repository script
     a step runs (ci/...) exists; a `ci/nightly.sh --shard I/N` names flags nightly.sh takes, and
     when N is `${{ env.SHARDS }}` and I `${{ matrix.shard }}`, the matrix lists exactly the
     shards 1..SHARDS, so no shard is run twice or left out.

Every run starts with a self-test: broken variants of the first workflow (a misspelt key, an
unknown job in `needs`, a matrix that misses a shard, a script that does not exist, an undefined
env variable) must each be refused, so a validator that accepts everything fails.

Usage: ci/validate_workflow.py WORKFLOW.yml...   (exit 0 valid, 1 invalid, 2 cannot run)
Needs python3-yaml and python3-jsonschema (ci/setup.sh --tests installs them).
"""
import copy
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, 'ci', 'github', 'workflow.schema.json')
EXPRESSION = re.compile(r'\$\{\{\s*(.*?)\s*\}\}')
CONTEXT_REF = re.compile(r'\b(matrix|env|needs)\.([A-Za-z_][A-Za-z0-9_-]*)')
SCRIPT = re.compile(r'(?<![\w/.-])(ci/[\w./-]+\.(?:sh|py))')
NIGHTLY_FLAGS = re.compile(r'^\s+(--[a-z-]+)(?:\|[^)]*)?\)', re.MULTILINE)

try:
    import jsonschema
    import yaml
except ImportError as missing:
    print(f'validate_workflow: {missing.name} is missing (ci/setup.sh --tests installs '
          'python3-yaml and python3-jsonschema)', file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path, encoding='utf-8') as f:
        doc = yaml.safe_load(f)
    # YAML 1.1 reads the key `on` as the boolean true.
    if isinstance(doc, dict) and True in doc:
        doc['on'] = doc.pop(True)
    return doc


def nightly_flags():
    with open(os.path.join(ROOT, 'ci', 'nightly.sh'), encoding='utf-8') as f:
        return set(NIGHTLY_FLAGS.findall(f.read()))


def references(value):
    """(context, name) of every matrix./env./needs. reference in the ${{ }} of a value."""
    found = []
    if isinstance(value, dict):
        for v in value.values():
            found += references(v)
    elif isinstance(value, list):
        for v in value:
            found += references(v)
    elif isinstance(value, str):
        for expression in EXPRESSION.findall(value):
            found += CONTEXT_REF.findall(expression)
    return found


def check_nightly(job_id, job, env, run, errors):
    if 'ci/nightly.sh' not in run:
        return
    flags = nightly_flags()
    for flag in re.findall(r'(?<!\S)(--[a-z][a-z-]*)', run):
        if flag not in flags:
            errors.append(f'job {job_id}: ci/nightly.sh has no flag {flag}')
    # ${{ matrix.shard }}/${{ env.SHARDS }} -> ${{matrix.shard}}/${{env.SHARDS}}: one word.
    run = EXPRESSION.sub(lambda m: '${{' + m.group(1) + '}}', run)
    shard = re.search(r'--shard\s+(\S+)', run)
    if not shard:
        return
    parts = shard.group(1).split('/')
    if len(parts) != 2:
        errors.append(f'job {job_id}: --shard {shard.group(1)} is not I/N')
        return
    index, count = parts
    if not re.fullmatch(r'\$\{\{\s*matrix\.\w+\s*\}\}', index):
        return
    key = re.search(r'matrix\.(\w+)', index).group(1)
    listed = job.get('strategy', {}).get('matrix', {}).get(key, [])
    number = re.fullmatch(r'\$\{\{\s*env\.(\w+)\s*\}\}', count)
    total = env.get(number.group(1)) if number else count
    try:
        total = int(total)
    except (TypeError, ValueError):
        errors.append(f'job {job_id}: the shard count {count} is not a number')
        return
    if sorted(listed) != list(range(1, total + 1)):
        errors.append(f'job {job_id}: matrix.{key} is {listed}, but --shard I/{total} needs '
                      f'exactly the shards 1..{total}')


def check_job(job_id, job, doc, errors):
    jobs = doc.get('jobs', {})
    needs = job.get('needs', [])
    needs = [needs] if isinstance(needs, str) else needs
    for need in needs:
        if need not in jobs:
            errors.append(f'job {job_id}: needs {need}, which is not a job of this workflow')
    env = dict(doc.get('env', {}))
    env.update(job.get('env', {}))
    matrix = job.get('strategy', {}).get('matrix', {})
    for context, name in references(job):
        if context == 'matrix' and name not in matrix:
            errors.append(f'job {job_id}: uses matrix.{name}, which its matrix does not define')
        if context == 'env' and name not in env:
            errors.append(f'job {job_id}: uses env.{name}, which is not defined')
        if context == 'needs' and name not in needs:
            errors.append(f'job {job_id}: uses needs.{name}, which it does not need')
    for step in job.get('steps', []):
        run = step.get('run', '') if isinstance(step, dict) else ''
        for script in SCRIPT.findall(run):
            if not os.path.isfile(os.path.join(ROOT, script)):
                errors.append(f'job {job_id}: runs {script}, which does not exist')
        check_nightly(job_id, job, env, run, errors)


def problems(doc, schema):
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f'{"/".join(str(p) for p in e.absolute_path) or "(top)"}: {e.message}'
              for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
    if errors or not isinstance(doc, dict):
        return errors
    for job_id, job in doc['jobs'].items():
        check_job(job_id, job, doc, errors)
    return errors


def broken_variants(doc):
    """(what, workflow) pairs that must be refused."""
    variants = []
    jobs = list(doc['jobs'])

    def variant(what, change):
        broken = copy.deepcopy(doc)
        change(broken)
        variants.append((what, broken))

    variant('a misspelt job key', lambda d: d['jobs'][jobs[0]].update({'runs_on': 'x'}))
    variant('needs an unknown job', lambda d: d['jobs'][jobs[-1]].update({'needs': 'nowhere'}))
    variant('a step that runs a missing script',
            lambda d: d['jobs'][jobs[0]]['steps'].append({'run': 'ci/no-such-script.sh'}))
    variant('an undefined env variable',
            lambda d: d['jobs'][jobs[0]]['steps'].append({'run': 'echo ${{ env.NOT_SET }}'}))
    for job_id in jobs:
        matrix = doc['jobs'][job_id].get('strategy', {}).get('matrix', {})
        for key, values in matrix.items():
            if len(values) > 1:
                variant(f'matrix.{key} missing a shard',
                        lambda d, j=job_id, k=key: d['jobs'][j]['strategy']['matrix'][k].pop())
    return variants


def main(paths):
    if not paths:
        print(__doc__.split('\n\n', maxsplit=1)[0] + '\nusage: ci/validate_workflow.py WORKFLOW.yml...',
              file=sys.stderr)
        return 2
    with open(SCHEMA, encoding='utf-8') as f:
        schema = json.load(f)
    docs = []
    for path in paths:
        try:
            docs.append((path, load(path)))
        except (OSError, yaml.YAMLError) as e:
            print(f'FAIL {path}: cannot read it as YAML: {e}')
            return 1
    # Self-test first: each broken variant of the first workflow must be refused.
    for what, broken in broken_variants(docs[0][1]):
        if not problems(broken, schema):
            print(f'FAIL self-test: {what} was not refused')
            return 1
    print(f'ok   self-test: {len(broken_variants(docs[0][1]))} broken variants of '
          f'{docs[0][0]} refused')
    failed = 0
    for path, doc in docs:
        errors = problems(doc, schema)
        if errors:
            failed += 1
            print(f'FAIL {path}:\n  ' + '\n  '.join(errors))
        else:
            print(f'ok   {path}: {len(doc["jobs"])} jobs follow the schema and refer only to '
                  'what exists')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
