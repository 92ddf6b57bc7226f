"""Build the collection artifact and check it holds collection content only.

Fails when the tarball contains the simulator, the AWX kit, the molecule scenarios, the proof suites, benchmarks,
tooling, virtualenvs, caches or test output, or lacks the pieces every installation needs.
"""
import glob
import os
import subprocess
import sys
import tarfile

FORBIDDEN_PREFIXES = ('tests/simulator', 'tests/browser', 'tests/e2e', 'tests/output', 'tests/awx', 'benchmarks',
                      'tools/', 'requirements/', '.venv', 'build/', '.ci', '.git', 'Makefile', 'tests/integration/run',
                      'tests/integration/report_schema.py',
                      'awx/', 'extensions/molecule', 'tests/proofs')
FORBIDDEN_PARTS = ('__pycache__', '.pytest_cache')
REQUIRED = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt',
            'plugins/module_utils/_transport.py', 'README.md', 'LICENSE')


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, 'build', 'artifact')
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, '*.tar.gz')):
        os.remove(old)
    subprocess.run(['ansible-galaxy', 'collection', 'build', '--force', '--output-path', out, root], check=True)
    artifact, = glob.glob(os.path.join(out, 'quiesce-lifecycle-*.tar.gz'))
    with tarfile.open(artifact) as tar:
        names = [name[2:] if name.startswith('./') else name for name in tar.getnames()]
    bad = [n for n in names if n.startswith(FORBIDDEN_PREFIXES) or any(p in n.split('/') for p in FORBIDDEN_PARTS)]
    missing = [n for n in REQUIRED if n not in names]
    size = os.path.getsize(artifact)
    print('{0}: {1} entries, {2} bytes'.format(os.path.basename(artifact), len(names), size))
    if bad:
        print('artifact contains non-collection files:\n  ' + '\n  '.join(sorted(bad)[:50]))
    if missing:
        print('artifact lacks: ' + ', '.join(missing))
    if bad or missing:
        sys.exit(1)
    print('artifact ok: no simulator, benchmark, tooling, venv or cache files')


if __name__ == '__main__':
    main()
