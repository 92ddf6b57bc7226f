#!/usr/bin/env python3
"""Put a virtualenv's own bin first on PATH for every program it runs (a .pth file in its site-packages).

molecule (through ansible-compat) runs ansible-config, ansible and ansible-playbook by name from PATH, so the
venv's ``molecule --version`` failed with ``FileNotFoundError: 'ansible-config'`` unless the caller had the
venv's bin on PATH. Python runs a .pth line that starts with ``import`` at startup, before the program does.
Usage: venv/bin/python tools/venv_bin_on_path.py
"""

import os
import sys
import sysconfig

LINE = ("import os, sys; _b = os.path.join(sys.prefix, 'bin'); _p = os.environ.get('PATH', os.defpath); "
        "os.environ['PATH'] = _p if _b in _p.split(os.pathsep) else os.pathsep.join(filter(None, (_b, _p)))\n")


def main():
    if sys.prefix == sys.base_prefix:
        sys.exit('tools/venv_bin_on_path.py: run it with the virtualenv\'s python, not {0}'.format(sys.executable))
    path = os.path.join(sysconfig.get_paths()['purelib'], 'quiesce_venv_bin_on_path.pth')
    with open(path, 'w') as handle:
        handle.write(LINE)
    print('{0}: {1}/bin first on PATH'.format(path, sys.prefix))


if __name__ == '__main__':
    main()
