"""Huawei Cloud Bare Metal Server v1: batch power actions, jobs, server queries."""

from __future__ import annotations

import functools
import json
import random
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from .clock import iso_millis_z, iso_seconds_z
from .core import (ACTION, ApiFamily, POLL, READ, Fault, choice, find_object, json_response, new_hex, only_fields,
                   retry_after_headers, route)
from .iam import GatewayError, gateway_response, request_id

MAX_BATCH = 1000
OPERATIONS = ("os-start", "os-stop", "reboot")
REBOOT_TASK_STATES = ("rebooting", "reboot_started", "reboot_started_hard")
# bms.md §7.1 and §4.6
SERVER_STATUSES = ("ACTIVE", "SHUTOFF", "REBOOT", "HARD_REBOOT", "BUILD", "ERROR", "DELETED")
TASK_STATES = (*REBOOT_TASK_STATES, "powering-off", "powering-on", "rebuilding", "scheduling", "deleting")

BMS_MESSAGES = {
    "BMS.0001": "The request body cannot be parsed.",
    "BMS.0006": "Failed to operate the BMS.",
    "BMS.0018": "Request parameter is invalid.",
    "BMS.0035": "Server is powering on, other operations are not allowed.",
    "BMS.0036": "Server is powering off, other operations are not allowed.",
    "BMS.0037": "Server is rebooting, other operations are not allowed.",
    "BMS.0038": "Server is running, not allow to start.",
    "BMS.0039": "Server is stopped, not allow to stop.",
    "BMS.0040": "The server does not exist.",
    "BMS.3037": "Insufficient resources or failed to start the BMS.",
    "Common.0018": "The tenant ID in the token is different from the one in the URL.",
    "BMS.JOB_NOT_FOUND": "job not found",
}


# status -> (code, message) of the gateway error a bare status fault stands for (bms.md §6.3)
GATEWAY_ERRORS = {
    401: ("APIGW.0301", "Incorrect IAM authentication information"),
    403: ("APIGW.0302", "The IAM user is not authorized to access the API."),
    404: ("APIGW.0101", "The API does not exist or has not been published in the environment"),
    429: ("APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"),
    503: ("APIGW.0613", "IAM is unavailable."),
}
# bms.md §6.3: APIGW.0201, "request or backend error", documented with 502 and 504 among others (its status varies).
GATEWAY_BACKEND_ERROR = ("APIGW.0201", "Backend unavailable")


@dataclass(slots=True)
class Server:
    id: str
    name: str
    status: str
    created: float
    updated: float
    tags: list[str]
    flavor: str
    availability_zone: str
    task_state: str | None = None
    fail_next: bool = False
    locked: bool = False
    status_after_start: str | None = None  # knob: where a successful start or reboot leaves the server

    @property
    def idle(self) -> bool:
        return self.task_state is None


@dataclass(slots=True)
class SubJob:
    job_id: str
    server_id: str
    status: str = "INIT"
    begin_time: float | None = None
    end_time: float | None = None
    error_code: str | None = None
    fail_reason: str | None = None

    def finish(self, when: float, code: str | None = None, reason: str | None = None) -> None:
        self.status = "FAIL" if code else "SUCCESS"
        self.begin_time = self.begin_time or when
        self.end_time, self.error_code, self.fail_reason = when, code, reason


@dataclass(slots=True)
class Outcome:
    """What one scheduled sub-job completion does: server end state (None: untouched) and error."""

    sub: SubJob
    server: Server | None
    final_status: str | None
    error_code: str | None
    fail_reason: str | None


@dataclass
class Job:
    job_id: str
    project_id: str
    operation: str
    begin_time: float
    sub_jobs: list[SubJob]
    status: str = "INIT"
    end_time: float | None = None
    error_code: str | None = None
    fail_reason: str | None = None
    open_sub_jobs: int = field(default=0)


def gateway_checked(write: bool):
    """Run the gateway checks (auth, project, rate limit) before a BMS handler; pass it the project id."""

    def decorate(handler):
        @functools.wraps(handler)
        async def checked(self, request: web.Request) -> web.Response:
            project_id = request.match_info["project_id"]
            denied = await self._authorize(request, project_id, write=write)
            return denied or await handler(self, request, project_id)

        return checked

    return decorate


def _job_dict(job, job_type: str, entities: dict) -> dict:
    return {
        "status": job.status,
        "entities": entities,
        "job_id": job.job_id,
        "job_type": job_type,
        "begin_time": iso_millis_z(job.begin_time) if job.begin_time else None,
        "end_time": iso_millis_z(job.end_time) if job.end_time else None,
        "error_code": job.error_code,
        "fail_reason": job.fail_reason,
    }


class BmsApi(ApiFamily):
    """One region's BMS endpoint (`bms.<region>.myhuaweicloud.com`): the servers of the region's project."""

    api = "bms"

    def __init__(self, sim, region: str) -> None:
        self.sim = sim
        self.instance = self.region = region

    def reset(self, conf: dict) -> None:
        self.project = conf["project"]  # {name, id}, filled in by scenario.resolve_instances
        self.job_init_seconds = float(conf.get("job_init_seconds", 1))
        low, high = conf.get("job_run_seconds", [5, 10])
        self.job_run_seconds = (float(low), float(high))
        self.servers: dict[str, Server] = {}
        self._overrides = conf.get("server_overrides", {})  # by server name
        created = self.sim.now() - 86400 * 30
        for spec in conf.get("servers", []):
            self._add_server(spec, created)
        generate = conf.get("generate")
        if generate:
            region_defaults = {"availability_zone": f"{self.region}a"}
            if self.region != self.sim.default_instance("bms"):  # its own seed: ids unlike the default region's
                region_defaults["seed"] = zlib.crc32(self.region.encode())
            for spec in generated_servers({**region_defaults, **generate}):
                self._add_server(spec, created)
        self.jobs: dict[str, Job] = {}
        self._rate_windows: dict[tuple, list] = {}

    def _add_server(self, spec: dict, created: float) -> None:
        spec = {**spec, **self._overrides.get(spec["name"], {})}
        server = Server(
            id=spec["id"], name=spec["name"], status=spec.get("status", "ACTIVE"), created=created,
            updated=created, tags=list(spec.get("tags", [])), flavor=spec.get("flavor", "physical.s4.medium"),
            availability_zone=spec.get("availability_zone", f"{self.region}a"), fail_next=bool(spec.get("fail_next")),
            locked=bool(spec.get("locked")),
            status_after_start=choice(spec.get("status_after_start"), SERVER_STATUSES, "status_after_start"),
        )
        choice(server.status, SERVER_STATUSES, f"server {server.name} status", allow_none=False)
        self.servers[server.id] = server

    # -- family hooks

    def error_response(self, request, status, message=None, code=None) -> web.Response:
        # bms.md §6.3: 401, 403, 404, 429 and the 5xx come from the API gateway, in its shape, unless a BMS code
        # is asked for. bms.md documents no BMS code with a 5xx status (§6.4 lists only 400/403 ones; BMS.0212
        # "retry later" is a 400), so every 5xx is the gateway's: 503 APIGW.0613, any other APIGW.0201, the
        # gateway's "request or backend error" whose status varies (README choice 59).
        gateway = GATEWAY_ERRORS.get(status) or (GATEWAY_BACKEND_ERROR if status >= 500 else None)
        if gateway and (code is None or str(code).startswith("APIG")):
            return gateway_response(request, status, str(code or gateway[0]), message or gateway[1])
        code = str(code or "BMS.0018")
        return json_response({"error": {"code": code, "message": message or BMS_MESSAGES.get(code, "error")}}, status)

    def unrouted_response(self, request, status, message) -> web.Response:
        # bms.md §6.3: the gateway answers 404 APIGW.0101 for a wrong host, path *or method*
        return gateway_response(request, 404, "APIGW.0101", message)

    def throttle_response(self, request, fault: Fault) -> web.Response:
        message = fault.message or "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute"
        return gateway_response(request, 429, "APIGW.0308", message, retry_after_headers(fault))

    def decorate(self, request, response) -> None:
        response.headers.setdefault("X-Request-Id", request_id(request))

    def summary(self) -> dict:
        return {
            "region": self.region,
            "project_id": self.project["id"],
            "counts": dict(Counter(s.status for s in self.servers.values())),
            "busy": sum(not s.idle for s in self.servers.values()),
            "servers": {s.id: {"name": s.name, "status": s.status, "task_state": s.task_state, "locked": s.locked}
                        for s in self.servers.values()},
            "jobs": {j.job_id: {"status": j.status, "operation": j.operation, "servers": len(j.sub_jobs)}
                     for j in self.jobs.values() if j.status in ("INIT", "RUNNING")},
        }

    # -- helpers

    def patch(self, kind: str, ref: str, fields: dict) -> dict:
        server = find_object(self.servers, ref, "server", f"BMS region {self.region}")
        only_fields(fields, ("status", "OS-EXT-STS:task_state", "locked", "fail_next", "status_after_start"), kind)
        for flag in ("locked", "fail_next"):
            if flag in fields and not isinstance(fields[flag], bool):
                raise ValueError(f"{flag} must be true or false")
        status = choice(fields.get("status", server.status), SERVER_STATUSES, "status", allow_none=False)
        task_state = choice(fields.get("OS-EXT-STS:task_state", server.task_state), TASK_STATES, "OS-EXT-STS:task_state")
        after = choice(fields.get("status_after_start", server.status_after_start), SERVER_STATUSES, "status_after_start")
        server.status, server.task_state, server.status_after_start = status, task_state, after
        server.locked = fields.get("locked", server.locked)
        server.fail_next = fields.get("fail_next", server.fail_next)
        server.updated = self.sim.now()
        return {"id": server.id, "name": server.name, "status": server.status, "OS-EXT-STS:task_state": server.task_state,
                "locked": server.locked}

    def _bms_error(self, code: str, status: int = 400, message: str | None = None) -> web.Response:
        return json_response({"error": {"code": code, "message": message or BMS_MESSAGES[code]}}, status)

    async def _authorize(self, request: web.Request, project_id: str, write: bool) -> web.Response | None:
        """Gateway checks: credentials, project match, optional rate limit. None when allowed."""
        try:
            principal = self.sim.iam.authenticate(request, await request.read())
        except GatewayError as err:
            return gateway_response(request, err.status, err.code, err.message)
        mine = self.project["id"]
        if principal.project_id and principal.project_id != mine and principal.project_id in self.sim.iam.project_ids():
            # credentials scoped to another region's project: bms.md §6.3 gives APIGW.0307 for a token
            # "from another region"; for AK/SK (X-Project-Id) our choice is APIGW.0301
            if principal.via == "token":
                return gateway_response(request, 401, "APIGW.0307", "The token must be updated.")
            return gateway_response(request, 401, "APIGW.0301", "Incorrect IAM authentication information: "
                                    f"project {principal.project_id} is not in region {self.region}")
        if project_id != mine or (principal.project_id and principal.project_id != project_id):
            return self._bms_error("Common.0018")
        if principal.via == "token" and principal.project_id is None:
            return gateway_response(request, 401, "APIGW.0301", "Incorrect IAM authentication information: token is not project-scoped")
        return self._rate_limit(request, project_id, write)

    def _rate_limit(self, request: web.Request, project_id: str, write: bool) -> web.Response | None:
        config = self.sim.config
        if not config["bms_rate_limit"]:
            return None
        limit, window = (
            (config["bms_rate_limit_writes_per_minute"], 60.0) if write else (config["bms_rate_limit_reads_per_second"], 1.0)
        )
        now = self.sim.now()
        key = (project_id, write)
        start, used = self._rate_windows.get(key, (now, 0))
        if now - start >= window:
            start, used = now, 0
        if used >= limit:
            unit = "1 minute" if write else "1 second"
            return gateway_response(request, 429, "APIGW.0308",
                                    f"The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:{unit}")
        self._rate_windows[key] = (start, used + 1)
        return None

    def server_body(self, s: Server) -> dict:
        running = s.status in ("ACTIVE", "REBOOT", "HARD_REBOOT")
        body = {
            "id": s.id,
            "name": s.name,
            "status": s.status,
            "OS-EXT-STS:task_state": s.task_state,
            "OS-EXT-STS:vm_state": {"ACTIVE": "active", "SHUTOFF": "stopped", "ERROR": "error"}.get(s.status, "active"),
            "OS-EXT-STS:power_state": 1 if running else 4,
            "locked": s.locked,
            "host_status": "UP",
            "created": iso_seconds_z(s.created),
            "updated": iso_seconds_z(s.updated),
            "OS-SRV-USG:launched_at": iso_seconds_z(s.created).rstrip("Z") + ".000000",
            "OS-EXT-AZ:availability_zone": s.availability_zone,
            "tenant_id": self.project["id"],
            "user_id": next(iter(self.sim.iam.users.values()), {}).get("id", ""),
            "flavor": {"id": s.flavor, "name": s.flavor, "vcpus": "32", "ram": "262144", "disk": "0"},
            "metadata": {},
            "addresses": {},
            "tags": list(s.tags),
            "enterprise_project_id": "0",
            "sys_tags": [],
        }
        if s.status == "ERROR":  # bms.md §4.6: `fault` {code:int, message, details, created}, present when faulty
            body["fault"] = {"code": 500, "message": "BMS hardware fault",
                             "details": "The BMS failed its last health check (simulated).",
                             "created": iso_seconds_z(s.updated)}
        return body

    # -- routes

    @route("POST", "/v1/{project_id}/baremetalservers/action", ACTION)
    @gateway_checked(write=True)
    async def action(self, request: web.Request, project_id: str) -> web.Response:
        parsed = self._parse_action(await request.read())
        if isinstance(parsed, web.Response):
            return parsed
        operation, reboot_type, server_ids = parsed
        verdicts = {sid: self._check(self.servers.get(sid), operation) for sid in server_ids}
        rejected = [(sid, code) for sid, code in verdicts.items() if code]
        if rejected and self.sim.config["bms_wrong_state_mode"] == "sync":
            code = rejected[0][1]
            return self._bms_error(code, message=_wrong_state_message(code, operation))
        fault = self.sim.faults.take_task_failure(request)
        job = self._start_job(project_id, operation, reboot_type, verdicts, fault)
        # For the request log: every server the accepted action names, and those whose sub-job fails at once.
        request["targets"] = {"operation": operation, "servers": list(verdicts),
                              "refused": [sid for sid, code in verdicts.items() if code]}
        return json_response({"job_id": job.job_id})

    def _parse_action(self, raw: bytes):
        try:
            body = json.loads(raw)
        except ValueError:
            return self._bms_error("BMS.0001")
        if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in OPERATIONS:
            return self._bms_error("BMS.0001")
        operation, spec = next(iter(body.items()))
        if not isinstance(spec, dict) or not isinstance(spec.get("servers"), list):
            return self._bms_error("BMS.0018")
        entries = spec["servers"]
        if not 1 <= len(entries) <= MAX_BATCH:
            return self._bms_error("BMS.0018", message=f"Request parameter is invalid: servers must hold 1 to {MAX_BATCH} entries.")
        if not all(isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"] for e in entries):
            return self._bms_error("BMS.0018")
        kind = spec.get("type")
        if operation == "reboot" and kind not in ("HARD", "SOFT"):
            return self._bms_error("BMS.0018", message="Request parameter is invalid: reboot.type must be HARD or SOFT.")
        if operation == "os-stop" and kind not in (None, "HARD", "SOFT"):
            return self._bms_error("BMS.0018", message="Request parameter is invalid: os-stop.type must be HARD or SOFT.")
        return operation, kind or "HARD", list(dict.fromkeys(e["id"] for e in entries))

    @staticmethod
    def _check(server: Server | None, operation: str) -> str | None:
        """Error code that makes this server's sub-job fail, or None when it may proceed."""
        if server is None:
            return "BMS.0040"
        if server.task_state == "powering-on":
            return "BMS.0035"
        if server.task_state == "powering-off":
            return "BMS.0036"
        if server.task_state in REBOOT_TASK_STATES or server.status in ("REBOOT", "HARD_REBOOT"):
            return "BMS.0037"
        if not server.idle or server.status not in ("ACTIVE", "SHUTOFF", "ERROR"):
            return "BMS.0006"
        if operation == "os-stop":
            return "BMS.0039" if server.status == "SHUTOFF" else None
        if operation == "os-start":
            return {"ACTIVE": "BMS.0038", "ERROR": "BMS.0006"}.get(server.status)
        return {"SHUTOFF": "BMS.0039", "ERROR": "BMS.0006"}.get(server.status)

    def _start_job(self, project_id, operation, reboot_type, verdicts: dict, fault: Fault | None) -> Job:
        now = self.sim.now()
        sub_jobs = [SubJob(new_hex(32), sid) for sid in verdicts]
        job = Job(new_hex(32), project_id, operation, now, sub_jobs, open_sub_jobs=len(sub_jobs))
        self.jobs[job.job_id] = job
        doomed = set(fault.servers or verdicts) if fault else set()
        start_at = now + self.sim.scaled(self.job_init_seconds)
        outcomes: dict[float, list[Outcome]] = {}
        for sub in sub_jobs:
            server = self.servers.get(sub.server_id)
            code = verdicts[sub.server_id]
            if code:  # wrong state: the sub-job fails as soon as it would start
                outcomes.setdefault(start_at, []).append(
                    Outcome(sub, None, None, code, _wrong_state_message(code, operation)))
                continue
            steady = server.status
            self._begin_transition(server, operation, reboot_type, now)
            due = start_at + self.sim.scaled(self._run_seconds(sub.server_id))
            if sub.server_id in doomed or server.fail_next:
                server.fail_next = False
                code = (fault and fault.error_code) or ("BMS.3037" if operation == "os-start" else "BMS.0006")
                reason = (fault and fault.fail_reason) or BMS_MESSAGES.get(code, "failed")
                outcomes.setdefault(due, []).append(Outcome(sub, server, steady, str(code), reason))
            else:
                final = "SHUTOFF" if operation == "os-stop" else (server.status_after_start or "ACTIVE")
                outcomes.setdefault(due, []).append(Outcome(sub, server, final, None, None))
        self.sim.scheduler.at(start_at, lambda when: self._mark_running(job, when))
        for due, batch in outcomes.items():
            self.sim.scheduler.at(due, lambda when, batch=batch: self._finish(job, batch, when))
        return job

    def _run_seconds(self, server_id: str) -> float:
        low, high = self.job_run_seconds
        spread = (zlib.crc32(server_id.encode()) % 1000) / 1000
        return round(low + (high - low) * spread, 1)

    @staticmethod
    def _begin_transition(server: Server, operation: str, reboot_type: str, now: float) -> None:
        if operation == "os-stop":
            server.task_state = "powering-off"
        elif operation == "os-start":
            server.task_state = "powering-on"
        elif reboot_type == "SOFT":
            server.status, server.task_state = "REBOOT", "reboot_started"
        else:
            server.status, server.task_state = "HARD_REBOOT", "reboot_started_hard"
        server.updated = now

    @staticmethod
    def _mark_running(job: Job, when: float) -> None:
        if job.status == "INIT":
            job.status = "RUNNING"
        for sub in job.sub_jobs:
            if sub.status == "INIT":
                sub.status, sub.begin_time = "RUNNING", when

    @staticmethod
    def _finish(job: Job, batch: list[Outcome], when: float) -> None:
        for outcome in batch:
            if outcome.server is not None:
                outcome.server.status, outcome.server.task_state = outcome.final_status, None
                outcome.server.updated = when
            outcome.sub.finish(when, outcome.error_code, outcome.fail_reason)
        job.open_sub_jobs -= len(batch)
        if job.open_sub_jobs == 0:
            failed = next((s for s in job.sub_jobs if s.status == "FAIL"), None)
            job.status, job.end_time = ("FAIL" if failed else "SUCCESS"), when
            if failed:
                job.error_code, job.fail_reason = failed.error_code, failed.fail_reason

    @route("GET", "/v1/{project_id}/jobs/{job_id}", POLL)
    @gateway_checked(write=False)
    async def show_job(self, request: web.Request, project_id: str) -> web.Response:
        job = self.jobs.get(request.match_info["job_id"])
        if job is None or job.project_id != project_id:
            return self._bms_error("BMS.JOB_NOT_FOUND", 404)
        sub_jobs = [_job_dict(s, "baremetalSingleOperate", {"server_id": s.server_id}) for s in job.sub_jobs]
        return json_response(_job_dict(job, "baremetalBatchOperate",
                                       {"sub_jobs_total": len(sub_jobs), "sub_jobs": sub_jobs}))

    @route("GET", "/v1/{project_id}/baremetalservers/detail", READ)
    @gateway_checked(write=False)
    async def list_servers(self, request: web.Request, project_id: str) -> web.Response:
        query = request.query
        try:
            limit = int(query.get("limit", 25))
            page = int(query.get("offset", 1))
        except ValueError:
            return self._bms_error("BMS.0018")
        if not 1 <= limit <= 1000 or page < 0:
            return self._bms_error("BMS.0018", message="Request parameter is invalid: limit must be 1 to 1000.")
        matches = [s for s in self.servers.values() if _server_matches(s, query)]
        start = (max(page, 1) - 1) * limit
        return json_response({"count": len(matches),
                              "servers": [self.server_body(s) for s in matches[start:start + limit]]})

    @route("GET", "/v1/{project_id}/baremetalservers/{server_id}", READ)
    @gateway_checked(write=False)
    async def show_server(self, request: web.Request, project_id: str) -> web.Response:
        server = self.servers.get(request.match_info["server_id"])
        if server is None:
            return self._bms_error("BMS.0040", 404)
        return json_response({"server": self.server_body(server)})


def _wrong_state_message(code: str, operation: str) -> str:
    verb = {"os-start": "start", "os-stop": "stop", "reboot": "reboot"}[operation]
    if code == "BMS.0039":
        return f"Server is stopped, not allow to {verb}."
    return BMS_MESSAGES.get(code, "error")


def _server_matches(server: Server, query) -> bool:
    if "name" in query and query["name"] not in server.name:
        return False
    if "status" in query and server.status != query["status"]:
        return False
    if "flavor" in query and server.flavor != query["flavor"]:
        return False
    if "tags" in query and not set(query["tags"].split(",")) <= set(server.tags):
        return False
    return True


def generated_servers(spec: dict) -> list[dict]:
    """Deterministic fleet: rackNN-nodeNNN names, seeded UUIDs, a few SHUTOFF servers."""
    rng = random.Random(spec.get("seed", 4))
    count, per_rack = int(spec.get("count", 300)), int(spec.get("per_rack", 30))
    prefix = str(spec.get("name_prefix", ""))
    shutoff_every = int(spec.get("shutoff_every", 0))
    servers = []
    for index in range(count):
        rack, node = divmod(index, per_rack)
        servers.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "name": f"{prefix}rack{rack + 1:02d}-node{node + 1:03d}",
            "status": "SHUTOFF" if shutoff_every and index % shutoff_every == shutoff_every - 1 else "ACTIVE",
            "tags": [f"rack=rack{rack + 1:02d}", *spec.get("tags", [])],
            "availability_zone": spec.get("availability_zone", "cn-north-4a"),
        })
    return servers
