"""Offline stand-in for the get-pip.py script ansible-test downloads to bootstrap its virtual environments.

The official script lives on a host this project's machines cannot reach. ansible-test looks for it in
~/.ansible/test/cache/get_pip_<version>.py first; ``make`` places this file there. It installs pip from
the interpreter's bundled wheel (ensurepip), then runs ``pip install`` with the arguments ansible-test
gives (for example ``pip==25.2``), dropping the options only get-pip.py understands.
"""
import ensurepip
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {'--no-setuptools', '--no-wheel'}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    ensurepip.bootstrap(upgrade=True)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
