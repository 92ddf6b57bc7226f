"""Lay the collection out as ansible_collections/quiesce/lifecycle for ansible-test and ansible-playbook.

Copies the files git knows of (tracked, or untracked and not ignored) except those galaxy.yml's
build_ignore leaves out of the artifact, so sanity and unit tests run on exactly what ships.
Stale files in the destination are removed. The destination gets a git repository of its own (nothing
committed): ansible-test lists content through git, and the tree lives inside this repository's ignored
build/ folder, where the outer repository would hide it. Usage: sync_collection.py DEST
"""
import fnmatch
import os
import shutil
import subprocess
import sys

import yaml

# Written into the tree by tools/sim while the simulators run; never in the source tree.
KEPT = {os.path.join('tests', 'integration', 'integration_config.yml')}


def collection_files(root, ignore):
    listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
                            cwd=root, check=True, capture_output=True).stdout.decode().split('\0')
    for path in filter(None, listed):
        parts = path.split('/')
        prefixes = ['/'.join(parts[:i]) for i in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(part, pattern)
               for pattern in ignore for prefix, part in zip(prefixes, parts)):
            continue
        if os.path.isfile(os.path.join(root, path)):
            yield path


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.path.abspath(sys.argv[1])
    with open(os.path.join(root, 'galaxy.yml')) as handle:
        ignore = yaml.safe_load(handle).get('build_ignore', [])
    wanted = set(collection_files(root, ignore))
    for path in sorted(wanted):
        source, target = os.path.join(root, path), os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target) or os.path.getmtime(source) != os.path.getmtime(target) \
                or os.path.getsize(source) != os.path.getsize(target):
            shutil.copy2(source, target)
    for dirpath, dirnames, filenames in os.walk(dest, topdown=False):
        rel_dir = os.path.relpath(dirpath, dest)
        if rel_dir.split(os.sep)[0] == '.git' or rel_dir.split(os.sep)[0:2] == ['tests', 'output']:
            continue
        for name in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel not in wanted and rel not in KEPT:
                os.remove(os.path.join(dirpath, name))
        if dirpath != dest and not os.listdir(dirpath):
            os.rmdir(dirpath)
    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.run(['git', 'init', '--quiet', dest], check=True)
        with open(os.path.join(dest, '.git', 'info', 'exclude'), 'a') as handle:
            handle.write('tests/output/\n')
    print('collection tree: {0} files in {1}'.format(len(wanted), dest))


if __name__ == '__main__':
    main()
