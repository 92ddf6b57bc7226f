"""Render the Markdown guides in docs/ into the collection docs (docs/docsite/), or check they are current.

Usage: docsite.py [--check]

antsibull-docs (docs.ansible.com, `antsibull-docs lint-collection-docs`) takes extra docs only as RST under
docs/docsite/rst, listed in docs/docsite/extra-docs.yml. The guides are written and reviewed as Markdown
(docs/*.md, read on the forge and in the clone), so each becomes docs/docsite/rst/<name>.rst, with the label
antsibull-docs expects, and extra-docs.yml lists them all in one "Guides" section (the operator guide first),
titled by each guide's first heading. --check fails when a generated file differs from what is committed.
"""
import glob
import os
import re
import sys

import m2r2
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = 'quiesce.lifecycle'
FIRST = ['operator-guide']
GENERATED = 'Generated from'


class IndentedDumper(yaml.SafeDumper):
    """Indent lists inside mappings, as yamllint (ansible-lint) wants them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def guides():
    names = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ROOT, 'docs', '*.md')))
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def title_of(markdown, name):
    match = re.search(r'^# (.+)$', markdown, re.MULTILINE)
    return match.group(1).strip() if match else name


def rendered():
    """{relative path: content} of every generated file."""
    files, toctree = {}, []
    for name in guides():
        with open(os.path.join(ROOT, 'docs', name + '.md'), encoding='utf-8') as handle:
            markdown = handle.read()
        label = 'ansible_collections.{0}.docsite.{1}'.format(COLLECTION, name.replace('-', '_'))
        files['docs/docsite/rst/{0}.rst'.format(name)] = (
            '..\n  {0} docs/{1}.md by tools/docsite.py (make docs): edit the Markdown, not this file.\n\n'
            '.. _{2}:\n{3}'.format(GENERATED, name, label, m2r2.convert(markdown).rstrip() + '\n'))
        toctree.append({'ref': name, 'title': title_of(markdown, name)})
    files['docs/docsite/extra-docs.yml'] = (
        '---\n# ' + GENERATED + ' the guides in docs/*.md by tools/docsite.py (make docs).\n'
        + yaml.dump({'sections': [{'title': 'Guides', 'toctree': toctree}]}, Dumper=IndentedDumper, sort_keys=False))
    return files


def main():
    check = sys.argv[1:] == ['--check']
    stale, files = [], rendered()
    for path, content in files.items():
        target = os.path.join(ROOT, path)
        current = open(target, encoding='utf-8').read() if os.path.exists(target) else None
        if current == content:
            continue
        if check:
            stale.append(path)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'w', encoding='utf-8') as handle:
            handle.write(content)
        print('wrote ' + path)
    for path in glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')):
        relative = os.path.relpath(path, ROOT)
        with open(path, encoding='utf-8') as handle:
            orphan = relative not in files and GENERATED in handle.read(300)
        if orphan and check:
            stale.append(relative + ' (its docs/*.md is gone)')
        elif orphan:
            os.remove(path)
    if stale:
        sys.exit('docs/docsite is stale: run make docs\n  ' + '\n  '.join(stale))


if __name__ == '__main__':
    main()
