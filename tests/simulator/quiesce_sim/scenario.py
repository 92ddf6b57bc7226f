"""Scenario loading: a YAML file (or dict) describing users, objects and durations."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yml"


def load_scenario(source: str | Path | dict | None, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Return a fresh, independent copy of the scenario every call (reset reloads it).

    A scenario may say `extends: <file>`: it is then deep-merged over that file (mappings
    merge key by key, anything else, lists included, replaces). A relative `extends` is
    resolved next to the extending file, then in the scenarios directory.
    """
    if isinstance(source, dict):
        return copy.deepcopy(source)
    path = _resolve(Path(source) if source else DEFAULT_SCENARIO, Path.cwd())
    if path in _seen:
        raise ValueError(f"scenario {path} extends itself")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"scenario {path} must be a mapping")
    base = data.pop("extends", None)
    if base:
        data = deep_merge(load_scenario(_resolve(Path(base), path.parent), (*_seen, path)), data)
    return data


def _resolve(path: Path, relative_to: Path) -> Path:
    for candidate in (path, relative_to / path, SCENARIO_DIR / path):
        if candidate.exists():
            return candidate.resolve()
    raise FileNotFoundError(f"scenario {path} not found")


def deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------- instances

# Extra instances of a family, beside the top-level section that stays the default instance.
EXTRA_INSTANCES = {"mrs": "mrs_managers", "ocp": "ocp_instances", "bms": "bms_regions"}
# What an extra instance does not take from the default section: its identity and its objects.
NOT_INHERITED = {
    "mrs": ("name", "services", "service_overrides"),
    "ocp": ("name", "clusters", "hosts"),
    "bms": ("region", "project", "servers", "generate", "server_overrides"),
}


def env_name(instance: str) -> str:
    """The instance name as it appears in environment variable names: `mrs-dr` -> `MRS_DR`."""
    return re.sub(r"[^0-9A-Za-z]+", "_", instance).strip("_").upper()


def derived_project_id(region: str) -> str:
    """A stable 32-hex project id for a region whose project the scenario does not spell out."""
    return hashlib.md5(region.encode(), usedforsecurity=False).hexdigest()


def resolve_instances(scenario: dict) -> dict[str, dict[str, dict]]:
    """Every instance's settings: `{"mrs"|"ocp"|"bms": {name: section}, "iam": section}`, defaults first.

    The top-level `mrs`, `ocp` and `bms` sections are the default instances (named by `mrs.name`,
    else the cluster's name; `ocp.name`, else "default"; `bms.region`, else the first IAM project's
    name). `mrs_managers`, `ocp_instances` and `bms_regions` map further names to sections that are
    deep-merged over the default section minus NOT_INHERITED. Each BMS region's `project` is filled
    in (`{name, id}`) and added to the returned IAM section's `projects` when IAM does not list it.
    """
    iam = copy.deepcopy(scenario.get("iam") or {})
    projects = iam.setdefault("projects", [])
    resolved: dict[str, Any] = {}
    for family, extras_key in EXTRA_INSTANCES.items():
        base = copy.deepcopy(scenario.get(family) or {})
        default = _default_instance_name(family, base, projects)
        found = {default: base}
        inherited = {k: v for k, v in base.items() if k not in NOT_INHERITED[family]}
        extras = scenario.get(extras_key) or {}
        if not isinstance(extras, dict):
            raise ValueError(f"{extras_key} must map instance names to their settings")
        for name, entry in extras.items():
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"{extras_key}: instance names must be non-empty strings, got {name!r}")
            if name in found:
                raise ValueError(f"{extras_key}: instance {name!r} is defined twice (the default {family} "
                                 f"instance is {default!r})")
            if entry is not None and not isinstance(entry, dict):
                raise ValueError(f"{extras_key}.{name} must be a mapping")
            own = {"cluster": {"name": name}} if family == "mrs" else {}
            found[name] = deep_merge(deep_merge(copy.deepcopy(inherited), own), copy.deepcopy(entry or {}))
        env_names: dict[str, str] = {}
        for name in found:
            other = env_names.setdefault(env_name(name), name)
            if other != name or not env_name(name):
                raise ValueError(f"{family} instances {other!r} and {name!r} give the same variable name "
                                 f"{env_name(name)!r}; rename one")
        resolved[family] = found
    for region, conf in resolved["bms"].items():
        conf["project"] = _region_project(region, conf.get("project") or {}, projects)
    resolved["iam"] = iam
    return resolved


def _default_instance_name(family: str, section: dict, projects: list) -> str:
    if family == "mrs":
        return str(section.get("name") or (section.get("cluster") or {}).get("name") or "mrs-prod")
    if family == "ocp":
        return str(section.get("name") or "default")
    return str(section.get("region") or (projects[0]["name"] if projects else "cn-north-4"))


def _region_project(region: str, spec: dict, projects: list) -> dict:
    """The region's IAM project (the project of a region is named after it), added to `projects` if new."""
    name = spec.get("name", region)
    listed = next((p for p in projects if p["name"] == name), None)
    if listed is None:
        listed = {"name": name, "id": spec.get("id") or derived_project_id(name)}
        if any(p["id"] == listed["id"] for p in projects):
            raise ValueError(f"bms region {region}: project id {listed['id']} is already another project's")
        projects.append(listed)
    elif spec.get("id") not in (None, listed["id"]):
        raise ValueError(f"bms region {region}: project {name} has id {listed['id']} in iam.projects, "
                         f"not {spec['id']}")
    return {"name": listed["name"], "id": listed["id"]}
