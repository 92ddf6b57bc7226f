"""Shared machinery: the Simulator object, request log, faults, switches, middleware, listeners."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import secrets
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from . import API_NAMES
from .clock import Clock, Scheduler, iso_millis
from .scenario import load_scenario, resolve_instances


LOG = logging.getLogger("quiesce_sim")

# Per-request scratch values use plain string keys on purpose; aiohttp nags about typed keys.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Request kinds; only "action" counts as mutating.
AUTH, READ, ACTION, POLL = "auth", "read", "action", "poll"


def route(method: str, path: str, kind: str = READ):
    """Mark an API method as a route handler; `kind` feeds the request log."""

    def decorate(func):
        func.routes = [*getattr(func, "routes", []), (method, path)]
        func.kind = kind
        return func

    return decorate


def collect_routes(obj: Any) -> list[tuple[str, str, Handler]]:
    """Routes in source order, so literal paths declared first win over `{id}` patterns."""
    found = []
    for name in dir(type(obj)):
        member = getattr(obj, name)
        for method, path in getattr(member, "routes", []):
            found.append((inspect.unwrap(member.__func__).__code__.co_firstlineno, method, path, member))
    return [(method, path, member) for _, method, path, member in sorted(found, key=lambda r: r[0])]


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(
        text=json.dumps(body, separators=(",", ":")),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def new_hex(length: int = 32) -> str:
    return secrets.token_hex(length // 2)


class ApiFamily:
    """Hooks the shared middleware needs from each API family (one per listener)."""

    api: str
    instance: str | None = None  # the instance this listener belongs to (None: IAM, shared by all regions)
    url: str = ""  # set once the listener is bound

    def error_response(self, request: web.Request, status: int, message: str | None = None,
                       code: str | int | None = None) -> web.Response:
        raise NotImplementedError

    def unrouted_response(self, request: web.Request, status: int, message: str) -> web.Response:
        """Answer for an unknown path (404) or a known path with the wrong method (405)."""
        return self.error_response(request, status, message)

    def throttle_response(self, request: web.Request, fault: "Fault") -> web.Response:
        response = self.error_response(request, 429, fault.message or "Too many requests, please retry later.")
        response.headers.update(retry_after_headers(fault))
        return response

    def decorate(self, request: web.Request, response: web.StreamResponse) -> None:
        """Add headers every response of this family carries."""


def choice(value, allowed: tuple, what: str, allow_none: bool = True):
    """`value` if it is one of `allowed` (or None, when allowed), else a ValueError naming `what`."""
    if value is None and allow_none:
        return None
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))}{' or null' if allow_none else ''}, "
                         f"not {value!r}")
    return value


def only_fields(fields: dict, allowed: tuple, kind: str) -> None:
    """Refuse patch fields outside `allowed` (`POST /_admin/patch`)."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"{kind} fields are {', '.join(allowed)}; unknown: {', '.join(unknown)}")


def find_object(table: dict, ref: str, what: str, where: str):
    """An object of `table` (id -> dict or object) by its id or its name; LookupError otherwise."""
    for key, item in table.items():
        name = item.get("name") if isinstance(item, dict) else getattr(item, "name", None)
        if ref in (str(key), name):
            return item
    raise LookupError(f"{where} has no {what} {ref!r}")


# ---------------------------------------------------------------- switches


SWITCH_CHOICES = {
    "mrs_session_expiry": ("redirect", "strict401"),
    "ocp_agent_paths": ("both", "prefixed", "bare"),
    "bms_wrong_state_mode": ("async", "sync"),
}
DEFAULT_SWITCHES = {
    "mrs_session_expiry": "redirect",
    "ocp_agent_paths": "both",
    "bms_wrong_state_mode": "async",
    "ocp_rate_limit": 0,  # requests per user per 10 s window; 0 = off
    "bms_rate_limit": False,
    "bms_rate_limit_writes_per_minute": 10,
    "bms_rate_limit_reads_per_second": 20,
}


def validate_switches(changes: dict) -> dict:
    clean = {}
    for key, value in changes.items():
        if key == "speed":
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError("speed must be a number >= 0")
            clean[key] = float(value)
        elif key not in DEFAULT_SWITCHES:
            raise ValueError(f"unknown switch {key!r}")
        elif key in SWITCH_CHOICES and value not in SWITCH_CHOICES[key]:
            raise ValueError(f"{key} must be one of {SWITCH_CHOICES[key]}")
        elif key == "bms_rate_limit" and not isinstance(value, bool):
            raise ValueError("bms_rate_limit must be true or false")
        elif key not in SWITCH_CHOICES and key != "bms_rate_limit" and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise ValueError(f"{key} must be an integer >= 0")
        else:
            clean[key] = value
    return clean


# ---------------------------------------------------------------- request log


class RequestLog:
    """Every request on the API listeners, newest last; optionally mirrored to a JSONL file."""

    def __init__(self, log_file: str | None = None, max_entries: int = 200_000) -> None:
        self.entries: deque[dict] = deque(maxlen=max_entries)
        self._seq = 0
        self._file = open(log_file, "a", encoding="utf-8") if log_file else None  # noqa: SIM115

    def add(self, entry: dict) -> None:
        self._seq += 1
        entry = {"seq": self._seq, **entry}
        self.entries.append(entry)
        if self._file:
            self._file.write(json.dumps(entry) + "\n")
            self._file.flush()

    def clear(self) -> None:
        self.entries.clear()

    def query(self, filters: dict[str, str]) -> list[dict]:
        selected = list(self.entries)
        if "since" in filters:
            since = int(filters["since"])
            selected = [e for e in selected if e["seq"] > since]
        for key in ("api", "instance", "kind", "identity", "fault"):
            if key in filters:
                selected = [e for e in selected if str(e[key]) == filters[key]]
        if "method" in filters:
            selected = [e for e in selected if e["method"] == filters["method"].upper()]
        if "mutating" in filters:
            wanted = filters["mutating"].lower() in ("1", "true", "yes")
            selected = [e for e in selected if e["mutating"] is wanted]
        if "status" in filters:
            selected = [e for e in selected if str(e["status"]) == filters["status"]]
        if "path" in filters:
            pattern = re.compile(filters["path"])
            selected = [e for e in selected if pattern.search(e["path"])]
        return selected

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


# ---------------------------------------------------------------- faults

FAULT_KINDS = (
    "status",
    "throttle",
    "drop_before",
    "drop_after",
    "slow",
    "malformed",
    "fail_task",
    "expire_auth",
    "refuse",
)


@dataclass
class Fault:
    id: int
    kind: str
    api: str | None = None
    instance: str | None = None
    method: str | None = None
    path: str | None = None
    count: int = 1
    status: int | None = None  # "status" kind; default 500
    retry_after: float | str | None = None
    delay: float | None = None  # "slow" kind; default 5 s
    duration: float | None = None  # "refuse" kind; default 1 s
    message: str | None = None
    error_code: str | int | None = None
    fail_reason: str | None = None
    subtask: str | None = None
    servers: list[str] | None = None
    applied: int = 0
    _pattern: re.Pattern | None = field(default=None, repr=False)

    def matches(self, api: str, instance: str | None, method: str, path: str) -> bool:
        return (
            self.count != 0
            and self.on_listener(api, instance)
            and (self.method is None or self.method == method)
            and (self._pattern is None or self._pattern.search(path) is not None)
        )

    @property
    def is_trigger(self) -> bool:
        """A `refuse` fault with `method`/`path` waits for a matching request instead of refusing at once."""
        return self.method is not None or self.path is not None

    def on_listener(self, api: str, instance: str | None) -> bool:
        return (self.api is None or self.api == api) and (self.instance is None or self.instance == instance)

    def spend(self) -> None:
        self.applied += 1
        if self.count > 0:
            self.count -= 1

    def public(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_") and v is not None}


class FaultBook:
    def __init__(self, instances: dict[str, list[str]]) -> None:
        self.instances = instances  # api -> the instance names its listeners serve
        self.faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict) -> Fault:
        spec = dict(spec)
        kind = spec.pop("kind", None)
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        api = spec.get("api")
        if api is not None and api not in API_NAMES:
            raise ValueError(f"api must be one of {API_NAMES}")
        instance = spec.get("instance")
        if instance is not None:
            serving = self.instances.get(api, []) if api else [n for names in self.instances.values() for n in names]
            if instance not in serving:
                raise ValueError(f"instance {instance!r} is not an instance of {api or 'any API'}; "
                                 f"known: {sorted(set(serving)) or 'none (iam has a single listener)'}")
        if spec.get("method"):
            spec["method"] = spec["method"].upper()
        if kind == "refuse" and "count" in spec:
            raise ValueError("a refuse fault closes whole listeners once: it takes api, instance, duration and, as "
                             "a trigger, method and path, but no count")
        known = set(Fault.__dataclass_fields__) - {"id", "kind", "applied", "_pattern"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        fault = Fault(id=self._next_id, kind=kind, **spec)
        if not isinstance(fault.count, int) or fault.count == 0 or fault.count < -1:
            raise ValueError("count must be a positive integer or -1")
        if fault.kind == "status" and not (isinstance(fault.status or 500, int) and 400 <= (fault.status or 500) <= 599):
            raise ValueError("status must be an HTTP error status (400-599)")
        for name in ("delay", "duration"):
            value = getattr(fault, name)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a number of seconds >= 0")
        if fault.path:
            fault._pattern = re.compile(fault.path)
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def take(self, api: str, instance: str | None, method: str, path: str, task: bool = False) -> Fault | None:
        """First live fault matching the request; spends one use. `task` selects fail_task faults."""
        for fault in self.faults:
            if fault.kind != "refuse" and (fault.kind == "fail_task") == task and fault.matches(api, instance, method, path):
                fault.spend()
                return fault
        return None

    def take_refusal_trigger(self, api: str, instance: str | None, method: str, path: str) -> Fault | None:
        """The armed `refuse` fault (one with `method`/`path`) that a request matching them sets off, if any."""
        for fault in self.faults:
            if fault.kind == "refuse" and fault.is_trigger and fault.matches(api, instance, method, path):
                return fault
        return None

    def take_task_failure(self, request: web.Request) -> Fault | None:
        fault = self.take(request["api"], request["instance"], request.method, request.path, task=True)
        if fault:
            request["task_fault"] = fault.kind  # the request log names it when no response fault applied
        return fault

    def remove(self, fault_id: int) -> bool:
        before = len(self.faults)
        self.faults = [f for f in self.faults if f.id != fault_id]
        return len(self.faults) != before

    def clear(self) -> None:
        self.faults.clear()


# ---------------------------------------------------------------- simulator

PATCH_FAMILIES = {"mrs_service": "mrs", "mrs_cluster": "mrs", "ocp_cluster": "ocp", "ocp_host": "ocp",
                  "bms_server": "bms"}
FAMILY_APIS = {"mrs": ("mrs_web", "mrs_cas"), "ocp": ("ocp",), "bms": ("bms",)}


@dataclass
class Listener:
    """One loopback listener: an API family's instance (or the admin API) and, once bound, its site."""

    key: str  # "mrs_web" for a default instance, "mrs_web:mrs-dr" for another one, "admin"
    api: str
    instance: str | None
    family: Any
    url: str = ""
    runner: web.AppRunner | None = None
    site: web.TCPSite | None = None
    ssl_context: Any = None
    reopen: asyncio.TimerHandle | None = None


class Simulator:
    """Holds every API family's state (one object per instance) plus the log, faults, switches and clock."""

    def __init__(
        self,
        scenario: str | Path | dict | None = None,
        *,
        speed: float = 1.0,
        clock: Clock | None = None,
        log_file: str | None = None,
    ) -> None:
        from .bms import BmsApi
        from .iam import IamApi
        from .mrs import MrsManager
        from .ocp import OcpApi

        self.scenario_source = scenario
        self.initial_speed = speed
        self.clock = clock or Clock()
        self.scheduler = Scheduler(self.clock)
        self.log = RequestLog(log_file)
        layout = resolve_instances(load_scenario(scenario))
        # Instances are fixed for the life of the process (each has its listeners); reset reloads their state.
        self.instances: dict[str, dict[str, Any]] = {
            "mrs": {name: MrsManager(self, name) for name in layout["mrs"]},
            "ocp": {name: OcpApi(self, name) for name in layout["ocp"]},
            "bms": {name: BmsApi(self, name) for name in layout["bms"]},
        }
        self.mrs_managers, self.ocp_instances, self.bms_regions = self.instances.values()
        self.mrs, self.ocp, self.bms = (self.instance(family, None) for family in self.instances)
        self.iam = IamApi(self)
        self.listeners = self._listeners()
        self.faults = FaultBook({api: [l.instance for l in self.listeners if l.api == api and l.instance]
                                 for api in API_NAMES})
        self.urls: dict[str, str] = {}
        self.reset()

    def _listeners(self) -> list[Listener]:
        """Default instances' listeners in API_NAMES order (base port N..N+4), then the extra instances'."""
        everyone = [Listener("iam", "iam", None, self.iam)]
        for family, states in self.instances.items():
            for index, (name, state) in enumerate(states.items()):
                parts = {"mrs_web": state.web, "mrs_cas": state.cas} if family == "mrs" else {family: state}
                everyone += [Listener(api if index == 0 else f"{api}:{name}", api, name, part)
                             for api, part in parts.items()]
        defaults = sorted((l for l in everyone if ":" not in l.key), key=lambda l: API_NAMES.index(l.api))
        return defaults + [l for l in everyone if ":" in l.key]

    def default_instance(self, family: str) -> str:
        return next(iter(self.instances[family]))

    def instance(self, family: str, name: str | None):
        """The named instance of a family (its default when name is None); LookupError if unknown."""
        states = self.instances[family]
        if name is None:
            return next(iter(states.values()))
        if name not in states:
            raise LookupError(f"{family} has no instance {name!r}; instances: {', '.join(states)}")
        return states[name]

    # -- lifecycle

    def reset(self) -> None:
        self.scenario = load_scenario(self.scenario_source)
        layout = resolve_instances(self.scenario)
        for family, states in self.instances.items():
            if list(layout[family]) != list(states):
                raise ValueError(f"the scenario's {family} instances changed to {list(layout[family])}; "
                                 f"restart the simulator to change instances (now {list(states)})")
        self.scheduler.clear()
        self.faults.clear()
        self.log.clear()
        self.config = {**DEFAULT_SWITCHES, **validate_switches(self.scenario.get("switches", {}))}
        self.config["speed"] = self.initial_speed
        self.iam.reset(layout["iam"])
        for family, states in self.instances.items():
            for name, state in states.items():
                state.reset(layout[family][name])

    # -- time

    def now(self) -> float:
        return self.clock.now()

    @property
    def speed(self) -> float:
        return self.config["speed"]

    def scaled(self, seconds: float) -> float:
        """A scenario duration at the current speed factor."""
        return max(0.0, float(seconds)) * self.speed

    def lifetime(self, seconds: float) -> float | None:
        """A session/token lifetime at the current speed; None (no time expiry) at speed 0."""
        return None if self.speed == 0 else float(seconds) * self.speed

    def advance(self) -> None:
        self.scheduler.run_due()

    # -- admin views

    def expire(self, api: str, instance: str | None = None) -> dict:
        """Expire every session/token of an API now (of one instance when named); counts per API."""
        wanted = {"mrs_web": ("mrs", "expire_web_sessions"), "mrs_cas": ("mrs", "expire_tickets"),
                  "ocp": ("ocp", "expire_sessions")}
        apis = [api] if api in wanted else list(wanted) if api == "all" else []
        if api not in (*wanted, "iam", "bms", "all"):
            raise ValueError("api must be one of mrs_web, mrs_cas, ocp, iam, all")
        counts = {}
        for name in apis:
            family, method = wanted[name]
            states = [self.instance(family, instance)] if instance else self.instances[family].values()
            counts[name] = sum(getattr(state, method)() for state in states)
        if api in ("iam", "bms", "all"):
            counts["iam"] = self.iam.expire_tokens()  # tokens belong to IAM, whatever region they are scoped to
        return counts

    def patch(self, spec: dict) -> dict:
        """Change one object's state now (`POST /_admin/patch`); returns the object's admin view."""
        unknown = set(spec) - {"api", "instance", "kind", "id_or_name", "fields"}
        if unknown:
            raise ValueError(f"unknown patch keys: {sorted(unknown)}")
        kind = spec.get("kind")
        if kind not in PATCH_FAMILIES:
            raise ValueError(f"kind must be one of {sorted(PATCH_FAMILIES)}")
        family = PATCH_FAMILIES[kind]
        if spec.get("api") not in (None, family, *FAMILY_APIS[family]):
            raise ValueError(f"kind {kind} belongs to api {family}, not {spec['api']}")
        fields = spec.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise ValueError("fields must be a non-empty mapping of field name to new value")
        if spec.get("id_or_name") in (None, ""):
            raise ValueError("id_or_name is required")
        self.advance()
        return self.instance(family, spec.get("instance")).patch(kind, str(spec["id_or_name"]), fields)

    def state(self) -> dict:
        self.advance()
        every = {family: {name: state.summary() for name, state in states.items()}
                 for family, states in self.instances.items()}
        return {
            "time": iso_millis(self.now()),
            "speed": self.speed,
            **{family: next(iter(summaries.values())) for family, summaries in every.items()},
            "iam": self.iam.summary(),
            "instances": every,
            "pending_events": self.scheduler.pending(),
        }

    def instance_urls(self) -> dict:
        """Every instance's base URLs by family and name (the default instance first)."""
        urls: dict[str, dict] = {family: {} for family in self.instances}
        for name, manager in self.mrs_managers.items():
            urls["mrs"][name] = {"web": manager.web.url, "cas": manager.cas.url}
        for name, ocp in self.ocp_instances.items():
            urls["ocp"][name] = {"url": ocp.url}
        for name, region in self.bms_regions.items():
            urls["bms"][name] = {"url": region.url, "project_id": region.project["id"]}
        return urls

    def all_urls(self) -> dict:
        """The default instances' URLs under their API names (as always) plus `instances`."""
        return {**self.urls, "instances": self.instance_urls()}


# ---------------------------------------------------------------- middleware


def _drop_connection(request: web.Request) -> None:
    """Close the TCP connection so the client sees no HTTP response at all."""
    transport = request.transport
    if transport is not None:
        transport.abort()


def _truncate_body(response: web.Response) -> web.Response:
    body = response.body if isinstance(response.body, bytes) else b'{"data": {'
    cut = max(1, len(body) // 2)
    return web.Response(
        body=body[:cut], status=200, content_type="application/json", headers=_copy_extra_headers(response)
    )


def _copy_extra_headers(response: web.StreamResponse) -> dict:
    return {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}


def make_middleware(sim: Simulator, listener: Listener):
    family, api, instance = listener.family, listener.api, listener.instance

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        sim.advance()
        request["api"] = api
        request["instance"] = instance
        request["identity"] = None
        request["started"] = started
        route_handler = request.match_info.route.handler
        kind = getattr(route_handler, "kind", READ)
        fault = sim.faults.take(api, instance, request.method, request.path)
        unmatched = request.match_info.http_exception
        if unmatched is not None:  # unknown path or method: answer in the family's shape

            async def handler(request: web.Request, status: int = unmatched.status) -> web.Response:
                return family.unrouted_response(request, status, f"No handler found for {request.method} {request.path}")

        status: int | None = None
        try:
            response = await _apply(fault, request, handler, family, sim)
            status = None if request.get("dropped") else response.status
            family.decorate(request, response)
            trigger = None if request.get("dropped") else sim.faults.take_refusal_trigger(
                api, instance, request.method, request.path)
            if trigger is not None:
                # This answer still goes out, on a connection that then closes: the client's next request
                # needs a new connection, and that is refused (provably never sent).
                response.force_close()
                await refuse_connections(sim, trigger, keep=request.protocol)
                fault = fault or trigger
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except Exception:  # a simulator bug: answer in the family's shape and keep serving
            LOG.exception("unhandled error in %s %s %s", api, request.method, request.path)
            status = 500
            return family.error_response(request, 500, "internal simulator error")
        finally:
            sim.log.add(
                {
                    "time": iso_millis(time.time()),
                    "api": api,
                    "instance": instance,
                    "method": request.method,
                    "path": request.path,
                    "query": _loggable_query(request),
                    "mutating": kind == ACTION,
                    "kind": kind,
                    "status": status,
                    "identity": request.get("identity"),
                    "fault": fault.kind if fault else request.get("task_fault"),
                    "targets": request.get("targets"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                }
            )

    return middleware


SECRET_QUERY_KEYS = {"ticket", "password", "token", "signature", "x-auth-token", "sk"}


def _loggable_query(request: web.Request) -> dict:
    """Query parameters for the log, with credentials (CAS tickets and the like) masked."""
    query = {}
    for key in request.query:
        values = ["***" if key.lower() in SECRET_QUERY_KEYS else v for v in request.query.getall(key)]
        query[key] = values if len(values) > 1 else values[0]
    return query


async def _apply(fault: Fault | None, request: web.Request, handler: Handler, family,
                 sim: Simulator | None = None) -> web.StreamResponse:
    if fault is None:
        return await handler(request)
    if fault.kind == "slow":
        return await _slow(fault, request, handler, sim)
    if fault.kind == "status":
        return family.error_response(request, fault.status or 500, fault.message, fault.error_code)
    if fault.kind == "throttle":
        return family.throttle_response(request, fault)
    if fault.kind == "expire_auth":
        request["expire_auth"] = True
        return await handler(request)
    if fault.kind == "malformed":
        response = await handler(request)
        return _truncate_body(response)
    if fault.kind == "drop_after":
        try:
            await handler(request)
        except web.HTTPException:  # a redirect is an answer too; it is dropped all the same
            pass
    _drop_connection(request)
    request["dropped"] = True
    # aiohttp quietly discards a response written to an aborted transport
    return web.Response(status=204)


async def _slow(fault: Fault, request: web.Request, handler: Handler, sim: Simulator | None) -> web.StreamResponse:
    """Say nothing for the delay, then handle the request, even if the client has gone away meanwhile.

    The body is read first: once the connection is lost, aiohttp refuses to read it. The delayed
    work is shielded, so it completes even where the server cancels handlers of lost connections.
    """
    await request.read()

    async def delayed() -> web.StreamResponse:
        await asyncio.sleep(5.0 if fault.delay is None else fault.delay)
        if sim is not None:  # the request is handled *now*: apply what fell due while it waited
            sim.advance()
        return await handler(request)

    return await asyncio.shield(asyncio.ensure_future(delayed()))


def retry_after_headers(fault: Fault) -> dict:
    if fault.retry_after is None:
        return {}
    value = fault.retry_after
    if isinstance(value, (int, float)):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return {"Retry-After": str(value)}


# ---------------------------------------------------------------- listeners


def build_app(sim: Simulator, listener: Listener) -> web.Application:
    app = web.Application(middlewares=[make_middleware(sim, listener)], client_max_size=16 * 1024 * 1024)
    for method, path, handler in collect_routes(listener.family):
        app.router.add_route(method, path, handler)
    return app


async def start_listeners(
    sim: Simulator,
    *,
    host: str = "127.0.0.1",
    base_port: int = 0,
    ssl_context=None,
) -> tuple[list[web.AppRunner], dict[str, str]]:
    """Bind every instance's listeners plus admin; returns the runners and the default URL map.

    With a base port the default instances take N..N+4 (API_NAMES order), admin N+5, and the extra
    instances N+6 onwards in scenario order.
    """
    from .admin import build_admin_app

    scheme = "https" if ssl_context else "http"
    admin = Listener("admin", "admin", None, None)
    defaults = [l for l in sim.listeners if ":" not in l.key]
    ordered = defaults + [admin] + [l for l in sim.listeners if ":" in l.key]
    for index, listener in enumerate(ordered):
        app = build_admin_app(sim) if listener is admin else build_app(sim, listener)
        listener.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        listener.ssl_context = ssl_context
        await listener.runner.setup()
        listener.site = web.TCPSite(listener.runner, host, base_port + index if base_port else 0, ssl_context=ssl_context)
        await listener.site.start()
        port = listener.site._server.sockets[0].getsockname()[1]  # the bound ephemeral port
        listener.url = f"{scheme}://{host}:{port}"
        if listener.family is not None:
            listener.family.url = listener.url
    sim.urls = {l.key: l.url for l in defaults + [admin]}
    return [l.runner for l in ordered], dict(sim.urls)


async def refuse_connections(sim: Simulator, fault: Fault, keep=None) -> list[str]:
    """Close the matching listeners for `fault.duration` seconds (real time): connecting is refused, and
    open keep-alive connections are closed (but `keep`, the connection answering a trigger); then listen
    again on the same port. Returns their keys."""
    closed = []
    loop = asyncio.get_running_loop()
    for listener in sim.listeners:
        if not fault.on_listener(listener.api, listener.instance) or listener.site is None:
            continue
        site, listener.site = listener.site, None
        await site.stop()
        for handler in list(listener.runner.server.connections):
            if handler is not keep:
                handler.force_close()
        listener.reopen = loop.call_later(1.0 if fault.duration is None else fault.duration,
                                          lambda listener=listener: asyncio.ensure_future(_listen_again(listener)))
        closed.append(listener.key)
    if closed:
        # transport.close() only schedules the socket's close: yield once so that every closed connection's socket
        # is shut before the caller answers (else a client told "refused" may still reuse a socket that is open).
        await asyncio.sleep(0)
    fault.spend()
    return closed


async def _listen_again(listener: Listener) -> None:
    if listener.reopen is None or listener.site is not None:
        return
    listener.reopen = None
    bound = urlsplit(listener.url)
    site = web.TCPSite(listener.runner, bound.hostname, bound.port, ssl_context=listener.ssl_context, reuse_address=True)
    await site.start()
    listener.site = site


async def listen_again_now(sim: Simulator) -> None:
    """End every refusal at once (`/_admin/reset`)."""
    for listener in sim.listeners:
        if listener.reopen is not None:
            listener.reopen.cancel()
            await _listen_again(listener)


async def stop_listeners(runners: list[web.AppRunner], sim: Simulator) -> None:
    for listener in sim.listeners:
        if listener.reopen is not None:
            listener.reopen.cancel()
            listener.reopen = None
    for runner in runners:
        await runner.cleanup()
