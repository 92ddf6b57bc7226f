"""The kit's project run as AWX jobs (ansible-runner, a private data directory each, nothing shared but the
simulated APIs) from the collection installed read-only from its tarball: issue 11's hand-off, the precedence
trap, state locations outside the collection, and credentials as AWX injects them."""

from __future__ import annotations

import collections
import re

import pytest
import yaml

import runner

# The window as the survey gives it (the kit's example estate, as YAML text): MRS services, an OceanBase
# cluster, agent processes (the third stage), a rack of bare-metal servers (one of its 30 already off).
WINDOW = {"maintenance_window_estate": (runner.PROJECT / "estates" / "example.yml").read_text()}
RACK02 = {"maintenance_window_estate": yaml.safe_dump({"stages": [
    {"name": "machines", "kind": "bms_power", "targets": [{"name": "rack02-", "name_match": "contains"}],
     "expect": 30}]})}
AGENT_STOP = r"/agent/processes/[0-9]+/stop$"


def estate(sim) -> dict:
    """What the simulated APIs hold (services, clusters, agents, servers), without clocks and counters."""
    state = sim.admin.state()
    return {"mrs": state["mrs"], "ocp": state["ocp"], "bms": state["bms"]["servers"]}


def actions(sim) -> collections.Counter:
    """The mutating requests since the log was cleared, as (api, path) with start and stop counted alike (an agent
    process is started with restart: OCP has no start for one process)."""
    return collections.Counter((entry["api"], re.sub(r"/(start|stop|restart)$", "/<action>", entry["path"]))
                               for entry in sim.admin.log(mutating=True))


def test_jobs_cannot_write_into_the_installed_collection(tmp_path, run_job, installed_collection):
    """The harness's premise: a job may write in its own HOME, and nothing under the collections path."""
    probe = tmp_path / "probe-project"
    probe.mkdir()
    (probe / "probe.yml").write_text("""---
- name: Probe where a job may write
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write in the job's HOME
      ansible.builtin.copy: {content: ok, dest: "{{ lookup('ansible.builtin.env', 'HOME') }}/probe", mode: "0600"}
    - name: Write into the installed collection
      ansible.builtin.copy: {content: nope, dest: "{{ collection }}/probe", mode: "0600"}
""")
    job = run_job("probe", "probe.yml", project=probe, extravars={"collection": str(installed_collection.collection)})
    assert job.rc != 0
    assert (job.private_data_dir / "home" / "probe").read_text() == "ok"
    assert len(job.failed_messages()) == 1 and "not writable" in job.failed_messages()[0]
    assert runner.tree_digest(installed_collection.collections_path) == installed_collection.digest


def test_quiesce_job_publishes_what_it_stopped(sim, run_job, kit_credentials, installed_collection):
    """A quiesce job with the kit's credentials (TLS through the CA bundle type) stops the estate; its artifact,
    read from playbook_on_stats, is the hand-off: the ledger names every target it stopped, with no secret."""
    before = estate(sim)
    job = run_job("quiesce", "quiesce.yml", extravars=dict(WINDOW), credentials=kit_credentials())
    assert job.rc == 0, job.stdout[-3000:]
    assert job.env["QUIESCE_CA_PATH"].startswith(str(job.private_data_dir / "env"))
    handoff = job.artifact_data["quiesce_lifecycle_handoff"]
    labels = [entry["label"] for entry in handoff["ledger"]["entries"]]
    assert labels[:5] == ["Hue", "Loader", "ob-report (1000003)", "obstat2 on ob-report-1",
                          "ob_logtailer on ob-report-1"]
    assert len(labels) == 5 + 29 and "rack02-node030" not in labels  # it was off before the window
    assert handoff["report"]["markdown_path"] and handoff["report"]["summary"]
    assert estate(sim) != before
    assert sum(actions(sim).values()) == 6  # 2 services, 1 cluster, 2 agent processes, 1 server batch
    secrets = [value for name, value in job.env.items() if name.endswith(("_PASSWORD", "_SK")) and value]
    assert secrets and not [secret for secret in secrets if secret in str(job.artifact_data)]
    assert runner.tree_digest(installed_collection.collections_path) == installed_collection.digest


def test_resume_job_fed_the_quiesce_artifact_restores_the_estate(sim, run_job, kit_credentials, installed_collection):
    """Issue 11: a quiesce job, then a resume job whose extra vars are exactly the first job's artifact (what an
    AWX workflow passes on). Extra vars outrank the role's facts, so the artifact's keys must not be theirs."""
    before = estate(sim)
    quiesce = run_job("quiesce", "quiesce.yml", extravars=dict(WINDOW), credentials=kit_credentials())
    assert quiesce.rc == 0, quiesce.stdout[-3000:]
    stopped = actions(sim)
    handoff = quiesce.artifact_data["quiesce_lifecycle_handoff"]
    assert handoff["phase"] == "quiesce" and handoff["ledger"]["entries"]

    sim.admin.clear_log()
    resume = run_job("resume", "resume.yml", extravars=quiesce.artifact_data, credentials=kit_credentials())
    assert resume.rc == 0, resume.stdout[-3000:]
    assert resume.private_data_dir != quiesce.private_data_dir
    assert estate(sim) == before
    assert actions(sim) == stopped  # every stopped target started exactly once
    outcome = resume.artifact_data["quiesce_lifecycle_handoff"]
    assert outcome["phase"] == "resume" and outcome["window_id"] == handoff["window_id"]
    assert {entry["status"] for entry in outcome["ledger"]["entries"]} == {"resumed"}

    sim.admin.clear_log()
    again = run_job("resume-again", "resume.yml", extravars=quiesce.artifact_data, credentials=kit_credentials())
    assert again.rc == 0, again.stdout[-3000:]
    assert not actions(sim)  # relaunching the resume job is safe: nothing to start
    assert runner.tree_digest(installed_collection.collections_path) == installed_collection.digest


def phases(artifact: dict) -> list[str]:
    """The `phase` of every published record of a job's artifact (today's report, or the hand-off)."""
    return [value["phase"] for value in artifact.values() if isinstance(value, dict) and "phase" in value]


def test_artifact_passed_as_extra_vars_cannot_shadow_the_resume_jobs_state(sim, run_job, kit_credentials):
    """The precedence trap: the resume job gets the quiesce artifact as extra vars (as from an AWX workflow), which
    outrank every fact the role sets. Its key is no variable of the role, so the resume still runs as a resume,
    empties its ledger and publishes its own outcome (phase resume), not the quiesce job's."""
    before = estate(sim)
    quiesce = run_job("quiesce", "quiesce.yml", extravars=dict(WINDOW), credentials=kit_credentials())
    assert quiesce.rc == 0, quiesce.stdout[-3000:]
    assert set(quiesce.artifact_data) == {"quiesce_lifecycle_handoff"}
    resume = run_job("resume", "resume.yml", extravars={**WINDOW, **quiesce.artifact_data},
                     credentials=kit_credentials())
    assert resume.rc == 0, resume.stdout[-3000:]
    assert estate(sim) == before
    assert phases(resume.artifact_data) == ["resume"]
    assert resume.artifact_data["quiesce_lifecycle_handoff"]["still_stopped"] == 0


def test_failed_quiesce_artifact_lets_a_resume_job_restore_everything(sim, run_job, kit_credentials):
    """Issue 11: the third stage (agent processes) fails and the quiesce job leaves what it stopped down; its
    artifact still holds all of it, and the resume job fed with it brings all of it back."""
    before = estate(sim)
    sim.admin.add_fault(api="ocp", method="POST", path=AGENT_STOP, kind="status", status=400, count=1)
    quiesce = run_job("quiesce", "quiesce.yml", credentials=kit_credentials(),
                      extravars={**WINDOW, "maintenance_window_restore_on_failure": False})
    assert quiesce.rc != 0
    handoff = quiesce.artifact_data["quiesce_lifecycle_handoff"]
    assert handoff["result"] == "failed"
    assert {entry["stage"] for entry in handoff["ledger"]["entries"] if entry["status"] == "stopped"} >= {
        "analytics", "databases"}

    sim.admin.clear_log()
    resume = run_job("resume", "resume.yml", extravars=quiesce.artifact_data, credentials=kit_credentials())
    assert resume.rc == 0, resume.stdout[-3000:]
    assert estate(sim) == before


def test_quiesce_job_with_default_state_locations(sim, run_job, kit_credentials, installed_collection):
    """Issue 11: with no ledger or report path given, a quiesce job from a read-only collection succeeds and
    writes nothing into it (the state goes under the job's HOME, as in an execution environment)."""
    job = run_job("quiesce", "quiesce.yml", extravars=dict(WINDOW), credentials=kit_credentials())
    assert job.rc == 0, job.stdout[-3000:]
    assert list((job.private_data_dir / "home").rglob("ledger.json"))
    assert runner.tree_digest(installed_collection.collections_path) == installed_collection.digest


def test_unfilled_optional_credential_fields(sim, run_job, kit_credentials):
    """AWX injects an unfilled optional field as an empty string: the project id is then looked up by region."""
    credentials = kit_credentials(types=("huaweicloud_aksk", "ca_bundle"), leave_empty=("project_id",))
    job = run_job("quiesce", "quiesce.yml", credentials=credentials, extravars=dict(RACK02))
    assert job.env["HUAWEICLOUD_PROJECT_ID"] == ""
    assert not [entry for entry in sim.admin.log(api="bms") if "//" in entry["path"]]
    assert job.rc == 0, job.stdout[-3000:]
    rack02 = [server for server in estate(sim)["bms"].values() if server["name"].startswith("rack02-")]
    assert len(rack02) == 30 and {server["status"] for server in rack02} == {"SHUTOFF"}


HANDOFF = {"window_id": "CHG-4711", "phase": "resume", "result": "failed",
           "ledger": {"entries": [{"label": "ob-report (1000003)", "status": "resume_failed"}]},
           "report": {"summary": "1 target could not be started.", "markdown_path": "/runner/state/report.md"}}


def test_failing_node_fails_with_the_reason_and_the_hand_off(run_job):
    job = run_job("window-failed", "window_failed.yml",
                  extravars={"quiesce_awx_failure_reason": "The resume was denied.",
                             "quiesce_lifecycle_handoff": HANDOFF})
    assert job.rc != 0
    message, = job.failed_messages()
    assert message.startswith("The resume was denied.")
    for fragment in ("CHG-4711", "last phase resume: failed", "1 target could not be started.",
                     "/runner/state/report.md"):
        assert fragment in " ".join(message.split())
    assert "quiesce_lifecycle_handoff:" in job.stdout  # to launch a resume job with by hand


def test_failing_node_fails_without_a_hand_off(run_job):
    job = run_job("window-failed", "window_failed.yml")
    assert job.rc != 0
    message, = job.failed_messages()
    assert message.startswith("The maintenance window failed.") and "No hand-off" in message


@pytest.mark.parametrize("choice", ["none", "show_ledger"])
def test_operator_work_runs_the_chosen_tasks(run_job, choice):
    job = run_job("operator-work", "operator_work.yml",
                  extravars={"quiesce_awx_operator_tasks": choice, "quiesce_lifecycle_handoff": HANDOFF})
    assert job.rc == 0, job.stdout[-3000:]
    assert ("ob-report (1000003)" in job.stdout) == (choice == "show_ledger")


@pytest.mark.parametrize("choice", ["missing", "../quiesce", "show_ledger.yml"])
def test_operator_work_refuses_a_choice_without_its_file(run_job, choice):
    job = run_job("operator-work", "operator_work.yml", extravars={"quiesce_awx_operator_tasks": choice})
    assert job.rc != 0
    message, = job.failed_messages()
    assert "names no file operator_tasks/<name>.yml" in message


def test_progress_lines_reach_the_job_output(sim, run_job, kit_credentials):
    """While a stage waits, its progress lines are part of the job's output (what AWX shows as it runs)."""
    sim.admin.config(speed=0.4)  # ob-report's stop task: ~5 s
    try:
        estate = {"maintenance_window_estate": yaml.safe_dump({
            "window": {"progress_interval": 1},
            "stages": [{"name": "databases", "kind": "ocp_cluster", "targets": ["ob-report"]}]})}
        job = run_job("quiesce", "quiesce.yml", extravars=estate, credentials=kit_credentials())
        assert job.rc == 0, job.stdout[-3000:]
        progress = [line for line in job.stdout.splitlines() if line.startswith("[databases] ob-report (1000003): ")]
        assert progress and re.search(r"RUNNING.*elapsed \d+s, budget left \d+s", progress[0])
        resume = run_job("resume", "resume.yml", extravars={**estate, **job.artifact_data},
                         credentials=kit_credentials())
        assert resume.rc == 0, resume.stdout[-3000:]
    finally:
        sim.admin.config(speed=0.0)
