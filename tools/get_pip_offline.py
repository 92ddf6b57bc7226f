"""Offline stand-in for the get-pip.py script ansible-test downloads to bootstrap its virtual environments.

The official script lives on a host this project's machines cannot reach. ansible-test looks for it in
~/.ansible/test/cache/get_pip_<version>.py first; ``make`` places this file there. It installs pip from
the interpreter's bundled wheel (ensurepip), then runs ``pip install`` with the arguments ansible-test
gives (for example ``pip==25.2``), dropping the options only get-pip.py understands.

ansible-test runs this with a stripped environment, so the pip settings of the environment ``make`` ran
in (index, find-links, CA bundle) are restored from get_pip_env.json beside this file: an older bundled
pip would otherwise not trust this machine's package proxy.
"""
import ensurepip
import json
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {'--no-setuptools', '--no-wheel'}


def saved_environment():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_env.json')
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    env = dict(os.environ)
    env.update(saved_environment())
    ensurepip.bootstrap(upgrade=True)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    main()
