"""Run galaxy-importer on the built artifact as Galaxy would, and fail on any error or warning.

Usage: check_importer.py IMPORTER_VENV. Reads build/artifact/quiesce-lifecycle-*.tar.gz (tools/check_artifact.py
builds it) with tools/galaxy-importer.cfg; the importer's ansible-doc and ansible-lint come from its own venv.
Its full result is written to build/importer/importer_result.json.
"""
import glob
import os
import subprocess
import sys


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    venv = os.path.abspath(sys.argv[1])
    artifacts = glob.glob(os.path.join(root, 'build', 'artifact', 'quiesce-lifecycle-*.tar.gz'))
    if len(artifacts) != 1:
        sys.exit('expected one artifact in build/artifact (run tools/check_artifact.py): found {0}'.format(artifacts))
    work = os.path.join(root, 'build', 'importer')
    os.makedirs(work, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith('ANSIBLE_')}
    env.update(GALAXY_IMPORTER_CONFIG=os.path.join(root, 'tools', 'galaxy-importer.cfg'),
               PATH=os.path.join(venv, 'bin') + os.pathsep + env.get('PATH', ''))
    run = subprocess.run([os.path.join(venv, 'bin', 'python'), '-m', 'galaxy_importer.main', artifacts[0]],
                         cwd=work, env=env, capture_output=True, text=True)
    output = run.stdout + run.stderr
    print(output)
    problems = [line for line in output.splitlines() if line.startswith(('ERROR', 'WARNING', 'Traceback'))]
    if run.returncode or problems or 'Importer processing completed successfully' not in output:
        sys.exit('galaxy-importer did not pass cleanly (exit {0}):\n  {1}'.format(run.returncode, '\n  '.join(problems)))
    print('galaxy-importer: {0} imported with no error or warning'.format(os.path.basename(artifacts[0])))


if __name__ == '__main__':
    main()
