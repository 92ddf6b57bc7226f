"""Run the AWX kit's playbooks the way AWX runs jobs: with ansible-runner, one job at a time.

Each job gets a private data directory of its own (a copy of the kit's project, an inventory holding only
localhost, its extra vars and environment written by ansible-runner into ``env/``), its own working
directory and HOME, and a process environment that holds nothing from the test process: jobs share no
file, only the APIs they drive. Credentials are injected as AWX injects them: the kit's credential
types' injectors rendered with the credential's inputs (an input left out renders as an empty string,
a file injector writes a file private to the job). A job's artifact is read from its
``playbook_on_stats`` event, as AWX reads it.

The collection comes from its tarball, installed into a collections path that is then made read-only,
as in an execution environment. Root ignores permission bits, so a root test process runs ansible-playbook
without the capabilities that let it (setpriv): the job's processes then meet the read-only files as an
execution environment's unprivileged user does.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import ansible_runner
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
KIT = REPO / "awx"
PROJECT = KIT / "project"
CREDENTIAL_TYPES = KIT / "credential_types"
VENV_BIN = Path(sys.executable).parent
COLLECTION_DIR = Path("ansible_collections", "quiesce", "lifecycle")
JOB_TIMEOUT = 600


def _tool(name: str):
    """A module of tools/ (not a package), imported by path."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_ansible_settings() -> dict[str, str]:
    """The test process's environment less any ANSIBLE_* setting (make exports a collections path of its own,
    where ansible-galaxy would find the collection already installed and install nothing)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}


def build_collection(work: Path) -> Path:
    """Build the collection tarball from a clean copy of what git knows of (tracked or untracked, not ignored),
    so nothing a developer left lying around (build output, caches) can slip into it."""
    sync = _tool("sync_collection")
    ignore = yaml.safe_load((REPO / "galaxy.yml").read_text()).get("build_ignore", [])
    source = work / "source"
    for path in sync.collection_files(str(REPO), ignore):
        target = source / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, target)
    out = work / "artifact"
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(source)],
                   check=True, capture_output=True, text=True, env=_without_ansible_settings())
    tarball, = out.glob("quiesce-lifecycle-*.tar.gz")
    return tarball


def install_collection(tarball: Path, collections_path: Path) -> Path:
    """Install the tarball (offline) into a fresh collections path; returns the installed collection's folder."""
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(collections_path),
                    str(tarball)], check=True, capture_output=True, text=True, env=_without_ansible_settings())
    installed = collections_path / COLLECTION_DIR
    if not (installed / "MANIFEST.json").is_file():
        raise RuntimeError(f"ansible-galaxy did not install {tarball.name} into {collections_path}")
    return installed


def set_read_only(root: Path, read_only: bool = True) -> None:
    """Take every write bit off (or give the owner's back) for root and everything under it."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) if read_only else mode | stat.S_IWUSR)


@contextlib.contextmanager
def read_only(root: Path):
    """Root read-only for the duration; permissions are given back even when the body fails."""
    set_read_only(root)
    try:
        yield root
    finally:
        set_read_only(root, read_only=False)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 (or "dir") of everything under root: two digests differ if anything was written."""
    digest = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        digest[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def load_credential_type(name: str) -> dict:
    """A credential type of the kit by file stem, e.g. "mrs_manager"."""
    return yaml.safe_load((CREDENTIAL_TYPES / f"{name}.yml").read_text())


_SINGLE_NAME = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}$")


def env_injections(credential_type: dict) -> dict[str, str]:
    """Environment variable -> the one name its injector template renders (an input id, or tower.filename).

    The kit's injectors are single names by design (one input, one variable): anything else is refused.
    """
    names = {}
    for variable, template in credential_type.get("injectors", {}).get("env", {}).items():
        match = _SINGLE_NAME.match(template)
        if not match:
            raise ValueError(f"{credential_type['name']}: {variable} is not a single input: {template!r}")
        names[variable] = match.group(1)
    return names


def inputs_from_environment(credential_type: dict, environment: dict[str, str]) -> dict[str, str]:
    """The inputs of a credential of this type that would inject these values (variables it does not inject
    are ignored; an input whose variable is absent is left out, as an unfilled optional field)."""
    return {name: environment[variable] for variable, name in env_injections(credential_type).items()
            if variable in environment and not name.startswith("tower.")}


class _TowerNamespace:
    """The `tower` name AWX's injector templates see (tower.filename, tower.filename.<name>)."""


def inject_credential(credential_type: dict, inputs: dict, private_data_dir: Path) -> dict[str, str]:
    """The environment AWX gives a job for one credential of this type.

    As AWX renders injectors: a sandboxed Jinja environment whose undefined names render as empty strings
    (so an optional input left out becomes VAR=""), only non-empty inputs in the namespace, and file
    injectors written to files of the job's own env/ folder (mode 0600) before the env templates see
    their paths. Extra-vars injectors are not used by the kit and are refused here.
    """
    injectors = credential_type.get("injectors", {})
    if injectors.get("extra_vars"):
        raise ValueError("the kit's credential types inject environment variables and files only")
    sandbox = ImmutableSandboxedEnvironment()
    tower = _TowerNamespace()
    namespace = {"tower": tower, **{key: value for key, value in inputs.items() if value != ""}}
    env_dir = private_data_dir / "env"
    env_dir.mkdir(parents=True, exist_ok=True)
    for label, template in injectors.get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." in label:
            if not hasattr(tower, "filename"):
                tower.filename = _TowerNamespace()
            setattr(tower.filename, label.split(".", 1)[1], path)
        else:
            tower.filename = path
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in injectors.get("env", {}).items()}


@dataclass
class Job:
    """What AWX keeps of a job: its return code, status, output, events and artifact."""
    name: str
    rc: int
    status: str
    stdout: str
    events: list[dict]
    artifact_data: dict
    private_data_dir: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def failed_messages(self) -> list[str]:
        """The `msg` of every failed task (runner_on_failed), in order."""
        return [str(event["event_data"]["res"].get("msg", "")) for event in self.events
                if event.get("event") == "runner_on_failed"]


# Capabilities that let root read and write whatever the permission bits say.
PERMISSION_OVERRIDES = "-dac_override,-dac_read_search,-fowner,-linux_immutable"


def _unprivileged_ansible_playbook(private_data_dir: Path) -> Path | None:
    """As root, a folder holding an `ansible-playbook` that first drops PERMISSION_OVERRIDES (to go first on the
    job's PATH: ansible-runner runs ansible-playbook from the PATH); None when not root."""
    if os.geteuid() != 0:
        return None
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise RuntimeError("running as root needs setpriv (util-linux) to make read-only files read-only")
    folder = private_data_dir / "bin"
    folder.mkdir()
    (folder / "ansible-playbook").write_text('#!/bin/sh\nexec {0} --bounding-set={1} -- {2} "$@"\n'.format(
        setpriv, PERMISSION_OVERRIDES, VENV_BIN / "ansible-playbook"))
    (folder / "ansible-playbook").chmod(0o755)
    return folder


def _job_environment(private_data_dir: Path, collections_path: Path, tmp: str) -> dict[str, str]:
    """The process environment of a job: nothing inherited but the system PATH."""
    home = private_data_dir / "home"
    home.mkdir()
    unprivileged = _unprivileged_ansible_playbook(private_data_dir)
    return {
        "PATH": os.pathsep.join([*([str(unprivileged)] if unprivileged else []), str(VENV_BIN), "/usr/local/bin",
                                 "/usr/bin", "/bin"]),
        "HOME": str(home),
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        # Only the installed tarball: no collection from the Python environment's site-packages.
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
    }


def run_job(jobs_dir: Path, name: str, playbook: str, collections_path: Path, extravars: dict | None = None,
            envvars: dict | None = None, credentials: tuple[tuple[dict, dict], ...] = (),
            project: Path = PROJECT, home_files: dict[str, str] | None = None) -> Job:
    """Run one job: `playbook` of the kit's project, from the fresh private data directory jobs_dir/name.

    `credentials` are (credential type, inputs) pairs injected as AWX does; `envvars` come on top (for
    settings such as a simulator's admin URL, never credentials the kit's types should carry).
    `home_files` (relative path -> text) are written into the job's HOME before it starts.
    """
    private_data_dir = jobs_dir / name
    private_data_dir.mkdir(parents=True)
    shutil.copytree(project, private_data_dir / "project")
    (private_data_dir / "inventory").mkdir()
    # As AWX's own demo inventory: localhost, local connection, the playbook's Python for the modules.
    (private_data_dir / "inventory" / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}}))
    job_env = {}
    for credential_type, inputs in credentials:
        job_env.update(inject_credential(credential_type, inputs, private_data_dir))
    job_env.update(envvars or {})
    # A short TMPDIR of the job's own: ansible-playbook's local RPC socket lives there, and a socket's path
    # may not be longer than 107 bytes.
    with tempfile.TemporaryDirectory(prefix="awx-job-") as tmp, \
            mock.patch.dict(os.environ, _job_environment(private_data_dir, collections_path, tmp), clear=True):
        for relative, text in (home_files or {}).items():
            (private_data_dir / "home" / relative).write_text(text)
        result = ansible_runner.run(private_data_dir=str(private_data_dir), playbook=playbook,
                                    extravars=extravars or {}, envvars=job_env, quiet=True, timeout=JOB_TIMEOUT)
        events = list(result.events)
        stdout = result.stdout.read()
    stats = [event for event in events if event.get("event") == "playbook_on_stats"]
    artifact_data = stats[-1]["event_data"].get("artifact_data", {}) if stats else {}
    return Job(name=name, rc=result.rc, status=result.status, stdout=stdout, events=events,
               artifact_data=artifact_data, private_data_dir=private_data_dir, env=job_env)
