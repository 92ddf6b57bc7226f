"""Every file of the AWX kit against the AWX API's own rules and against the collection.

The rules are those AWX applies when the objects are created (AWX 24: CredentialTypeInputField and
CredentialTypeInjectorField in awx/main/fields.py, ENV_BLOCKLIST in awx/main/constants.py, the survey spec
checks of the survey_spec views, the workflow status rule of docs/workflow.md). The credential types'
injectors are compared with the modules' argument specs, imported from the installed collection, so that a
renamed option or environment variable breaks this test.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

import runner

KIT = runner.KIT
CREDENTIAL_TYPE_FILES = sorted(runner.CREDENTIAL_TYPES.glob("*.yml"))
JOB_TEMPLATE_FILES = sorted((KIT / "job_templates").glob("*.yml"))
WORKFLOW = yaml.safe_load((KIT / "workflow_job_templates" / "maintenance_window.yml").read_text())
FAILING_TEMPLATE = "Quiesce: fail the workflow"
HANDOFF_KEY = "quiesce_lifecycle_handoff"

# --- AWX's rules for a custom credential type --------------------------------------------------------------

VARIABLE_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
FILE_TEMPLATE = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")
FIELD_KEYS = {"id", "label", "type", "format", "choices", "help_text", "multiline", "secret", "ask_at_runtime",
              "default"}
STRING_ONLY_KEYS = {"choices", "multiline", "format", "secret"}
# Environment variables AWX refuses in an injector (besides every ANSIBLE_* name).
ENV_BLOCKLIST = {"VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
                 "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES",
                 "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS",
                 "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH"}


class _Filenames:
    """tower.filename as AWX's injector validation sees it: defined only for the file templates declared."""


def credential_type_problems(doc: dict) -> list[str]:
    """What AWX would refuse in this credential type (POST /api/v2/credential_types/)."""
    problems = []
    if set(doc) - {"name", "description", "kind", "inputs", "injectors"}:
        problems.append(f"unknown keys {sorted(set(doc) - {'name', 'description', 'kind', 'inputs', 'injectors'})}")
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        problems.append("name missing")
    if doc.get("kind") not in ("cloud", "net"):
        problems.append("kind must be cloud or net for a custom type")
    inputs, injectors = doc.get("inputs", {}), doc.get("injectors", {})
    if set(inputs) - {"fields", "required"}:
        problems.append(f"inputs: unknown keys {sorted(set(inputs) - {'fields', 'required'})}")
    ids, labels = [], []
    for field in inputs.get("fields", []):
        where = f"inputs field {field.get('id')!r}"
        if set(field) - FIELD_KEYS:
            problems.append(f"{where}: unknown keys {sorted(set(field) - FIELD_KEYS)}")
        if "id" not in field or "label" not in field:
            problems.append(f"{where}: id and label are required")
            continue
        if not VARIABLE_NAME.match(field["id"]) or field["id"] == "tower":
            problems.append(f"{where}: not a valid (or a reserved) variable name")
        if field.get("type", "string") not in ("string", "boolean"):
            problems.append(f"{where}: type must be string or boolean")
        if field.get("type", "string") != "string" and STRING_ONLY_KEYS & set(field):
            problems.append(f"{where}: {sorted(STRING_ONLY_KEYS & set(field))} are for strings only")
        if field.get("format") not in (None, "ssh_private_key", "url"):
            problems.append(f"{where}: unknown format")
        ids.append(field["id"])
        labels.append(field["label"])
    if len(set(ids)) != len(ids) or len(set(labels)) != len(labels):
        problems.append("input ids and labels must be unique")
    if set(inputs.get("required", [])) - set(ids):
        problems.append(f"required names no input: {sorted(set(inputs.get('required', [])) - set(ids))}")
    if set(injectors) - {"file", "env", "extra_vars"}:
        problems.append(f"injectors: unknown keys {sorted(set(injectors) - {'file', 'env', 'extra_vars'})}")
    files = list(injectors.get("file", {}))
    if any(not FILE_TEMPLATE.match(name) for name in files):
        problems.append(f"file injector names must be template or template.<name>: {files}")
    if "template" in files and len(files) > 1:
        problems.append("single and multi-file injector syntax mixed")
    for name in injectors.get("env", {}):
        if not VARIABLE_NAME.match(name) or name.startswith("ANSIBLE_") or name in ENV_BLOCKLIST:
            problems.append(f"env injector {name}: AWX refuses this variable name")
    namespace = {field_id: "EXAMPLE" for field_id in ids}
    tower = _Filenames()
    if "template" in files:
        tower.filename = "EXAMPLE_FILENAME"
    elif files:
        tower.filename = _Filenames()
        for name in files:
            setattr(tower.filename, name.split(".", 1)[1], "EXAMPLE_FILENAME")
    namespace["tower"] = tower
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, templates in injectors.items():
        for key, template in templates.items():
            try:
                rendered = sandbox.from_string(template).render(namespace)
            except UndefinedError as error:
                problems.append(f"{kind} injector {key} uses an undefined input ({error})")
                continue
            if kind == "env" and not rendered.isascii():
                problems.append(f"env injector {key}: value must be ASCII")
    return problems


@pytest.mark.parametrize("path", CREDENTIAL_TYPE_FILES, ids=lambda path: path.stem)
def test_credential_type_is_valid_for_awx(path):
    assert credential_type_problems(yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize("broken, problem", [
    ({"injectors": {"env": {"MRS_PASSWORD": "{{ passwd }}"}}}, "undefined input"),
    ({"injectors": {"env": {"ANSIBLE_MRS_URL": "{{ manager_url }}"}}}, "refuses this variable name"),
    ({"injectors": {"env": {"X": "{{ tower.filename }}"}}}, "undefined input"),
    ({"inputs": {"fields": [{"id": "manager_url", "label": "A"}, {"id": "manager_url", "label": "B"}]}}, "unique"),
    ({"inputs": {"fields": [{"id": "ok", "label": "Ok", "type": "boolean", "secret": True}]}}, "strings only"),
    ({"kind": "ssh"}, "cloud or net"),
])
def test_credential_type_check_catches_what_awx_refuses(broken, problem):
    doc = runner.load_credential_type("mrs_manager")
    doc.update(broken)
    assert any(problem in found for found in credential_type_problems(doc))


def test_credential_type_names_are_unique():
    names = [yaml.safe_load(path.read_text())["name"] for path in CREDENTIAL_TYPE_FILES]
    assert len(set(names)) == len(names) == 6


# --- The credential types against the modules --------------------------------------------------------------

# Credential type -> the modules' option family, and exactly the options it fills.
INJECTS = {
    "mrs_manager": ("mrs", {"manager_url", "cas_url", "username", "password"}),
    "ocp_basic": ("ocp", {"ocp_url", "username", "password"}),
    "ocp_aksk": ("ocp", {"ocp_url", "access_key", "secret_key"}),
    "huaweicloud_token": ("huaweicloud", {"region", "project_id", "domain_name", "username", "password",
                                          "iam_endpoint", "bms_endpoint"}),
    "huaweicloud_aksk": ("huaweicloud", {"region", "project_id", "access_key", "secret_key", "iam_endpoint",
                                         "bms_endpoint"}),
    "ca_bundle": ("connection", {"ca_path"}),
}
# Options with an environment fallback that no credential type fills, and why.
NOT_INJECTED = {
    ("ocp", "auth_method"): "auto picks AK/SK when an access key is set, else Basic",
    ("huaweicloud", "auth_method"): "auto picks AK/SK when an access key is set, else the IAM user",
    ("connection", "validate_certs"): "TLS stays verified; a private CA comes with the CA bundle type",
    ("connection", "request_timeout"): "a tuning setting, not a credential",
    ("connection", "allow_insecure_http"): "a switch for test systems on plain http, never part of a credential",
}


@pytest.fixture(scope="module")
def module_specs(installed_collection):
    """The option specs of plugins/module_utils/_module.py, imported from the installed collection."""
    sys.path.insert(0, str(installed_collection.collections_path))
    try:
        module = importlib.import_module("ansible_collections.quiesce.lifecycle.plugins.module_utils._module")
        assert Path(module.__file__).is_relative_to(installed_collection.collections_path)
        specs = dict(module.AUTH_SPECS, connection=module.CONNECTION_SPEC)
    finally:
        sys.path.remove(str(installed_collection.collections_path))
    return specs


def fallback_variable(option_spec: dict) -> str | None:
    fallback = option_spec.get("fallback")
    return fallback[1][0] if fallback else None


def test_every_credential_type_is_listed():
    assert {path.stem for path in CREDENTIAL_TYPE_FILES} == set(INJECTS)


@pytest.mark.parametrize("name", sorted(INJECTS))
def test_injectors_set_exactly_the_modules_environment_variables(name, module_specs):
    """Each injected variable is the environment fallback of the option the input is named after; secrets are
    the options the modules keep out of logs; what the modules require, the credential type requires."""
    family, options = INJECTS[name]
    spec = module_specs[family]
    doc = runner.load_credential_type(name)
    fields = {field["id"]: field for field in doc["inputs"]["fields"]}
    injected = {}
    for variable, source in runner.env_injections(doc).items():
        if source == "tower.filename":  # the file the file injector wrote is the option's value
            source = next(option for option, option_spec in spec.items() if fallback_variable(option_spec) == variable)
        else:
            assert fields[source].get("secret", False) == spec[source].get("no_log", False), source
        assert fallback_variable(spec[source]) == variable, f"{name}: {variable} is not option {source}'s variable"
        injected[source] = variable
    assert set(injected) == options
    required = {option for option, option_spec in spec.items() if option_spec.get("required")}
    assert required & options <= set(doc["inputs"]["required"]) | {"ca_path"}


def test_credential_types_cover_every_environment_fallback(module_specs):
    """A new module option with an environment fallback needs a credential type input, or a reason here."""
    for family, spec in module_specs.items():
        covered = set().union(*(options for (of, options) in INJECTS.values() if of == family))
        with_fallback = {option for option, option_spec in spec.items() if fallback_variable(option_spec)}
        assert with_fallback - covered == {option for (of, option) in NOT_INJECTED if of == family}, family


def test_no_security_token_while_the_modules_have_none(module_specs):
    """Temporary (STS) credentials would need a security token option in the modules first."""
    assert not [option for option in module_specs["huaweicloud"] if "token" in option]
    assert not [field for field in runner.load_credential_type("huaweicloud_aksk")["inputs"]["fields"]
                if "token" in field["id"]]


def test_injected_environment_as_awx_renders_it(tmp_path):
    """An unfilled optional input is injected as an empty string; the CA bundle becomes a private file."""
    env = runner.inject_credential(runner.load_credential_type("huaweicloud_aksk"),
                                   {"region": "cn-north-4", "access_key": "AK", "secret_key": "SK"}, tmp_path)
    assert env["HUAWEICLOUD_PROJECT_ID"] == "" and env["HUAWEICLOUD_REGION"] == "cn-north-4"
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    env = runner.inject_credential(runner.load_credential_type("ca_bundle"), {"ca_bundle": pem}, tmp_path)
    ca_file = Path(env["QUIESCE_CA_PATH"])
    assert ca_file.parent == tmp_path / "env" and ca_file.read_text() == pem
    assert ca_file.stat().st_mode & 0o777 == 0o600


# --- Project and job templates -----------------------------------------------------------------------------

JOB_TEMPLATE_KEYS = {
    "name", "description", "job_type", "inventory", "project", "playbook", "scm_branch", "forks", "limit", "verbosity",
    "extra_vars", "job_tags", "force_handlers", "skip_tags", "start_at_task", "timeout", "use_fact_cache",
    "execution_environment", "host_config_key", "survey_enabled", "become_enabled", "diff_mode", "allow_simultaneous",
    "job_slice_count", "webhook_service", "webhook_credential", "prevent_instance_group_fallback",
    *(f"ask_{what}_on_launch" for what in ("scm_branch", "diff_mode", "variables", "limit", "tags", "skip_tags",
                                           "job_type", "verbosity", "inventory", "credential", "execution_environment",
                                           "labels", "forks", "job_slice_count", "timeout", "instance_groups")),
}


@pytest.fixture(scope="module")
def job_templates():
    return {doc["name"]: doc for doc in (yaml.safe_load(path.read_text()) for path in JOB_TEMPLATE_FILES)}


def test_job_templates_are_valid_for_awx(job_templates):
    references = set()
    for name, doc in job_templates.items():
        assert set(doc) <= JOB_TEMPLATE_KEYS, name
        assert {"name", "job_type", "project", "playbook", "inventory"} <= set(doc), name
        assert doc["job_type"] in ("run", "check")
        assert (KIT / "project" / doc["playbook"]).is_file(), f"{name}: no project playbook {doc['playbook']}"
        # Workflow artifacts, survey answers and node extra data reach a job only through its extra vars.
        assert doc["ask_variables_on_launch"] is True, name
        references.add((doc["project"], doc["inventory"], doc["execution_environment"]))
    assert len(references) == 1  # one project, one inventory, one execution environment for the whole kit


@pytest.mark.parametrize("wrapper, playbook", [("quiesce.yml", "quiesce"), ("resume.yml", "resume")])
def test_project_wrappers_import_the_collections_playbooks(wrapper, playbook):
    galaxy = yaml.safe_load((runner.REPO / "galaxy.yml").read_text())
    plays = yaml.safe_load((KIT / "project" / wrapper).read_text())
    assert plays == [{"name": plays[0]["name"],
                      "ansible.builtin.import_playbook": f"{galaxy['namespace']}.{galaxy['name']}.{playbook}"}]
    assert (runner.REPO / "playbooks" / f"{playbook}.yml").is_file()


def test_project_requirements_install_the_collection():
    galaxy = yaml.safe_load((runner.REPO / "galaxy.yml").read_text())
    requirements = yaml.safe_load((KIT / "project" / "collections" / "requirements.yml").read_text())
    assert [entry["name"] for entry in requirements["collections"]] == [f"{galaxy['namespace']}.{galaxy['name']}"]


# --- The workflow ------------------------------------------------------------------------------------------

WORKFLOW_KEYS = {"name", "description", "organization", "extra_vars", "survey_enabled", "allow_simultaneous",
                 "ask_variables_on_launch", "inventory", "limit", "scm_branch", "ask_inventory_on_launch",
                 "ask_scm_branch_on_launch", "ask_limit_on_launch", "webhook_service", "webhook_credential",
                 "ask_labels_on_launch", "ask_skip_tags_on_launch", "ask_tags_on_launch", "skip_tags", "job_tags",
                 "survey_spec", "workflow_nodes"}
EDGES = ("success_nodes", "failure_nodes", "always_nodes")
NODES = {node["identifier"]: node for node in WORKFLOW["workflow_nodes"]}


def children(identifier: str, edge: str) -> list[str]:
    return [child["identifier"] for child in NODES[identifier].get("related", {}).get(edge, [])]


def test_workflow_nodes_are_valid_for_awx(job_templates):
    assert set(WORKFLOW) <= WORKFLOW_KEYS
    assert len(NODES) == len(WORKFLOW["workflow_nodes"])
    for identifier, node in NODES.items():
        assert set(node) <= {"identifier", "unified_job_template", "related", "extra_data", "all_parents_must_converge"}
        template = node["unified_job_template"]
        if template["type"] == "workflow_approval":
            assert template["name"] and isinstance(template.get("timeout", 0), int) and template.get("timeout", 0) >= 0
            assert "extra_data" not in node
        else:
            assert template["type"] == "job_template" and template["name"] in job_templates, identifier
            assert template["organization"]["name"] == WORKFLOW["organization"]
        assert set(node.get("related", {})) <= set(EDGES)
        for edge in EDGES:
            assert set(children(identifier, edge)) <= set(NODES), f"{identifier}.{edge} names an unknown node"
        for key in node.get("extra_data", {}):
            # Survey answers and earlier nodes' artifacts outrank node extra data: its keys must be neither.
            assert key != HANDOFF_KEY and key not in survey_variables()


def test_workflow_is_a_dag_with_quiesce_as_its_only_root():
    parents = {child for identifier in NODES for edge in EDGES for child in children(identifier, edge)}
    assert set(NODES) - parents == {"quiesce"}
    state = {}

    def visit(identifier):
        assert state.get(identifier) != "open", f"cycle through {identifier}"
        if state.get(identifier) != "done":
            state[identifier] = "open"
            for edge in EDGES:
                for child in children(identifier, edge):
                    visit(child)
            state[identifier] = "done"
    visit("quiesce")
    assert set(state) == set(NODES)


def run_workflow(failing: set[str]) -> tuple[str, list[str]]:
    """AWX's workflow semantics: the nodes that run (in order) and the workflow's status when the jobs of the
    nodes in `failing` fail (an approval node "fails" when denied or timed out; the failing node's job always
    fails). A node runs when a parent reaches it through an edge matching the parent's result; the workflow
    fails when a node's job fails and that node has no failure handler (a failure or always edge)."""
    ran, failed_unhandled, queue = [], False, ["quiesce"]
    while queue:
        identifier = queue.pop(0)
        if identifier in ran:
            continue
        ran.append(identifier)
        failed = identifier in failing or NODES[identifier]["unified_job_template"]["name"] == FAILING_TEMPLATE
        handled = children(identifier, "failure_nodes") + children(identifier, "always_nodes")
        failed_unhandled |= failed and not handled
        queue += children(identifier, "failure_nodes" if failed else "success_nodes") + children(identifier,
                                                                                                 "always_nodes")
    return ("failed" if failed_unhandled else "successful"), ran


@pytest.mark.parametrize("failing, status, ran", [
    (set(), "successful", ["quiesce", "operator_work", "approve_resume", "resume"]),
    ({"quiesce"}, "failed", ["quiesce", "restore", "window_failed"]),
    ({"operator_work"}, "failed", ["quiesce", "operator_work", "restore", "window_failed"]),
    ({"approve_resume"}, "failed", ["quiesce", "operator_work", "approve_resume", "not_resumed"]),
    ({"resume"}, "failed", ["quiesce", "operator_work", "approve_resume", "resume"]),
    ({"quiesce", "restore"}, "failed", ["quiesce", "restore", "window_failed"]),
])
def test_workflow_fails_whenever_the_window_did(failing, status, ran):
    assert run_workflow(failing) == (status, ran)


def test_resume_and_restore_run_the_resume_template():
    for identifier in ("resume", "restore"):
        assert NODES[identifier]["unified_job_template"]["name"] == "Quiesce: resume"


# --- The survey --------------------------------------------------------------------------------------------

SURVEY_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
                "integer": int, "float": (float, int)}


def survey_variables() -> list[str]:
    return [question["variable"] for question in WORKFLOW["survey_spec"]["spec"]]


def test_survey_is_valid_for_awx():
    survey = WORKFLOW["survey_spec"]
    assert WORKFLOW["survey_enabled"] is True
    assert isinstance(survey["name"], str) and isinstance(survey["description"], str) and survey["spec"]
    for question in survey["spec"]:
        assert {"type", "question_name", "variable", "required"} <= set(question)
        assert isinstance(question["required"], bool) and question["type"] in SURVEY_TYPES
        if question.get("default", "") != "":
            assert isinstance(question["default"], SURVEY_TYPES[question["type"]])
        assert all(isinstance(question[key], int) for key in ("min", "max") if question.get(key) is not None)
        if question["type"] in ("multiplechoice", "multiselect"):
            assert question.get("default", "") in ["", *question["choices"]]
    assert len(set(survey_variables())) == len(survey_variables())


def test_survey_cannot_shadow_the_hand_off():
    """The workflow's survey answers outrank the artifacts of earlier nodes in every job it launches."""
    assert HANDOFF_KEY not in survey_variables()


def test_survey_asks_the_window_in_fields_a_survey_can_express():
    questions = {question["variable"]: question for question in WORKFLOW["survey_spec"]["spec"]}
    assert questions["maintenance_window_estate"]["type"] == "textarea"
    assert questions["maintenance_window_estate"]["required"] is True
    assert questions["maintenance_window_id"]["type"] == questions["maintenance_window_deadline"]["type"] == "text"
    example = (KIT / "project" / "estates" / "example.yml").read_text()
    assert len(example) <= questions["maintenance_window_estate"]["max"]
    assert isinstance(yaml.safe_load(example), dict) and yaml.safe_load(example)["stages"]


def test_operator_tasks_choices_are_the_projects_tasks_files():
    question, = [q for q in WORKFLOW["survey_spec"]["spec"] if q["variable"] == "quiesce_awx_operator_tasks"]
    shipped = {path.stem for path in (KIT / "project" / "operator_tasks").glob("*.yml")}
    assert set(question["choices"]) == {"none"} | shipped and question["default"] == "none"


def test_survey_variables_are_options_of_the_role():
    specs = yaml.safe_load((runner.REPO / "roles" / "maintenance_window" / "meta" / "argument_specs.yml").read_text())
    options = set(specs["argument_specs"]["main"]["options"])
    assert {variable for variable in survey_variables() if variable.startswith("maintenance_window_")} <= options


# --- What ships where --------------------------------------------------------------------------------------

def test_kit_stays_out_of_the_collection_artifact(installed_collection):
    with tarfile.open(installed_collection.tarball) as tar:
        names = tar.getnames()
    assert names and not [name for name in names if name.split("/")[0] == "awx" or name.startswith("tests/awx")]


def test_execution_environment_definition_builds_a_context(tmp_path, installed_collection):
    """ansible-builder accepts the kit's EE definition and puts the collection tarball in the build context."""
    (tmp_path / "execution-environment.yml").write_text((KIT / "execution-environment.yml").read_text())
    (tmp_path / "quiesce-lifecycle.tar.gz").write_bytes(installed_collection.tarball.read_bytes())
    subprocess.run([str(runner.VENV_BIN / "ansible-builder"), "create", "--file", "execution-environment.yml",
                    "--context", "context"], cwd=tmp_path, check=True, capture_output=True, text=True)
    containerfile, = [path for path in (tmp_path / "context").iterdir() if path.name in ("Containerfile", "Dockerfile")]
    assert "ansible-galaxy" in containerfile.read_text()
    assert (tmp_path / "context" / "_build" / "collections" / "quiesce-lifecycle.tar.gz").is_file()
