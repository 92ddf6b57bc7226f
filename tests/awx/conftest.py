"""Fixtures of the AWX kit's tests: the collection installed read-only from its tarball, a TLS simulator at
speed 0, credentials of the kit's types filled from the simulator, and jobs run in the test's own folder."""

from __future__ import annotations

import json

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
for path in (REPO / "tests" / "simulator", REPO / "tests" / "integration"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import runner  # noqa: E402  pylint: disable=wrong-import-position
import report_schema  # noqa: E402  pylint: disable=wrong-import-position
import sim_env  # noqa: E402  pylint: disable=wrong-import-position
from quiesce_sim.scenario import load_scenario  # noqa: E402  pylint: disable=wrong-import-position
from quiesce_sim.testing import running_simulator  # noqa: E402  pylint: disable=wrong-import-position

SCENARIO = REPO / "tests" / "simulator" / "scenarios" / "default.yml"


@pytest.fixture(scope="session", autouse=True)
def reports_follow_the_schema(tmp_path_factory):
    """Every report.json the session's runs wrote validates against the shipped schema (docs/schemas)."""
    yield
    _count, problems = report_schema.check_reports_under(tmp_path_factory.getbasetemp())
    assert not problems, "\n".join(problems)


@dataclass
class InstalledCollection:
    collections_path: Path
    collection: Path
    tarball: Path
    digest: dict


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory):
    """The collection built from a clean copy, installed from its tarball and read-only for the whole session
    (write permission is given back at the end, so that the temporary folder can be removed)."""
    work = tmp_path_factory.mktemp("collection")
    tarball = runner.build_collection(work)
    collections_path = work / "collections"
    collection = runner.install_collection(tarball, collections_path)
    with runner.read_only(collections_path):
        yield InstalledCollection(collections_path, collection, tarball, runner.tree_digest(collections_path))


@pytest.fixture(scope="session")
def simulator():
    with running_simulator(scenario=SCENARIO, speed=0.0, tls=True) as handle:
        yield handle


@pytest.fixture
def sim(simulator):
    """The simulator reset to the scenario's estate, with no faults and an empty request log."""
    simulator.admin.reset()
    simulator.admin.clear_faults()
    simulator.admin.clear_log()
    return simulator


@pytest.fixture(scope="session")
def simulator_environment(simulator):
    """The modules' environment variables for the simulator (tests/integration/sim_env.py), plus the project id
    that sim_env leaves to be looked up, so that every optional field of the kit's credentials can be filled."""
    scenario = load_scenario(str(SCENARIO))
    scenario["_path"] = str(SCENARIO)
    ready = json.loads(Path(simulator.extra["ready_file"]).read_text())
    ready["_path"] = simulator.extra["ready_file"]
    environment = dict((k, str(v)) for k, v in sim_env.exports(ready, scenario).items()
                       if not k.startswith("QUIESCE_SIM_"))
    environment["HUAWEICLOUD_PROJECT_ID"] = scenario["iam"]["projects"][0]["id"]
    return environment


# The credentials a window job against the whole simulated estate gets: one of each API, and the CA.
WINDOW_CREDENTIAL_TYPES = ("mrs_manager", "ocp_basic", "huaweicloud_aksk", "ca_bundle")


@pytest.fixture
def kit_credentials(simulator, simulator_environment):
    """(credential type, inputs) pairs of the kit's types for the simulator; `leave_empty` names inputs left
    unfilled (AWX then injects them as empty strings)."""
    def credentials(types=WINDOW_CREDENTIAL_TYPES, leave_empty=()):
        pairs = []
        for name in types:
            credential_type = runner.load_credential_type(name)
            if name == "ca_bundle":
                inputs = {"ca_bundle": Path(simulator.ca_file).read_text()}
            else:
                inputs = runner.inputs_from_environment(credential_type, simulator_environment)
            pairs.append((credential_type, {k: v for k, v in inputs.items() if k not in leave_empty}))
        return tuple(pairs)
    return credentials


@pytest.fixture
def run_job(tmp_path, installed_collection):
    """Run a job of the kit's project from its own private data directory under this test's folder."""
    def run(name, playbook, **kwargs):
        return runner.run_job(tmp_path / "jobs", name, playbook, installed_collection.collections_path, **kwargs)
    return run
