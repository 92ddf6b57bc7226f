"""Scenario loading: a YAML file (or dict) describing users, objects and durations."""

from __future__ import annotations

import copy
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
