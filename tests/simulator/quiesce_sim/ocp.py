"""OceanBase Cloud Platform `/api/v2`: clusters, async tasks (subtask DAGs), hosts and OCP Agent."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from .clock import iso_millis
from .core import (ACTION, ApiFamily, AUTH, POLL, READ, Fault, choice, find_object, json_response, new_hex,
                   only_fields, retry_after_headers, route)
from .signing import MAX_SKEW_SECONDS, ocp_date_skew, parse_ocp_authorization, same_secret, verify_ocp

# Task DAGs: each stage runs after the previous one; a "per_server"/"per_host" stage fans out.
STOP_CLUSTER = [
    "Prepare stop cluster", "Prepare stop OB zone", "Wait node", "Prepare stop observer", "Wait node",
    "Stop observer process", "Wait node", "Update observer status", "Wait node", "Update zone status",
    "Update OB cluster status",
]
START_CLUSTER = [
    "Prepare start cluster", "Prepare start OB zone", "Wait node", "Prepare start observer", "Wait node",
    ("Start observer process", "per_server"), "Wait node", ("Wait observer accessible", "per_server"),
    "Start ocp agent service", "Wait node", "Start server", "Start zone", "Wait node",
    "Update observer status", "Update zone status", "Sync all tenant information", "Update OB cluster status",
]
RESTART_CLUSTER = [
    "Prepare restart cluster", "Wait node", ("Stop observer process", "per_server"), "Wait node",
    ("Start observer process", "per_server"), "Wait node", ("Wait observer accessible", "per_server"),
    "Start ocp agent service", "Start server", "Start zone", "Wait node", "Sync cluster information",
    "Sync all tenant information", "Update observer status", "Update zone status", "Update OB cluster status",
]
STOP_AGENT = [("Stop OCP agent processes", "per_host"), "Wait node", "Update OCP agent status"]
RESTART_AGENT = [("Restart OCP agent processes", "per_host"), "Wait node", ("Check OCP agent status", "per_host"),
                 "Update OCP agent status"]
DEFAULT_FAILING_SUBTASK = {
    "Stop OB cluster": "Stop observer process",
    "Start OB cluster": "Start observer process",
    "Restart OB cluster": "Start observer process",
}

AGENT_PROCESSES = [  # alias, ports, operable (ocp_agentd and pos_proxy are OCP's own channel)
    ("ocp_agentd", "62888", False), ("pos_proxy", "62889", False), ("node_exporter", "62887", True),
    ("ocp_exporter", "62885", True), ("obstat2", "", True), ("ob_logtailer", "62886", True),
    ("ob_cleaner", "", True),
]

# ocp.md §8.1 (cluster), §5.8 (host and host agent), §8.2 (agent process)
CLUSTER_STATUSES = ("RUNNING", "CREATING", "DELETING", "STARTING", "RESTARTING", "STOPPING", "STOPPED", "TAKINGOVER",
                    "MOVINGOUT", "SWITCHOVER", "FAILOVER", "OPERATING")
HOST_STATUSES = ("NEW", "AVAILABLE", "ONLINE", "OFFLINE", "DELETING")
HOST_AGENT_STATUSES = ("AVAILABLE", "RESTARTING", "STOPPING", "REINTSTALLING", "OFFLINE", "DELETED")
PROCESS_STATUSES = ("STARTED", "STOPPED")
HELD_TASK = "Maintain OB cluster"  # the default name of a task a scenario or /_admin/patch keeps running

PERMISSIONS = {"CLUSTER_VIEWER", "CLUSTER_MANAGER", "TASK_VIEWER", "TASK_MANAGER", "HOST_VIEWER", "HOST_MANAGER"}


@dataclass
class Subtask:
    id: int
    series_id: int
    name: str
    seconds: float
    parallel_idx: int = -1
    status: str = "PENDING"
    operation: str = "EXECUTE"
    run_time: int = 0
    upstreams: list[int] = field(default_factory=list)
    downstreams: list[int] = field(default_factory=list)
    start_time: float | None = None
    finish_time: float | None = None
    fail_next: bool = False
    log: list[str] = field(default_factory=list)


@dataclass
class Task:
    id: int
    name: str
    creator: dict
    context: str
    subtasks: dict[int, Subtask]
    create_time: float
    cluster: dict | None = None
    host_id: int | None = None
    status: str = "RUNNING"
    operation: str = "EXECUTE"
    finish_time: float | None = None
    on_success: Callable[[float], None] | None = None
    on_failure: Callable[[float], None] | None = None
    on_rerun: Callable[[float], None] | None = None
    held: bool = False  # kept RUNNING by the scenario or /_admin/patch until patched off


class OcpError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class OcpApi(ApiFamily):
    api = "ocp"

    def __init__(self, sim, name: str) -> None:
        self.sim = sim
        self.instance = name

    # ------------------------------------------------------------ state

    def reset(self, conf: dict) -> None:
        self.server_address = conf.get("server_address", "127.0.0.1")
        self.offset_hours = float(conf.get("timezone_offset_hours", 8))
        self.users = {u["name"]: u for u in conf.get("users", [])}
        self.access_keys = {k["ak"]: k for k in conf.get("access_keys", [])}
        self.subtask_seconds = float(conf.get("subtask_seconds", 1.0))
        self.subtask_seconds_by_name = dict(conf.get("subtask_seconds_by_name", {}))
        self.process_stop_seconds = float(conf.get("process_stop_seconds", 3.5))
        self.process_restart_seconds = float(conf.get("process_restart_seconds", 12))
        created = self.sim.now() - 86400 * 90
        self.clusters = {c["id"]: self._cluster_from(c, created) for c in conf.get("clusters", [])}
        self.hosts: dict[int, dict] = {}
        process_ids = itertools.count(int(conf.get("first_process_id", 185)))
        for spec in conf.get("hosts", []):
            host = {**spec, "status": choice(spec.get("status", "ONLINE"), HOST_STATUSES, "host status"),
                    "agent_status": choice(spec.get("hostAgentStatus", "AVAILABLE"), HOST_AGENT_STATUSES,
                                            "hostAgentStatus"),
                    "created": created, "updated": created, "agent_id": spec.get("agent_id", spec["id"] + 5000)}
            host["processes"] = [self._process(next(process_ids), host["id"], alias, ports, operable, created)
                                 for alias, ports, operable in AGENT_PROCESSES]
            self.hosts[host["id"]] = host
        self.regions = {r["id"]: r for r in conf.get("regions", [{"id": 1, "name": "default"}])}
        self.idcs = {i["id"]: {**i, "created": created} for i in conf.get("idcs", [])}
        self.tasks: dict[int, Task] = {}
        self._task_ids = itertools.count(int(conf.get("first_task_id", 107302)))
        self._subtask_ids = itertools.count(int(conf.get("first_subtask_id", 128795)))
        self.sessions: dict[str, str] = {}
        self._rate: dict[str, tuple[float, int]] = {}
        for cluster in self.clusters.values():
            if cluster.get("running_task"):
                self._hold_task(cluster, cluster["running_task"])

    def _cluster_from(self, spec: dict, created: float) -> dict:
        cluster = {k: v for k, v in spec.items() if k != "zones"}
        cluster.setdefault("status", "RUNNING")
        choice(cluster["status"], CLUSTER_STATUSES, f"cluster {spec.get('name')} status")
        choice(cluster.get("status_after_start"), CLUSTER_STATUSES, "status_after_start", allow_none=True)
        cluster.setdefault("type", "PRIMARY")
        cluster.setdefault("obVersion", "4.2.1.0")
        cluster["zones"] = [dict(zone, servers=[dict(s) for s in zone.get("servers", [])]) for zone in spec.get("zones", [])]
        for zone in cluster["zones"]:
            for server in zone["servers"]:
                server.setdefault("status", "RUNNING" if cluster["status"] == "RUNNING" else "STOPPED")
        cluster["created"] = created
        return cluster

    def _process(self, pid_id: int, host_id: int, alias: str, ports: str, operable: bool, created: float) -> dict:
        return {"id": pid_id, "hostId": host_id, "alias": alias, "operable": operable, "ports_when_up": ports,
                "status": "STARTED", "pid": 1000 + pid_id * 7 % 30000, "started_at": created,
                "created": created, "updated": created}

    def summary(self) -> dict:
        return {
            "clusters": {cid: {"name": c["name"], "status": c["status"]} for cid, c in self.clusters.items()},
            "agents": {h["id"]: {"status": h["agent_status"],
                                 "processes": {p["alias"]: p["status"] for p in h["processes"]}}
                       for h in self.hosts.values()},
            "tasks": {t.id: {"name": t.name, "status": t.status} for t in self.tasks.values() if t.status == "RUNNING"},
        }

    def expire_sessions(self) -> int:
        count = len(self.sessions)
        self.sessions.clear()
        return count

    # ------------------------------------------------------------ envelopes

    def _time(self, epoch: float | None) -> str | None:
        return iso_millis(epoch, self.offset_hours) if epoch else None

    def _base(self, request: web.Request, status: int, successful: bool) -> dict:
        started = request.get("started", time.perf_counter())
        return {"successful": successful, "timestamp": self._time(self.sim.now()),
                "duration": int((time.perf_counter() - started) * 1000), "status": status,
                "traceId": new_hex(16), "server": self.server_address}

    def ok(self, request: web.Request, data=None, *, duration_ms: int | None = None) -> web.Response:
        body = {"data": data, **self._base(request, 200, True)} if data is not None else self._base(request, 200, True)
        if duration_ms is not None:
            body["duration"] = duration_ms
        return json_response(body)

    def error_response(self, request, status, message=None, code=None) -> web.Response:
        default_code = 30014 if status == 403 else 0  # ocp.md §3.3 / G3: 403 is IAM_OPERATION_NOT_PERMITTED
        body = {**self._base(request, status, False),
                "error": {"code": int(code) if code is not None else default_code,
                          "message": message or "Unexpected error"}}
        return json_response(body, status)

    def throttle_response(self, request, fault: Fault | None = None, reset_seconds: int = 10) -> web.Response:
        body = {"successful": False, "timestamp": self._time(self.sim.now()), "duration": 0, "status": 429,
                "traceId": "", "server": self.server_address,
                "error": {"code": 0, "message": (fault and fault.message) or
                          "The number of requests has exceeded the request limit, please try again later."}}
        limit = self.sim.config["ocp_rate_limit"] or 100
        headers = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset_seconds)}
        if fault:
            headers.update(retry_after_headers(fault))
            if fault.retry_after is not None and isinstance(fault.retry_after, (int, float)):
                headers["RateLimit-Reset"] = str(int(fault.retry_after))
        return json_response(body, 429, headers)

    def decorate(self, request, response) -> None:
        response.headers.update(request.get("ratelimit_headers", {}))

    # ------------------------------------------------------------ auth

    async def _authenticate(self, request: web.Request, permission: str) -> dict:
        """Basic, AK/SK or the SESSION cookie a Basic login created; raises OcpError."""
        header = request.headers.get("Authorization", "")
        user = None
        if header.startswith("Basic "):
            user = self._basic_user(request, header)
        elif header.startswith("OCP-ACCESS-KEY-HMACSHA1"):
            user = await self._aksk_user(request, header)
        elif request.cookies.get("SESSION") in self.sessions:
            user = self.users[self.sessions[request.cookies["SESSION"]]]
            request["identity"] = user["name"]
            if request.get("expire_auth"):
                self.sessions.pop(request.cookies["SESSION"], None)
                user = None
        if user is None or request.get("expire_auth"):
            raise OcpError(401, 0, "Unauthorized: the user is not logged in or the login failed.")
        self._rate_limit(request, user["name"])
        granted = user.get("permissions")
        if granted is not None and permission not in granted:
            raise OcpError(403, 30014, "The user is not authorized to perform the operation.")
        return user

    def _basic_user(self, request: web.Request, header: str) -> dict | None:
        try:
            name, password = base64.b64decode(header[6:]).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            return None
        request["identity"] = name
        user = self.users.get(name)
        if user is None or not same_secret(str(user["password"]), password):
            return None
        if request.cookies.get("SESSION") not in self.sessions:
            token = secrets.token_hex(16)
            self.sessions[token] = name
            request["set_session"] = token
        return user

    async def _aksk_user(self, request: web.Request, header: str) -> dict | None:
        parsed = parse_ocp_authorization(header)
        if parsed is None:
            return None
        ak, signature = parsed
        request["identity"] = ak
        key = self.access_keys.get(ak)
        if key is None or ocp_date_skew(request.headers.get("Date", ""), self.sim.now()) > MAX_SKEW_SECONDS:
            return None
        body = await request.read()
        path = request.raw_path.split("?", 1)[0]
        pairs = [(k, v) for k, v in request.query.items()]
        if not verify_ocp(key["sk"], signature, request.method, path, pairs, request.headers, body):
            return None
        return self.users[key["user"]]

    def _rate_limit(self, request: web.Request, user: str) -> None:
        limit = self.sim.config["ocp_rate_limit"]
        if not limit:
            return
        now = self.sim.now()
        start, used = self._rate.get(user, (now, 0))
        if now - start >= 10:
            start, used = now, 0
        reset = max(1, int(10 - (now - start) + 0.999))
        if used >= limit:
            raise OcpThrottled(reset)
        self._rate[user] = (start, used + 1)
        request["ratelimit_headers"] = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(limit - used - 1),
                                        "RateLimit-Reset": str(reset)}

    async def _guard(self, request: web.Request, permission: str, agent_path: bool = False) -> web.Response | None:
        """Path switch, authentication, rate limit and permission. None means go ahead."""
        if agent_path and not self._agent_path_allowed(request):
            return self.error_response(request, 404, f"No handler found for {request.method} {request.path}")
        try:
            await self._authenticate(request, permission)
        except OcpThrottled as throttled:
            return self.throttle_response(request, reset_seconds=throttled.reset)
        except OcpError as err:
            return self.error_response(request, err.status, err.message, err.code)
        return None

    def _agent_path_allowed(self, request: web.Request) -> bool:
        mode = self.sim.config["ocp_agent_paths"]
        prefixed = request.path.startswith("/api/v2/")
        return mode == "both" or (mode == "prefixed") == prefixed

    def _finish(self, request: web.Request, response: web.Response) -> web.Response:
        if request.get("set_session"):
            response.set_cookie("SESSION", request["set_session"], path="/", httponly=True, secure=request.secure)
        return response

    # ------------------------------------------------------------ paging

    def _paged(self, request: web.Request, items: list, default_size: int = 10) -> dict:
        try:
            page = int(request.query.get("page", 1))
            size = int(request.query.get("size", default_size))
        except ValueError as exc:
            raise OcpError(400, 10001, "Invalid paging parameter.") from exc
        if page < 1 or size < 1:
            raise OcpError(400, 10001, "Invalid paging parameter: page and size start at 1.")
        size = min(size, 2000)
        sort = request.query.get("sort")
        if sort:
            key, _, direction = sort.partition(",")
            items = sorted(items, key=lambda item: (item.get(key) is None, item.get(key)), reverse=direction.lower() == "desc")
        total = len(items)
        return {"contents": items[(page - 1) * size: page * size],
                "page": {"number": page, "size": size, "totalElements": total, "totalPages": -(-total // size)}}

    # ------------------------------------------------------------ task engine

    def _new_task(self, name: str, stages: list, fan_out: list, *, creator: dict, context: str,
                  cluster: dict | None = None, host_id: int | None = None) -> Task:
        now = self.sim.now()
        subtasks: dict[int, Subtask] = {}
        previous: list[Subtask] = []
        series = itertools.count(1)
        for stage in stages:
            label, fans = (stage, False) if isinstance(stage, str) else (stage[0], True)
            width = len(fan_out) if fans else 1
            current = []
            for index in range(width):
                sub = Subtask(next(self._subtask_ids), next(series), label,
                              float(self.subtask_seconds_by_name.get(label, self.subtask_seconds)),
                              parallel_idx=index if fans else -1)
                for up in previous:
                    sub.upstreams.append(up.id)
                    up.downstreams.append(sub.id)
                subtasks[sub.id] = sub
                current.append(sub)
            previous = current
        task = Task(next(self._task_ids), name, creator, context, subtasks, now, cluster=cluster, host_id=host_id)
        self.tasks[task.id] = task
        return task

    def _launch(self, task: Task, fault: Fault | None) -> None:
        if fault:
            wanted = fault.subtask or DEFAULT_FAILING_SUBTASK.get(task.name)
            ordered = sorted(task.subtasks.values(), key=lambda s: s.series_id)
            victim = next((s for s in ordered if s.name == wanted), ordered[len(ordered) // 2])
            victim.fail_next = True
        now = self.sim.now()
        for sub in task.subtasks.values():
            if not sub.upstreams:
                self._run_subtask(task, sub, now)

    def _run_subtask(self, task: Task, sub: Subtask, when: float) -> None:
        sub.status, sub.start_time, sub.finish_time = "RUNNING", when, None
        sub.run_time += 1
        sub.log.append(f"{self._time(when)} INFO  start to execute subtask {sub.name} (run {sub.run_time})")
        run = sub.run_time
        self.sim.scheduler.at(when + self.sim.scaled(sub.seconds), lambda t: self._end_subtask(task, sub, run, t))

    def _end_subtask(self, task: Task, sub: Subtask, run: int, when: float) -> None:
        if sub.status != "RUNNING" or sub.run_time != run:  # cancelled or superseded by a retry
            return
        sub.finish_time = when
        if sub.fail_next:
            sub.fail_next = False
            sub.status = "FAILED"
            sub.log.append(f"{self._time(when)} ERROR subtask {sub.name} failed: injected failure")
        else:
            sub.status = "SUCCESSFUL"
            sub.log.append(f"{self._time(when)} INFO  subtask {sub.name} finished successfully")
            self._release_downstreams(task, sub, when)
        self._settle(task, when)

    def _release_downstreams(self, task: Task, sub: Subtask, when: float) -> None:
        for down_id in sub.downstreams:
            down = task.subtasks[down_id]
            if down.status == "PENDING" and all(task.subtasks[u].status == "SUCCESSFUL" for u in down.upstreams):
                self._run_subtask(task, down, when)

    def _settle(self, task: Task, when: float) -> None:
        states = {s.status for s in task.subtasks.values()}
        if task.status != "RUNNING" or "RUNNING" in states or "CANCELING" in states:
            return
        if states == {"SUCCESSFUL"}:
            task.status, task.finish_time = "SUCCESSFUL", when
            if task.on_success:
                task.on_success(when)
        elif "FAILED" in states:
            task.status, task.finish_time = "FAILED", when
            if task.on_failure:
                task.on_failure(when)

    def _rerun(self, task: Task, subs: list[Subtask], operation: str) -> None:
        task.status, task.operation, task.finish_time = "RUNNING", operation, None
        if task.on_rerun:
            task.on_rerun(self.sim.now())
        for sub in subs:
            sub.operation = operation
            self._run_subtask(task, sub, self.sim.now())

    # ------------------------------------------------------------ views

    def subtask_json(self, sub: Subtask) -> dict:
        return {
            "id": sub.id, "seriesId": sub.series_id, "name": sub.name, "description": sub.name,
            "className": "com.oceanbase.ocp.task.Subtask" + sub.name.title().replace(" ", ""),
            "timeout": 1800, "status": sub.status, "operation": sub.operation, "executor": self.server_address,
            "runTime": sub.run_time, "context": f"Context(parallelIdx={sub.parallel_idx}, stringMap={{}}, listMap={{}})",
            "createTime": None, "startTime": self._time(sub.start_time), "finishTime": self._time(sub.finish_time),
            "nodeType": "JAVA_TASK", "parallelIdx": sub.parallel_idx, "upstreams": list(sub.upstreams),
            "downstreams": list(sub.downstreams), "prohibitRollback": False,
        }

    def task_json(self, task: Task) -> dict:
        subtasks = [self.subtask_json(s) for s in task.subtasks.values()]
        for item in subtasks:
            item["createTime"] = self._time(task.create_time)
        return {
            "id": task.id, "name": task.name, "type": "MANUAL", "status": task.status, "operation": task.operation,
            "creator": task.creator, "context": task.context, "cluster": task.cluster,
            "clusterId": task.cluster["id"] if task.cluster else None, "tenantId": None, "hostId": task.host_id,
            "executor": self.server_address, "taskDefinitionId": -1, "prohibitRollback": False,
            "createTime": self._time(task.create_time), "startTime": self._time(task.create_time),
            "finishTime": self._time(task.finish_time), "tasks": subtasks, "subtasks": subtasks,
        }

    def basic_task_json(self, task: Task) -> dict:
        """A task-list item: exactly the BasicTaskInstance fields of ocp.md §5.7 (no hostId, type, operation)."""
        return {
            "id": task.id, "name": task.name, "status": task.status,
            "cluster": task.cluster, "tenant": None, "creator": task.creator,
            "startTime": self._time(task.create_time), "finishTime": self._time(task.finish_time),
            "subtasks": [{"id": s.id, "name": s.name, "description": s.name, "status": s.status,
                          "operation": s.operation} for s in task.subtasks.values()],
        }

    def cluster_json(self, cluster: dict) -> dict:
        servers = [s for z in cluster["zones"] for s in z["servers"]]
        return {
            "id": cluster["id"], "name": cluster["name"], "obClusterId": cluster.get("obClusterId", 1),
            "obVersion": cluster["obVersion"], "status": cluster["status"], "type": cluster["type"],
            "regionCount": len({z.get("regionName") for z in cluster["zones"]}),
            "tenantCount": cluster.get("tenantCount", 3), "partitionCount": cluster.get("partitionCount", 1200),
            "serverCount": len(servers),
            "rootServers": [{"address": f"{s['ip']}:2882", "role": "LEADER" if i == 0 else "FOLLOWER",
                             "sql_port": 2881} for i, s in enumerate(servers[:3])],
            "zones": [{
                "name": z["name"], "idcName": z.get("idcName", "idc1"), "idcId": z.get("idcId", 1),
                "regionName": z.get("regionName", "region1"), "clusterId": cluster["id"],
                "obClusterId": cluster.get("obClusterId", 1), "serverCount": len(z["servers"]),
                "hostCount": len(z["servers"]), "status": "RUNNING" if cluster["status"] != "STOPPED" else "STOPPED",
                "innerStatus": "ACTIVE" if cluster["status"] != "STOPPED" else "INACTIVE", "operateStatus": "NORMAL",
                "servers": [self.server_json(s, z) for s in z["servers"]],
            } for z in cluster["zones"]],
            "primaryCluster": None, "standbyClusters": [], "delayTime": None, "syncStatus": None,
            "createTime": self._time(cluster["created"]), "updateTime": self._time(cluster["created"]),
            "creator": "admin", "failToQueryFromObReason": None, "alarmSummaries": [],
        }

    @staticmethod
    def server_json(server: dict, zone: dict) -> dict:
        return {"id": server["id"], "ip": server["ip"], "port": 2882, "sqlPort": 2881, "hostId": server.get("hostId"),
                "status": server["status"], "zoneName": zone["name"]}

    def process_json(self, process: dict) -> dict:
        up = process["status"] == "STARTED"
        return {
            "id": process["id"], "hostId": process["hostId"], "alias": process["alias"],
            "pid": process["pid"] if up else 0, "user": "admin" if up else None,
            "startCommand": f"/home/admin/ocp_agent/bin/{process['alias']} -c /home/admin/ocp_agent/conf" if up else None,
            "ports": process["ports_when_up"] if up else None,
            "elapsedTime": int(self.sim.now() - process["started_at"]) if up else 0,
            "lastActiveTime": self._time(self.sim.now() if up else process["updated"]),
            "status": process["status"], "operable": process["operable"],
            "logFilePattern": f"/home/admin/ocp_agent/log/{process['alias']}.log*",
            "createTime": self._time(process["created"]), "updateTime": self._time(process["updated"]),
        }

    def host_json(self, host: dict) -> dict:
        """The host fields ocp.md §5.8 lists, plus `name` (see the guide's choices table)."""
        return {
            "id": host["id"], "name": host.get("name", host["innerIpAddress"]), "innerIpAddress": host["innerIpAddress"],
            "status": host["status"], "hostAgentId": host["agent_id"], "hostAgentVersion": "4.2.1-20231012",
            "hostAgentStatus": host["agent_status"], "services": [{"type": "OB_CLUSTER"}, {"type": "OCP_AGENT"}],
        }

    def agent_json(self, host: dict) -> dict:
        return {
            "id": host["agent_id"], "version": "4.2.1-20231012", "installHome": "/home/admin/ocp_agent",
            "logHome": "/home/admin/ocp_agent/log", "lastAvailableTime": self._time(self.sim.now()),
            "hostId": host["id"], "hostInnerIpAddress": host["innerIpAddress"], "status": host["agent_status"],
            "processes": [self.process_json(p) for p in host["processes"]],
            "createTime": self._time(host["created"]), "updateTime": self._time(host["updated"]),
        }

    # ------------------------------------------------------------ lookups

    @staticmethod
    def _by_id(table: dict, raw: str, code: int, what: str):
        """Look up an object by the numeric id from the path; 404 with the family's code otherwise."""
        found = table.get(int(raw)) if raw.isdigit() else None
        if found is None:
            raise OcpError(404, code, what.format(raw))
        return found

    def _cluster(self, request: web.Request) -> dict:
        return self._by_id(self.clusters, request.match_info["cluster_id"], 10002,
                           "Resource of type ObCluster not found by id {}.")

    def _host(self, request: web.Request) -> dict:
        return self._by_id(self.hosts, request.match_info["host_id"], 10002, "Resource of type Host not found by id {}.")

    def _task(self, request: web.Request) -> Task:
        return self._by_id(self.tasks, request.match_info["task_id"], 20000, "Task instance {} does not exist.")

    def _subtask(self, request: web.Request, task: Task) -> Subtask:
        return self._by_id(task.subtasks, request.match_info["subtask_id"], 20000, "Subtask instance {} does not exist.")

    async def _handle(self, request: web.Request, permission: str, work, *, agent_path: bool = False) -> web.Response:
        """Common prelude (guard) and OcpError translation around an endpoint body."""
        denied = await self._guard(request, permission, agent_path)
        if denied:
            return denied
        try:
            result = work()
            if asyncio.iscoroutine(result):
                result = await result
        except OcpError as err:
            return self._finish(request, self.error_response(request, err.status, err.message, err.code))
        return self._finish(request, result)

    @staticmethod
    def _cluster_ref(cluster: dict) -> dict:
        """The `cluster` object of a task (ocp.md §5.7: {id, name, obClusterId, type})."""
        return {"id": cluster["id"], "name": cluster["name"], "obClusterId": cluster.get("obClusterId", 1),
                "type": cluster["type"]}

    @staticmethod
    def _held_task_spec(spec) -> tuple[str, float | None]:
        """(name, seconds) of a `running_task` knob: `true` or `{name, seconds}`."""
        if spec is not True and not (isinstance(spec, dict) and set(spec) <= {"name", "seconds"}):
            raise ValueError("running_task must be true, null or {name, seconds}")
        spec = spec if isinstance(spec, dict) else {}
        seconds = spec.get("seconds")
        if seconds is not None and (not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0):
            raise ValueError("running_task.seconds must be a number >= 0 (or absent: until patched off)")
        return str(spec.get("name") or HELD_TASK), seconds

    def _hold_task(self, cluster: dict, spec) -> Task:
        """Another operation's task running on the cluster (the cluster's status is left alone): `{name, seconds}`;
        without `seconds` it runs until patched off (`running_task: null`)."""
        name, seconds = self._held_task_spec(spec)
        first_user = next(iter(self.users.values()), {"id": 100, "name": "admin"})
        task = self._new_task(name, [name], [], creator={"id": first_user.get("id", 100), "name": first_user["name"]},
                              context=f"Context(parallelIdx=-1, stringMap={{cluster_name={cluster['name']}}}, listMap={{}})",
                              cluster=self._cluster_ref(cluster))
        sub = next(iter(task.subtasks.values()))
        if seconds is None:
            task.held = True
            sub.status, sub.start_time, sub.run_time = "RUNNING", self.sim.now(), 1
        else:
            sub.seconds = float(seconds)
            self._launch(task, None)
        return task

    def _release_held(self, cluster: dict) -> None:
        now = self.sim.now()
        for task in self.tasks.values():
            if task.held and task.status == "RUNNING" and task.cluster and task.cluster["id"] == cluster["id"]:
                task.held = False
                for sub in task.subtasks.values():
                    sub.status, sub.finish_time = "SUCCESSFUL", now
                self._settle(task, now)

    # ------------------------------------------------------------ admin patch

    def patch(self, kind: str, ref: str, fields: dict) -> dict:
        where = f"OCP instance {self.instance}"
        if kind == "ocp_cluster":
            cluster = find_object(self.clusters, ref, "cluster", where)
            only_fields(fields, ("status", "running_task", "status_after_start"), kind)
            for name in ("status", "status_after_start"):
                if name in fields:
                    choice(fields[name], CLUSTER_STATUSES, name, allow_none=name != "status")
            if fields.get("running_task"):
                self._held_task_spec(fields["running_task"])  # every field is valid before anything changes
            if "status" in fields:
                cluster["status"] = fields["status"]
            if "status_after_start" in fields:
                cluster["status_after_start"] = fields["status_after_start"]
            if "running_task" in fields:
                if fields["running_task"]:
                    self._hold_task(cluster, fields["running_task"])
                else:
                    self._release_held(cluster)
            return {"id": cluster["id"], "name": cluster["name"], "status": cluster["status"],
                    "running_tasks": [t.id for t in self.tasks.values() if t.status == "RUNNING" and t.cluster
                                      and t.cluster["id"] == cluster["id"]]}
        host = find_object(self.hosts, ref, "host", where)
        only_fields(fields, ("status", "hostAgentStatus", "processes"), kind)
        processes = fields.get("processes", {})
        if not isinstance(processes, dict):
            raise ValueError("processes must map process aliases to STARTED or STOPPED")
        by_alias = {p["alias"]: p for p in host["processes"]}
        for alias, status in processes.items():
            if alias not in by_alias:
                raise ValueError(f"host {host['id']} has no agent process {alias!r}; processes: {', '.join(by_alias)}")
            choice(status, PROCESS_STATUSES, f"processes.{alias}", allow_none=False)
        status = choice(fields.get("status", host["status"]), HOST_STATUSES, "status", allow_none=False)
        agent = choice(fields.get("hostAgentStatus", host["agent_status"]), HOST_AGENT_STATUSES, "hostAgentStatus",
                       allow_none=False)
        now = self.sim.now()
        host.update(status=status, agent_status=agent, updated=now)
        for alias, wanted in processes.items():
            process = by_alias[alias]
            if process["status"] != wanted:
                process.update(status=wanted, updated=now)
                if wanted == "STARTED":
                    process.update(pid=process["pid"] + 4099, started_at=now)
        return {"id": host["id"], "name": host.get("name"), "status": host["status"],
                "hostAgentStatus": host["agent_status"], "processes": {p["alias"]: p["status"] for p in host["processes"]}}

    def _creator(self, request: web.Request) -> dict:
        user = self.users.get(request.get("identity")) or self.users.get(
            (self.access_keys.get(request.get("identity")) or {}).get("user"), {})
        return {"id": user.get("id", 100), "name": user.get("name", "admin")}

    # ------------------------------------------------------------ clusters

    @route("GET", "/api/v2/ob/clusters", READ)
    async def list_clusters(self, request: web.Request) -> web.Response:
        def work():
            name = request.query.get("name", "").lower()
            statuses = {s for value in request.query.getall("status", []) for s in value.split(",") if s}
            items = [self.cluster_json(c) for c in self.clusters.values()
                     if name in c["name"].lower() and (not statuses or c["status"] in statuses)]
            return self.ok(request, self._paged(request, items))
        return await self._handle(request, "CLUSTER_VIEWER", work)

    @route("GET", "/api/v2/ob/clusters/{cluster_id}", READ)
    async def get_cluster(self, request: web.Request) -> web.Response:
        return await self._handle(request, "CLUSTER_VIEWER", lambda: self.ok(request, self.cluster_json(self._cluster(request))))

    @route("GET", "/api/v2/ob/clusters/{cluster_id}/servers", READ)
    async def list_servers(self, request: web.Request) -> web.Response:
        def work():
            cluster = self._cluster(request)
            servers = [self.server_json(s, z) for z in cluster["zones"] for s in z["servers"]]
            return self.ok(request, self._paged(request, servers))
        return await self._handle(request, "CLUSTER_VIEWER", work)

    async def _cluster_action(self, request: web.Request, action: str) -> web.Response:
        required, transitional, final, name, stages = {
            "stop": ("RUNNING", "STOPPING", "STOPPED", "Stop OB cluster", STOP_CLUSTER),
            "start": ("STOPPED", "STARTING", "RUNNING", "Start OB cluster", START_CLUSTER),
            "restart": ("RUNNING", "RESTARTING", "RUNNING", "Restart OB cluster", RESTART_CLUSTER),
        }[action]

        def work():
            cluster = self._cluster(request)
            if cluster["status"] != required:
                raise OcpError(400, 50002, f"The operation {action} is not allowed on cluster {cluster['name']} "
                                           f"in status {cluster['status']}.")
            former = cluster["status"]
            servers = [s for z in cluster["zones"] for s in z["servers"]]
            context = (f"Context(parallelIdx=-1, stringMap={{cluster_name={cluster['name']}, cluster_id={cluster['id']}, "
                       f"former_cluster_status={former}}}, listMap={{server_ids=[{', '.join(str(s['id']) for s in servers)}], "
                       f"zone_names=[{', '.join(z['name'] for z in cluster['zones'])}]}})")
            task = self._new_task(name, stages, servers, creator=self._creator(request), context=context,
                                  cluster=self._cluster_ref(cluster))

            def enter(_when: float) -> None:
                cluster["status"] = transitional

            def succeed(_when: float) -> None:
                # knob: a cluster that does not come back RUNNING although its start task succeeded
                cluster["status"] = (cluster.get("status_after_start") or final) if action != "stop" else final
                for server in servers:
                    server["status"] = "STOPPED" if final == "STOPPED" else "RUNNING"

            def fail(_when: float) -> None:
                cluster["status"] = former

            task.on_success, task.on_failure, task.on_rerun = succeed, fail, enter
            enter(self.sim.now())
            self._launch(task, self.sim.faults.take_task_failure(request))
            return self.ok(request, self.task_json(task))
        return await self._handle(request, "CLUSTER_MANAGER", work)

    @route("POST", "/api/v2/ob/clusters/{cluster_id}/stop", ACTION)
    async def stop_cluster(self, request: web.Request) -> web.Response:
        return await self._cluster_action(request, "stop")

    @route("POST", "/api/v2/ob/clusters/{cluster_id}/start", ACTION)
    async def start_cluster(self, request: web.Request) -> web.Response:
        return await self._cluster_action(request, "start")

    @route("POST", "/api/v2/ob/clusters/{cluster_id}/restart", ACTION)
    async def restart_cluster(self, request: web.Request) -> web.Response:
        return await self._cluster_action(request, "restart")

    # ------------------------------------------------------------ tasks

    @route("GET", "/api/v2/tasks/instances", READ)
    async def list_tasks(self, request: web.Request) -> web.Response:
        def work():
            query = request.query
            statuses = {s for value in query.getall("status", []) for s in value.split(",") if s}
            name = query.get("name", "").lower()
            cluster_name = query.get("cluterName", query.get("clusterName", "")).lower()
            items = []
            for task in sorted(self.tasks.values(), key=lambda t: -t.id):
                if statuses and task.status not in statuses or name not in task.name.lower():
                    continue
                if "clusterId" in query and (not task.cluster or str(task.cluster["id"]) != query["clusterId"]):
                    continue
                if cluster_name and (not task.cluster or cluster_name not in task.cluster["name"].lower()):
                    continue
                if "hostId" in query and str(task.host_id) != query["hostId"]:
                    continue
                items.append(self.basic_task_json(task))
            return self.ok(request, self._paged(request, items))
        return await self._handle(request, "TASK_VIEWER", work)

    @route("GET", "/api/v2/tasks/instances/{task_id}", POLL)
    async def get_task(self, request: web.Request) -> web.Response:
        return await self._handle(request, "TASK_VIEWER", lambda: self.ok(request, self.task_json(self._task(request))))

    @route("POST", "/api/v2/tasks/instances/{task_id}/retry", ACTION)
    async def retry_task(self, request: web.Request) -> web.Response:
        def work():
            task = self._task(request)
            if task.status != "FAILED" or task.operation == "ROLLBACK":
                raise OcpError(400, 20003, f"Task {task.id} in status {task.status} cannot be retried.")
            self._rerun(task, [s for s in task.subtasks.values() if s.status == "FAILED"], "RETRY")
            return self.ok(request, self.task_json(task))
        return await self._handle(request, "TASK_MANAGER", work)

    @route("POST", "/api/v2/tasks/instances/{task_id}/rollback", ACTION)
    async def rollback_task(self, request: web.Request) -> web.Response:
        def work():
            task = self._task(request)
            if task.status != "FAILED":
                raise OcpError(400, 20003, f"Task {task.id} in status {task.status} cannot be rolled back.")
            task.status, task.operation, task.finish_time = "RUNNING", "ROLLBACK", None
            undo = sorted((s for s in task.subtasks.values() if s.status != "PENDING"), key=lambda s: -s.series_id)
            when = self.sim.now()
            for sub in undo:
                when += self.sim.scaled(sub.seconds)
                self.sim.scheduler.at(when, lambda t, sub=sub: _roll_back(sub, t))

            def _roll_back(sub: Subtask, t: float) -> None:
                sub.status, sub.operation, sub.finish_time = "PENDING", "ROLLBACK", t
                if all(s.status == "PENDING" for s in task.subtasks.values()):
                    task.status, task.finish_time = "SUCCESSFUL", t
            return self.ok(request, self.task_json(task))
        return await self._handle(request, "TASK_MANAGER", work)

    @route("GET", "/api/v2/tasks/instances/{task_id}/subtasks/{subtask_id}/log", POLL)
    async def subtask_log(self, request: web.Request) -> web.Response:
        def work():
            sub = self._subtask(request, self._task(request))
            return self.ok(request, {"log": "\n".join(sub.log)})
        return await self._handle(request, "TASK_VIEWER", work)

    @route("POST", "/api/v2/tasks/instances/{task_id}/subtasks/{subtask_id}/retry", ACTION)
    async def retry_subtask(self, request: web.Request) -> web.Response:
        def work():
            task = self._task(request)
            sub = self._subtask(request, task)
            if sub.status != "FAILED":
                raise OcpError(400, 20003, f"Subtask {sub.id} in status {sub.status} cannot be retried.")
            self._rerun(task, [sub], "RETRY")
            return self.ok(request, {**self.subtask_json(sub), "createTime": self._time(task.create_time)})
        return await self._handle(request, "TASK_MANAGER", work)

    @route("POST", "/api/v2/tasks/instances/{task_id}/subtasks/{subtask_id}/skip", ACTION)
    async def skip_subtask(self, request: web.Request) -> web.Response:
        def work():
            task = self._task(request)
            sub = self._subtask(request, task)
            if sub.status != "FAILED":
                raise OcpError(400, 20003, f"Subtask {sub.id} in status {sub.status} cannot be skipped.")
            now = self.sim.now()
            task.status, task.finish_time = "RUNNING", None
            if task.on_rerun:
                task.on_rerun(now)
            sub.status, sub.operation, sub.finish_time = "SUCCESSFUL", "SKIP", now
            self._release_downstreams(task, sub, now)
            self._settle(task, now)
            return self.ok(request)
        return await self._handle(request, "TASK_MANAGER", work)

    @route("POST", "/api/v2/tasks/instances/{task_id}/subtasks/{subtask_id}/cancel", ACTION)
    async def cancel_subtask(self, request: web.Request) -> web.Response:
        def work():
            task = self._task(request)
            sub = self._subtask(request, task)
            if sub.status != "RUNNING":
                raise OcpError(400, 20003, f"Subtask {sub.id} in status {sub.status} cannot be cancelled.")
            now = self.sim.now()
            sub.status, sub.operation, sub.finish_time = "FAILED", "CANCEL", now
            sub.log.append(f"{self._time(now)} WARN  subtask {sub.name} cancelled")
            self._settle(task, now)
            return self.ok(request)
        return await self._handle(request, "TASK_MANAGER", work)

    # ------------------------------------------------------------ hosts and agents

    @route("GET", "/api/v2/compute/hosts", READ)
    async def list_hosts(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_VIEWER", lambda: self.ok(
            request, self._paged(request, [self.host_json(h) for h in self.hosts.values()])))

    @route("GET", "/api/v2/compute/hosts/{host_id}", READ)
    async def get_host(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_VIEWER", lambda: self.ok(request, self.host_json(self._host(request))))

    @route("GET", "/api/v2/compute/hosts/{host_id}/agent", READ)
    @route("GET", "/compute/hosts/{host_id}/agent", READ)
    async def get_agent(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_VIEWER", lambda: self.ok(request, self.agent_json(self._host(request))),
                                  agent_path=True)

    @route("GET", "/api/v2/compute/hosts/{host_id}/agent/processes", READ)
    @route("GET", "/compute/hosts/{host_id}/agent/processes", READ)
    async def list_processes(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_VIEWER", lambda: self.ok(request, self._paged(
            request, [self.process_json(p) for p in self._host(request)["processes"]])), agent_path=True)

    async def _process_action(self, request: web.Request, action: str) -> web.Response:
        async def work():
            host = self._host(request)
            raw = request.match_info["process_id"]
            process = next((p for p in host["processes"] if str(p["id"]) == raw), None)
            if process is None:
                raise OcpError(404, 10002, f"Resource of type HostAgentProcess not found by id {raw}.")
            if not process["operable"]:
                raise OcpError(400, 10001, f"Process {process['alias']} is not operable; use the host-level agent "
                                           "stop/restart instead.")
            if host["agent_status"] != "AVAILABLE":
                raise OcpError(400, 40000, f"OCP agent on host {host['id']} is {host['agent_status']}.")
            if action == "stop" and process["status"] == "STOPPED":
                return self.ok(request, self.process_json(process))
            seconds = self.process_stop_seconds if action == "stop" else self.process_restart_seconds
            await asyncio.sleep(self.sim.scaled(seconds))
            now = self.sim.now()
            if action == "stop":
                process["status"] = "STOPPED"
            else:
                process.update(status="STARTED", pid=process["pid"] + 4099, started_at=now)
            process["updated"] = now
            return self.ok(request, self.process_json(process), duration_ms=int(self.sim.scaled(seconds) * 1000))
        return await self._handle(request, "HOST_MANAGER", work, agent_path=True)

    @route("POST", "/api/v2/compute/hosts/{host_id}/agent/processes/{process_id}/stop", ACTION)
    @route("POST", "/compute/hosts/{host_id}/agent/processes/{process_id}/stop", ACTION)
    async def stop_process(self, request: web.Request) -> web.Response:
        return await self._process_action(request, "stop")

    @route("POST", "/api/v2/compute/hosts/{host_id}/agent/processes/{process_id}/restart", ACTION)
    @route("POST", "/compute/hosts/{host_id}/agent/processes/{process_id}/restart", ACTION)
    async def restart_process(self, request: web.Request) -> web.Response:
        return await self._process_action(request, "restart")

    def _agent_task(self, request: web.Request, hosts: list[dict], action: str, batch: bool) -> web.Response:
        busy = [h["id"] for h in hosts if h["agent_status"] in ("STOPPING", "RESTARTING")]
        if busy:
            raise OcpError(400, 40000, f"OCP agent status does not allow the operation on hosts {busy}.")
        verb = "stop" if action == "stop" else "restart"
        name = f"Batch {verb} OCP agent" if batch else f"{verb.capitalize()} OCP agent"
        former = {h["id"]: h["agent_status"] for h in hosts}
        context = f"Context(parallelIdx=-1, stringMap={{}}, listMap={{host_ids=[{', '.join(str(h['id']) for h in hosts)}]}})"
        task = self._new_task(name, STOP_AGENT if action == "stop" else RESTART_AGENT, hosts,
                              creator=self._creator(request), context=context,
                              host_id=hosts[0]["id"] if len(hosts) == 1 else None)

        def enter(_when: float) -> None:
            for host in hosts:
                host["agent_status"] = "STOPPING" if action == "stop" else "RESTARTING"

        def succeed(when: float) -> None:
            for host in hosts:
                host["agent_status"] = "OFFLINE" if action == "stop" else "AVAILABLE"
                for process in host["processes"]:
                    if action == "stop":
                        process["status"] = "STOPPED"
                    else:
                        process.update(status="STARTED", pid=process["pid"] + 4099, started_at=when)
                    process["updated"] = when
                host["updated"] = when

        def fail(_when: float) -> None:
            for host in hosts:
                host["agent_status"] = former[host["id"]]

        task.on_success, task.on_failure, task.on_rerun = succeed, fail, enter
        enter(self.sim.now())
        self._launch(task, self.sim.faults.take_task_failure(request))
        return self.ok(request, self.task_json(task))

    @route("POST", "/api/v2/compute/hosts/{host_id}/agent/stop", ACTION)
    @route("POST", "/compute/hosts/{host_id}/agent/stop", ACTION)
    async def stop_agent(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_MANAGER",
                                  lambda: self._agent_task(request, [self._host(request)], "stop", False), agent_path=True)

    @route("POST", "/api/v2/compute/hosts/{host_id}/agent/restart", ACTION)
    @route("POST", "/compute/hosts/{host_id}/agent/restart", ACTION)
    async def restart_agent(self, request: web.Request) -> web.Response:
        return await self._handle(request, "HOST_MANAGER",
                                  lambda: self._agent_task(request, [self._host(request)], "restart", False), agent_path=True)

    async def _batch_agents(self, request: web.Request, action: str) -> web.Response:
        async def work():
            try:
                body = json.loads(await request.read() or b"{}")
                ids = body.get("hostIds", body.get("hostids"))
            except (ValueError, AttributeError) as exc:
                raise OcpError(400, 10001, "Malformed JSON body.") from exc
            if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
                raise OcpError(400, 10001, "hostIds must be a non-empty list of host ids.")
            unknown = [i for i in ids if i not in self.hosts]
            if unknown:
                raise OcpError(404, 10002, f"Resource of type Host not found by id {unknown[0]}.")
            return self._agent_task(request, [self.hosts[i] for i in dict.fromkeys(ids)], action, True)
        return await self._handle(request, "HOST_MANAGER", work, agent_path=True)

    @route("POST", "/api/v2/compute/hosts/batchStopAgents", ACTION)
    @route("POST", "/compute/hosts/batchStopAgents", ACTION)
    async def batch_stop_agents(self, request: web.Request) -> web.Response:
        return await self._batch_agents(request, "stop")

    @route("POST", "/api/v2/compute/hosts/batchRestartAgents", ACTION)
    @route("POST", "/compute/hosts/batchRestartAgents", ACTION)
    async def batch_restart_agents(self, request: web.Request) -> web.Response:
        return await self._batch_agents(request, "restart")

    def idc_json(self, idc: dict) -> dict:
        region = self.regions.get(idc["regionId"], {})
        return {"id": idc["id"], "name": idc["name"], "description": idc.get("description", ""),
                "regionId": idc["regionId"], "regionName": region.get("name"),
                "createTime": self._time(idc["created"]), "updateTime": self._time(idc["created"])}

    @route("GET", "/api/v2/compute/idcs", READ)
    async def list_idcs(self, request: web.Request) -> web.Response:
        """Served so the ocp.md AK/SK example requests can be replayed on the wire."""
        return await self._handle(request, "HOST_VIEWER", lambda: self.ok(
            request, self._paged(request, [self.idc_json(i) for i in self.idcs.values()])))

    @route("POST", "/api/v2/compute/idcs", ACTION)
    async def create_idc(self, request: web.Request) -> web.Response:
        async def work():
            try:
                body = json.loads(await request.read())
                name, region_id = body["name"], body["regionId"]
            except (ValueError, KeyError, TypeError) as exc:
                raise OcpError(400, 10001, "name and regionId are required.") from exc
            if region_id not in self.regions:
                raise OcpError(404, 10002, f"Resource of type Region not found by id {region_id}.")
            if any(i["name"] == name for i in self.idcs.values()):
                raise OcpError(400, 10001, f"IDC {name} already exists.")
            idc = {"id": max(self.idcs, default=0) + 1, "name": name, "description": body.get("description", ""),
                   "regionId": region_id, "created": self.sim.now()}
            self.idcs[idc["id"]] = idc
            return self.ok(request, self.idc_json(idc))
        return await self._handle(request, "HOST_MANAGER", work)

    @route("GET", "/api/v2/info", AUTH)
    async def info(self, request: web.Request) -> web.Response:
        """Unenveloped build info (documented); handy as a reachability probe."""
        return json_response({"artifact": "ocp-server", "buildVersion": "4.2.1-simulated", "buildTime": "2024-01-01",
                              "name": "OCP simulator"})


class OcpThrottled(Exception):
    def __init__(self, reset: int) -> None:
        super().__init__(reset)
        self.reset = reset
