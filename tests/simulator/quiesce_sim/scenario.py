"""Scenario loading: a YAML file (or dict) describing users, objects and durations."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yml"


def load_scenario(source: str | Path | dict | None) -> dict[str, Any]:
    """Return a fresh, independent copy of the scenario every call (reset reloads it)."""
    if isinstance(source, dict):
        return copy.deepcopy(source)
    path = Path(source) if source else DEFAULT_SCENARIO
    if not path.exists() and (SCENARIO_DIR / path).exists():
        path = SCENARIO_DIR / path
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"scenario {path} must be a mapping")
    return data
