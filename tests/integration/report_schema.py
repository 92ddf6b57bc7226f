"""Every window report a test suite produced validates against the shipped schema (docs/schemas/window-report-1.json).

Usage from a suite's conftest: ``check_reports_under(root)`` -> (reports checked, problems). As a script:
``report_schema.py PATH...`` (files, or folders searched for report.json) exits 1 naming each problem.
"""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs', 'schemas', 'window-report-1.json')


def validator():
    with open(SCHEMA) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def report_files(root):
    for folder, _dirs, files in os.walk(str(root)):
        if 'report.json' in files:
            yield os.path.join(folder, 'report.json')


def problems_of(path, checker):
    try:
        with open(path) as handle:
            report = json.load(handle)
    except ValueError as error:
        return ['{0}: not JSON: {1}'.format(path, error)]
    return ['{0}: {1} at {2}'.format(path, error.message, '/'.join(str(p) for p in error.absolute_path) or '(top)')
            for error in sorted(checker.iter_errors(report), key=lambda e: list(e.absolute_path))[:5]]


def check_reports_under(*roots):
    checker = validator()
    paths = [p for root in roots for p in (report_files(root) if os.path.isdir(str(root)) else [str(root)])]
    return len(paths), [problem for path in paths for problem in problems_of(path, checker)]


def main(argv):
    count, problems = check_reports_under(*argv)
    for problem in problems:
        print(problem)
    print('{0} report(s) checked against {1}: {2}'.format(count, os.path.normpath(SCHEMA),
                                                          'ok' if not problems else '{0} problem(s)'.format(len(problems))))
    return 1 if problems or not count else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
