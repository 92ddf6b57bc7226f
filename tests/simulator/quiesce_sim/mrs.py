"""MRS Manager (pre-3.x): CAS single sign-on on the CAS listener, `/web/v1` on the web listener."""

from __future__ import annotations

import base64
import html
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from aiohttp import web

from .core import ACTION, AUTH, POLL, READ, ApiFamily, Fault, choice, find_object, json_response, only_fields, route
from .signing import same_secret

STARTED, STOPPED, STARTING, STOPPING = "STARTED", "STOPPED", "STARTING", "STOPPING"
START_FAILED, STOP_FAILED = "START_FAILED", "STOP_FAILED"
# mrs-manager.md §8.2 (the proposed wire vocabulary) and §5.5 (cluster health)
RUNNING_STATUSES = (STARTED, STOPPED, STARTING, STOPPING, START_FAILED, STOP_FAILED, "UNKNOWN")
HEALTH_STATUSES = ("GOOD", "BAD", "UNKNOWN", "CONCERNING", "PARTIALLY_HEALTHY")
CONFIG_STATUSES = ("SYNCHRONIZED", "EXPIRED", "FAILED", "CONFIGURING", "UNKNOWN")
CLUSTER_STATES = ("GOOD", "BAD")

# §8.5 proposal: service -> the services it depends on (lower layer).
DEFAULT_DEPENDENCIES = {
    "HDFS": ["ZooKeeper"],
    "Yarn": ["HDFS", "ZooKeeper"],
    "Mapreduce": ["Yarn", "HDFS"],
    "HBase": ["HDFS", "ZooKeeper"],
    "Hive": ["HDFS", "Yarn", "DBService"],
    "Spark": ["Hive", "Yarn", "HDFS"],
    "Spark2x": ["Hive", "Yarn", "HDFS"],
    "Kafka": ["ZooKeeper"],
    "Hue": ["Hive", "HDFS", "Yarn"],
    "Loader": ["HBase", "Yarn", "HDFS"],
}
BAD_CREDENTIALS = "The credentials you provided cannot be determined to be authentic."
ERROR_START_FAILED, ERROR_STOP_FAILED, ERROR_DEPENDENCY = 1001, 1002, 1003


@dataclass
class Service:
    name: str
    version: str
    running_status: str
    depends_on: list[str]
    start_seconds: float
    stop_seconds: float
    fail_start: dict | None = None
    fail_stop: dict | None = None
    health_override: str | None = None
    health_after_start: str | None = None  # knob: the health a successful start leaves behind
    config_status: str = "SYNCHRONIZED"
    busy_command: int | None = None


@dataclass
class Step:
    service: Service
    operation: str  # START | STOP | CHECK
    seconds: float
    failure: dict | None = None
    previous: str | None = None  # running status before the command touched the service

    @property
    def name(self) -> str:
        verb = {"START": "Start", "STOP": "Stop", "CHECK": "Check dependencies of"}[self.operation]
        return f"{verb} {self.service.name}"


@dataclass
class Command:
    id: int
    cluster_id: int
    steps: list[Step]
    state: str = "IN_PROGRESS"
    error_code: int = 0
    error_description: str = ""
    started: list[Step] = field(default_factory=list)
    finished_seconds: float = 0.0
    current_started_at: float | None = None
    fail_entities: list[dict] = field(default_factory=list)


@dataclass
class Session:
    user: str
    last_used: float


def envelope(**extra) -> dict:
    body = {"id": -1, "state": "COMPLETE", "error_code": 0, "error_description": "", "total_progress": 0}
    body.update(extra)
    return body


def error_envelope(status: int, description: str, code: int | None = None, command_id: int = -1) -> web.Response:
    body = envelope(id=command_id, state="FAILED", error_code=code if code is not None else status,
                    error_description=description)
    return json_response(body, status)


def html_page(title: str, body: str, status: int = 200) -> web.Response:
    page = f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"
    return web.Response(text=page, status=status, content_type="text/html")


class MrsManager:
    """One MRS Manager (one cluster): the state its two listeners (web, CAS) share."""

    def __init__(self, sim, name: str) -> None:
        self.sim = sim
        self.name = name
        self.web = MrsWebApi(self)
        self.cas = MrsCasApi(self)

    def reset(self, conf: dict) -> None:
        self.security = bool(conf.get("security", True))
        self.session_idle_seconds = float(conf.get("session_idle_seconds", 1200))
        self.tgt_seconds = float(conf.get("tgt_seconds", 1200))
        lockout = conf.get("lockout", {})
        self.lockout_attempts = int(lockout.get("attempts", 5))
        self.lockout_seconds = float(lockout.get("seconds", 300))
        self.users = {u["name"]: u for u in conf.get("users", [])}
        cluster = conf.get("cluster", {})
        self.cluster = {
            "id": int(cluster.get("id", 1)),
            "name": cluster.get("name", "mrs-prod"),
            "version": cluster.get("version", "MRS 2.1.0"),
            "stack": cluster.get("stack", "MRS 2.1.0"),
            "description": cluster.get("description", ""),
        }
        self.cluster_state_override = choice(cluster.get("state"), CLUSTER_STATES, "mrs.cluster.state")
        defaults = conf.get("defaults", {})
        self.services: dict[str, Service] = {}
        overrides = conf.get("service_overrides", {})
        for spec in conf.get("services", []):
            spec = {**spec, **overrides.get(spec["name"], {})}
            name = spec["name"]
            self.services[name] = Service(
                name=name,
                version=str(spec.get("version", "")),
                running_status=spec.get("status", STARTED),
                depends_on=list(spec.get("depends_on", DEFAULT_DEPENDENCIES.get(name, []))),
                start_seconds=float(spec.get("start_seconds", defaults.get("start_seconds", 8))),
                stop_seconds=float(spec.get("stop_seconds", defaults.get("stop_seconds", 6))),
                fail_start=_failure_spec(spec.get("fail_start"), name, "START"),
                fail_stop=_failure_spec(spec.get("fail_stop"), name, "STOP"),
                health_override=choice(spec.get("health_status"), HEALTH_STATUSES, f"{name}.health_status"),
                health_after_start=choice(spec.get("health_after_start"), HEALTH_STATUSES,
                                           f"{name}.health_after_start"),
            )
        self.commands: dict[int, Command] = {}
        self._next_command = int(conf.get("first_command_id", 101))
        self.web_sessions: dict[str, Session] = {}
        self.tgts: dict[str, Session] = {}
        self.service_tickets: dict[str, str] = {}
        self.login_tickets: set[str] = set()
        self.failures: dict[str, int] = {}
        self.locked_until: dict[str, float] = {}

    # -- status model

    def dependents(self, name: str) -> list[str]:
        return [s.name for s in self.services.values() if name in s.depends_on]

    def health(self, service: Service) -> str:
        if service.health_override:
            return service.health_override
        if service.running_status != STARTED:
            return "UNKNOWN"
        if any(self._status_of(d) != STARTED for d in service.depends_on):
            return "BAD"
        if any(self._status_of(d) != STARTED for d in self._closure(service.name, "down")):
            return "PARTIALLY_HEALTHY"
        return "GOOD"

    def _status_of(self, name: str) -> str:
        service = self.services.get(name)
        return service.running_status if service else STARTED  # an absent dependency cannot hurt

    def _closure(self, name: str, direction: str) -> list[str]:
        """Transitive dependencies ("down") or dependents ("up"), nearest first, without `name`."""
        seen: list[str] = []
        frontier = [name]
        while frontier:
            current = frontier.pop(0)
            nxt = self.services[current].depends_on if direction == "down" and current in self.services else (
                self.dependents(current) if direction == "up" else [])
            for other in nxt:
                if other not in seen and other != name and other in self.services:
                    seen.append(other)
                    frontier.append(other)
        return seen

    def _ordered(self, names: list[str], direction: str) -> list[str]:
        """Order for execution: dependencies before dependents ("down"), or the reverse ("up")."""
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order:
                return
            for dep in self.services[name].depends_on:
                if dep in names:
                    visit(dep)
            order.append(name)

        for name in names:
            visit(name)
        return order if direction == "down" else list(reversed(order))

    def cluster_state(self) -> str:
        if self.cluster_state_override:
            return self.cluster_state_override
        good = all(s.running_status == STARTED and self.health(s) == "GOOD" for s in self.services.values())
        return "GOOD" if good else "BAD"

    def summary(self) -> dict:
        return {
            "cluster": {"id": self.cluster["id"], "name": self.cluster["name"], "state": self.cluster_state()},
            "services": {s.name: {"running_status": s.running_status, "health_status": self.health(s)}
                         for s in self.services.values()},
            "commands": {c.id: {"state": c.state, "steps": [st.name for st in c.steps]}
                         for c in self.commands.values() if c.state == "IN_PROGRESS"},
            "sessions": len(self.web_sessions),
        }

    # -- commands

    def plan(self, service: Service, operation: str, only_self: bool) -> list[Step] | dict:
        """Steps for start/stop/restart, or a failure dict for an only_self dependency check."""
        if operation == "RESTART":
            stop = [Step(service, "STOP", service.stop_seconds, service.fail_stop)] if service.running_status != STOPPED else []
            return stop + [Step(service, "START", service.start_seconds, service.fail_start)]
        target = STARTED if operation == "START" else STOPPED
        if only_self:
            names = [service.name]
        elif operation == "START":
            names = self._ordered([*self._closure(service.name, "down"), service.name], "down")
        else:
            names = self._ordered([*self._closure(service.name, "up"), service.name], "up")
        todo = [self.services[n] for n in names if self.services[n].running_status != target]
        if operation == "START" and only_self and todo:
            missing = [d for d in service.depends_on if self._status_of(d) != STARTED]
            if missing:
                return {"missing": missing}
        return [Step(s, operation, s.start_seconds if operation == "START" else s.stop_seconds,
                     s.fail_start if operation == "START" else s.fail_stop) for s in todo]

    def create_command(self, steps: list[Step], fault: Fault | None) -> Command:
        now = self.sim.now()
        command = Command(self._next_command, self.cluster["id"], steps)
        self._next_command += 1
        self.commands[command.id] = command
        if not steps:
            command.state = "COMPLETE"
            return command
        if fault:
            last = steps[-1]
            default_code = ERROR_STOP_FAILED if last.operation == "STOP" else ERROR_START_FAILED
            last.failure = {"error_code": _as_int(fault.error_code, default_code),
                            "description": fault.message or f"Failed to {last.operation.lower()} {last.service.name}.",
                            "entity": f"{last.service.name}(node-master1)"}
        seen: set[str] = set()
        for step in steps:
            if step.operation != "CHECK" and step.service.name not in seen:  # restart lists a service twice
                seen.add(step.service.name)
                step.previous = step.service.running_status
                step.service.busy_command = command.id
                step.service.running_status = _transitional(step.operation)
        self._begin_step(command, 0, now)
        return command

    def create_dependency_failure(self, service: Service, missing: list[str]) -> Command:
        step = Step(service, "CHECK", 1.0, {
            "error_code": ERROR_DEPENDENCY,
            "description": f"Failed to start {service.name}: dependent service(s) {', '.join(missing)} not started.",
            "entities": [{"fail_entity": name, "operation_type": "START"} for name in missing],
        })
        return self.create_command([step], None)

    def _begin_step(self, command: Command, index: int, when: float) -> None:
        step = command.steps[index]
        command.started.append(step)
        command.current_started_at = when
        if step.operation != "CHECK":
            step.service.running_status = _transitional(step.operation)
        self.sim.scheduler.at(when + self.sim.scaled(step.seconds), lambda t: self._end_step(command, index, t))

    def _end_step(self, command: Command, index: int, when: float) -> None:
        step = command.steps[index]
        command.finished_seconds += step.seconds
        if step.failure:
            command.state = "FAILED"
            command.error_code = step.failure["error_code"]
            command.error_description = step.failure["description"]
            command.fail_entities = step.failure.get("entities") or [
                {"fail_entity": step.failure["entity"], "operation_type": step.operation}]
            if step.operation != "CHECK":
                step.service.running_status = START_FAILED if step.operation == "START" else STOP_FAILED
            for later in command.steps[index + 1:]:  # never reached: back to where they were
                if later.previous is not None:
                    later.service.running_status = later.previous
            self._release(command)
            return
        step.service.running_status = STARTED if step.operation == "START" else STOPPED
        if step.operation == "START" and step.service.health_after_start:
            step.service.health_override = step.service.health_after_start
        if index + 1 < len(command.steps):
            self._begin_step(command, index + 1, when)
        else:
            command.state = "COMPLETE"
            self._release(command)

    @staticmethod
    def _release(command: Command) -> None:
        for step in command.steps:
            if step.service.busy_command == command.id:
                step.service.busy_command = None

    def progress(self, command: Command) -> float:
        if command.state == "COMPLETE":
            return 100.0
        total = sum(s.seconds for s in command.steps) or 1.0
        done = command.finished_seconds
        if command.state == "IN_PROGRESS" and command.current_started_at is not None:
            step = command.started[-1]
            span = self.sim.scaled(step.seconds)
            elapsed = self.sim.now() - command.current_started_at
            done += step.seconds * (min(1.0, elapsed / span) if span > 0 else 0.0)
        return round(min(99.9, 100.0 * done / total), 1)

    # -- authentication state

    def check_password(self, name: str, password: str) -> str:
        """Returns ok | bad | locked | must_change, counting consecutive failures."""
        now = self.sim.now()
        if self.locked_until.get(name, 0) > now:
            return "locked"
        user = self.users.get(name)
        if user is None or not same_secret(str(user["password"]), password):
            if user is not None:
                self.failures[name] = self.failures.get(name, 0) + 1
                if self.failures[name] >= self.lockout_attempts:
                    self.locked_until[name] = now + self.lockout_seconds
                    self.failures[name] = 0
            return "bad"
        self.failures[name] = 0
        return "must_change" if user.get("must_change_password") else "ok"

    def live_session(self, store: dict[str, Session], key: str | None, idle_seconds: float, request) -> Session | None:
        session = store.get(key) if key else None
        if session is None:
            return None
        lifetime = self.sim.lifetime(idle_seconds)
        now = self.sim.now()
        if request.get("expire_auth") or (lifetime is not None and now - session.last_used > lifetime):
            del store[key]
            return None
        session.last_used = now
        return session

    def expire_web_sessions(self) -> int:
        count = len(self.web_sessions)
        self.web_sessions.clear()
        return count

    def expire_tickets(self) -> int:
        count = len(self.tgts)
        self.tgts.clear()
        self.service_tickets.clear()
        return count

    # -- admin patch

    def patch(self, kind: str, ref: str, fields: dict) -> dict:
        if kind == "mrs_cluster":
            find_object({self.cluster["id"]: self.cluster}, ref, "cluster", f"MRS Manager {self.name}")
            only_fields(fields, ("state",), kind)
            self.cluster_state_override = choice(fields["state"], CLUSTER_STATES, "state")
            return self.summary()["cluster"]
        service = find_object(self.services, ref, "service", f"MRS Manager {self.name}")
        only_fields(fields, ("running_status", "health_status", "config_status", "health_after_start",
                       "fail_start", "fail_stop"), kind)
        checked = {
            "running_status": lambda v: choice(v, RUNNING_STATUSES, "running_status", allow_none=False),
            "health_status": lambda v: choice(v, HEALTH_STATUSES, "health_status"),
            "config_status": lambda v: choice(v, CONFIG_STATUSES, "config_status", allow_none=False),
            "health_after_start": lambda v: choice(v, HEALTH_STATUSES, "health_after_start"),
            "fail_start": lambda v: _failure_spec(v, service.name, "START"),
            "fail_stop": lambda v: _failure_spec(v, service.name, "STOP"),
        }
        values = {name: checked[name](value) for name, value in fields.items()}  # all valid before any change
        for name, value in values.items():
            setattr(service, "health_override" if name == "health_status" else name, value)
        return {"name": service.name, "running_status": service.running_status,
                "health_status": self.health(service), "config_status": service.config_status}


def _transitional(operation: str) -> str:
    return STARTING if operation == "START" else STOPPING


def _as_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _failure_spec(spec, service: str, operation: str) -> dict | None:
    if not spec:
        return None
    spec = spec if isinstance(spec, dict) else {}
    code = ERROR_START_FAILED if operation == "START" else ERROR_STOP_FAILED
    return {
        "error_code": _as_int(spec.get("error_code"), code),
        "description": spec.get("description", f"Failed to {operation.lower()} service {service}."),
        "entity": spec.get("entity", f"{service}(node-master1)"),
    }


def _listener_base(request: web.Request, listener_url: str) -> str:
    """Same host name the client used, with the listener's port (cookies stay on one host)."""
    port = urlsplit(listener_url).port
    return f"{request.scheme}://{request.url.host}:{port}"


class MrsCasApi(ApiFamily):
    api = "mrs_cas"

    def __init__(self, mrs: MrsManager) -> None:
        self.mrs = mrs
        self.instance = mrs.name

    def error_response(self, request, status, message=None, code=None) -> web.Response:
        return html_page("Error", f"<h2>HTTP {status}</h2><p>{html.escape(message or 'CAS error')}</p>", status)

    def _service_redirect(self, service: str, user: str) -> web.HTTPFound:
        ticket = "ST-" + secrets.token_hex(8) + "-cas"
        self.mrs.service_tickets[ticket] = user
        joiner = "&" if "?" in service else "?"
        return web.HTTPFound(f"{service}{joiner}ticket={ticket}")

    def _login_page(self, request: web.Request, message: str = "") -> web.Response:
        lt = "LT-" + secrets.token_hex(12) + "-cas"
        self.mrs.login_tickets.add(lt)
        service = html.escape(request.query.get("service", ""), quote=True)
        body = (
            f"<div id=\"msg\" class=\"errors\">{html.escape(message)}</div>" if message else ""
        ) + (
            f'<form id="fm1" method="post" action="/cas/login?service={service}">\n'
            '<input id="username" name="username" type="text" value=""/>\n'
            '<input id="password" name="password" type="password" value=""/>\n'
            f'<input type="hidden" name="lt" value="{lt}" />\n'
            '<input type="hidden" name="_eventId" value="submit" />\n'
            '<input name="submit" type="submit" value="Login"/>\n</form>'
        )
        response = html_page("MRS Manager - Login", body)
        if "casSessionId" not in request.cookies:
            response.set_cookie("casSessionId", secrets.token_hex(16), path="/cas", httponly=True, secure=request.secure)
        return response

    @route("GET", "/cas/login", AUTH)
    async def login_form(self, request: web.Request) -> web.Response:
        service = request.query.get("service")
        tgt = self.mrs.live_session(self.mrs.tgts, request.cookies.get("CASTGC"), self.mrs.tgt_seconds, request)
        if tgt and service:
            request["identity"] = tgt.user
            raise self._service_redirect(service, tgt.user)
        return self._login_page(request)

    @route("POST", "/cas/login", AUTH)
    async def login_submit(self, request: web.Request) -> web.Response:
        form = await request.post()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        request["identity"] = username or None
        lt = str(form.get("lt", ""))
        if lt not in self.mrs.login_tickets:
            return self._login_page(request, "Invalid login ticket, please log in again.")
        self.mrs.login_tickets.discard(lt)
        verdict = self.mrs.check_password(username, password)
        if verdict == "bad":
            return self._login_page(request, BAD_CREDENTIALS)
        if verdict == "locked":
            return self._login_page(request, "The account has been locked. Try again later.")
        if verdict == "must_change":
            return html_page("Change password", "<p>First login: change your password.</p>"
                             "<script>window.location.href='/web/pages/modify_password.html';</script>"
                             '<a href="/web/pages/modify_password.html">modify_password.html</a>')
        tgt = "TGT-" + secrets.token_hex(16) + "-cas"
        self.mrs.tgts[tgt] = Session(username, self.mrs.sim.now())
        service = request.query.get("service")
        response = self._service_redirect(service, username) if service else html_page(
            "Log In Successful", "<h2>Log In Successful</h2>")
        response.set_cookie("CASTGC", tgt, path="/cas", httponly=True, secure=request.secure)
        if isinstance(response, web.HTTPFound):
            raise response
        return response

    @route("POST", "/cas/logout", AUTH)
    @route("GET", "/cas/logout", AUTH)
    async def logout(self, request: web.Request) -> web.Response:
        session = self.mrs.tgts.pop(request.cookies.get("CASTGC", ""), None)
        request["identity"] = session.user if session else None
        response = html_page("Logout successful", "<h2>Logout successful</h2>")
        response.del_cookie("CASTGC", path="/cas")
        return response


class MrsWebApi(ApiFamily):
    api = "mrs_web"

    def __init__(self, mrs: MrsManager) -> None:
        self.mrs = mrs
        self.instance = mrs.name

    @property
    def cookie_name(self) -> str:
        return "JSESSIONID" if self.mrs.security else "FISessionId"

    def error_response(self, request, status, message=None, code=None) -> web.Response:
        return error_envelope(status, message or "internal error", int(code) if code is not None else None)

    def _cas_login_url(self, request: web.Request) -> str:
        service = _listener_base(request, self.mrs.web.url) + "/web/cas_security_check.htm"
        return _listener_base(request, self.mrs.cas.url) + "/cas/login?service=" + quote(service, safe="")

    def _redirect_to_cas(self, request: web.Request) -> web.HTTPFound:
        """302 whose Location keeps `service` percent-encoded as in mrs-manager.md §3.5 (aiohttp would
        normalise it to a bare `service=https://...` otherwise)."""
        url = self._cas_login_url(request)
        redirect = web.HTTPFound(url)
        redirect.headers["Location"] = url
        return redirect

    def _session(self, request: web.Request) -> Session | None:
        session = self.mrs.live_session(
            self.mrs.web_sessions, request.cookies.get(self.cookie_name), self.mrs.session_idle_seconds, request)
        if session:
            request["identity"] = session.user
        return session

    def _not_authenticated(self, request: web.Request) -> web.Response:
        if self.mrs.security and self.mrs.sim.config["mrs_session_expiry"] == "redirect":
            raise self._redirect_to_cas(request)
        return error_envelope(401, "session invalid or expired")

    def _new_session(self, user: str) -> str:
        token = secrets.token_hex(16).upper()
        self.mrs.web_sessions[token] = Session(user, self.mrs.sim.now())
        return token

    def _service(self, request: web.Request) -> Service | web.Response:
        cluster_id = request.match_info["cluster_id"]
        name = request.match_info["service_name"]
        if cluster_id != str(self.mrs.cluster["id"]):
            return error_envelope(404, f"cluster {cluster_id} not found")
        service = self.mrs.services.get(name)
        return service if service else error_envelope(404, f"service {name} not found")

    @route("GET", "/web/cas_security_check.htm", AUTH)
    async def security_check(self, request: web.Request) -> web.Response:
        user = self.mrs.service_tickets.pop(request.query.get("ticket", ""), None)
        if user is None:
            raise self._redirect_to_cas(request)
        request["identity"] = user
        response = web.HTTPFound("/web/v1/access/login_check")
        response.set_cookie("JSESSIONID", self._new_session(user), path="/web", httponly=True, secure=request.secure)
        raise response

    @route("GET", "/web/v1/access/login_check", AUTH)
    async def login_check(self, request: web.Request) -> web.Response:
        session = self._session(request)
        body = envelope(modify_pwd=False, exist_cluster=True, remind_pwd=False, ref_URL="",
                        token=secrets.token_hex(16))
        if session:
            return json_response(body)
        if self.mrs.security:
            raise self._redirect_to_cas(request)
        user = self._basic_login(request)
        if isinstance(user, web.Response):
            return user
        response = json_response(body)
        response.set_cookie("FISessionId", self._new_session(user), path="/web", httponly=True, secure=request.secure)
        return response

    def _basic_login(self, request: web.Request) -> str | web.Response:
        """Non-security clusters: credentials as HTTP Basic on login_check (our choice, see guide)."""
        header = request.headers.get("Authorization", "")
        try:
            name, password = base64.b64decode(header.removeprefix("Basic ")).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            return error_envelope(401, "no credentials: send HTTP Basic on login_check")
        request["identity"] = name
        verdict = self.mrs.check_password(name, password)
        if verdict == "ok":
            return name
        if verdict == "must_change":
            return error_envelope(401, "password must be changed first: modify_password.html")
        if verdict == "locked":
            return error_envelope(401, "the account has been locked")
        return error_envelope(401, BAD_CREDENTIALS)

    @route("GET", "/web/v1/logout_action", AUTH)
    async def logout(self, request: web.Request) -> web.Response:
        cookie = request.cookies.get(self.cookie_name)
        session = self.mrs.web_sessions.pop(cookie, None) if cookie else None
        request["identity"] = session.user if session else None
        return json_response(envelope())

    @route("GET", "/web/v1/clusters", READ)
    async def clusters(self, request: web.Request) -> web.Response:
        if not self._session(request):
            return self._not_authenticated(request)
        cluster = self.mrs.cluster
        return json_response(envelope(res_obj={"clusters": [{
            "stack": cluster["stack"], "id": cluster["id"], "name": cluster["name"],
            "description": cluster["description"], "version": cluster["version"], "cluster_state": "Null",
            "stack_model": "Sec" if self.mrs.security else "NoSec", "lic_state": "Null",
        }]}))

    @route("GET", "/web/v1/cluster/{cluster_id}/status", READ)
    async def cluster_status(self, request: web.Request) -> web.Response:
        if not self._session(request):
            return self._not_authenticated(request)
        if request.match_info["cluster_id"] != str(self.mrs.cluster["id"]):
            return error_envelope(404, f"cluster {request.match_info['cluster_id']} not found")
        return json_response(envelope(res_obj={"state": self.mrs.cluster_state()}))

    @route("GET", "/web/v1/cluster/{cluster_id}/services", READ)
    async def list_services(self, request: web.Request) -> web.Response:
        """Non-contract extra (gap G1): modules must not use it."""
        if not self._session(request):
            return self._not_authenticated(request)
        if request.match_info["cluster_id"] != str(self.mrs.cluster["id"]):
            return error_envelope(404, f"cluster {request.match_info['cluster_id']} not found")
        return json_response(envelope(res_obj={"services": [
            {"name": s.name, "running_status": s.running_status, "health_status": self.mrs.health(s),
             "config_status": s.config_status} for s in self.mrs.services.values()]}))

    @route("GET", "/web/v1/cluster/{cluster_id}/services/{service_name}", READ)
    async def service_summary(self, request: web.Request) -> web.Response:
        if not self._session(request):
            return self._not_authenticated(request)
        service = self._service(request)
        if isinstance(service, web.Response):
            return service
        return json_response(envelope(res_obj={"key_property": [
            {"name": "running_status", "value": service.running_status, "type": "STATUS"},
            {"name": "health_status", "value": self.mrs.health(service), "type": "STATUS"},
            {"name": "config_status", "value": service.config_status, "type": "STATUS"},
            {"name": "version", "value": service.version, "type": "TEXT"},
        ]}))

    async def _operate(self, request: web.Request, operation: str) -> web.Response:
        if not self._session(request):
            return self._not_authenticated(request)
        service = self._service(request)
        if isinstance(service, web.Response):
            return service
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return error_envelope(400, "malformed JSON body")
        only_self = body.get("only_self", True) if isinstance(body, dict) else None
        if not isinstance(only_self, bool) or ("user_password" in body and not isinstance(body["user_password"], (str, type(None)))):
            return error_envelope(400, "invalid request parameter")
        plan = self.mrs.plan(service, operation, only_self)
        involved = [service] + ([s.service for s in plan] if isinstance(plan, list) else [])
        if any(s.busy_command is not None for s in involved):
            return error_envelope(409, "another operation is in progress")
        if isinstance(plan, dict):
            command = self.mrs.create_dependency_failure(service, plan["missing"])
        else:
            command = self.mrs.create_command(plan, self.mrs.sim.faults.take_task_failure(request) if plan else None)
        return json_response(envelope(id=command.id, state=command.state,
                                      total_progress=100 if command.state == "COMPLETE" else 0))

    @route("POST", "/web/v1/maintain/cluster/{cluster_id}/service/{service_name}/start", ACTION)
    async def start(self, request: web.Request) -> web.Response:
        return await self._operate(request, "START")

    @route("POST", "/web/v1/maintain/cluster/{cluster_id}/service/{service_name}/stop", ACTION)
    async def stop(self, request: web.Request) -> web.Response:
        return await self._operate(request, "STOP")

    @route("POST", "/web/v1/maintain/cluster/{cluster_id}/service/{service_name}/restart", ACTION)
    async def restart(self, request: web.Request) -> web.Response:
        """Non-contract extra (gap G3): stop then start as one command."""
        return await self._operate(request, "RESTART")

    @route("GET", "/web/v1/common/command/{command_id}/progress", POLL)
    async def command_progress(self, request: web.Request) -> web.Response:
        if not self._session(request):
            return self._not_authenticated(request)
        raw_id = request.match_info["command_id"]
        command = self.mrs.commands.get(int(raw_id)) if raw_id.lstrip("-").isdigit() else None
        if command is None:
            return error_envelope(404, "command not found", command_id=int(raw_id) if raw_id.lstrip("-").isdigit() else -1)
        return json_response(envelope(
            id=command.id, state=command.state, error_code=command.error_code,
            error_description=command.error_description, total_progress=self.mrs.progress(command),
            res_obj={
                "cluster_id": command.cluster_id,
                "step_list": [{"name": s.name, "description": f"{s.name} on cluster {self.mrs.cluster['name']}"}
                              for s in command.started],
                "fail_entity_list": command.fail_entities,
                "total_step_size": len(command.steps),
            },
        ))
