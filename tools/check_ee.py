"""Prove the collection works for AWX/AAP execution environments without a container engine.

1. ``ansible-builder introspect`` over the installed collection must find the Python requirements that
   meta/execution-environment.yml declares.
2. ``ansible-builder create`` must produce a build context for an EE that installs this collection.
"""
import glob
import os
import shutil
import subprocess
import sys

import yaml


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    collections = os.path.join(root, 'build', 'collections')
    introspect = subprocess.run(['ansible-builder', 'introspect', '--sanitize', collections],
                                check=True, capture_output=True, text=True).stdout
    print(introspect)
    if 'quiesce.lifecycle' not in introspect or 'requests' not in introspect:
        sys.exit('ansible-builder introspect did not find quiesce.lifecycle requirements (requests)')

    work = os.path.join(root, 'build', 'ee')
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    artifacts = glob.glob(os.path.join(root, 'build', 'artifact', 'quiesce-lifecycle-*.tar.gz'))
    if not artifacts:
        sys.exit('no collection artifact: run tools/check_artifact.py first')
    shutil.copy(artifacts[0], work)
    with open(os.path.join(work, 'requirements.yml'), 'w') as handle:
        # additional_build_files lands the artifact in /build/collections inside the galaxy stage.
        yaml.safe_dump({'collections': [{'name': 'collections/' + os.path.basename(artifacts[0]), 'type': 'file'}]},
                       handle)
    definition = {
        'version': 3,
        'images': {'base_image': {'name': 'quay.io/ansible/awx-ee:latest'}},
        'dependencies': {'galaxy': 'requirements.yml', 'python_interpreter': {'python_path': '/usr/bin/python3'}},
        'additional_build_files': [{'src': os.path.basename(artifacts[0]), 'dest': 'collections'}],
    }
    with open(os.path.join(work, 'execution-environment.yml'), 'w') as handle:
        yaml.safe_dump(definition, handle, sort_keys=False)
    subprocess.run(['ansible-builder', 'create', '--file', 'execution-environment.yml', '--context', 'context'],
                   cwd=work, check=True)
    context = os.path.join(work, 'context')
    containerfile, = [os.path.join(context, name) for name in ('Containerfile', 'Dockerfile')
                      if os.path.exists(os.path.join(context, name))]
    with open(containerfile) as handle:
        text = handle.read()
    if 'ansible-galaxy' not in text or 'assemble' not in text:
        sys.exit('{0} does not install the collection and its Python requirements'.format(containerfile))
    shipped = glob.glob(os.path.join(context, '_build', 'collections', 'quiesce-lifecycle-*.tar.gz'))
    if not shipped:
        sys.exit('the build context lacks the collection artifact')
    print('EE build context ok: {0} with {1}'.format(os.path.relpath(containerfile, root),
                                                     os.path.relpath(shipped[0], root)))

if __name__ == '__main__':
    main()
