"""Admin listener (`/_admin/...`): request log, faults, reset, switches, expiry, patch, state dump.

Also a tiny CLI: python -m quiesce_sim.admin --admin URL log|faults|clear-log|clear-faults|reset|state|config|urls
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request

from aiohttp import web

from .core import json_response, listen_again_now, refuse_connections, validate_switches


def build_admin_app(sim) -> web.Application:
    routes = web.RouteTableDef()

    async def body_of(request: web.Request) -> dict:
        raw = await request.read()
        data = json.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("JSON object expected")
        return data

    @web.middleware
    async def errors(request: web.Request, handler):
        sim.advance()
        try:
            return await handler(request)
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)
        except LookupError as exc:
            return json_response({"error": exc.args[0] if exc.args else str(exc)}, 404)

    @routes.get("/_admin/log")
    async def get_log(request: web.Request) -> web.Response:
        return json_response({"entries": sim.log.query(dict(request.query))})

    @routes.delete("/_admin/log")
    async def clear_log(request: web.Request) -> web.Response:
        sim.log.clear()
        return json_response({"cleared": True})

    @routes.get("/_admin/faults")
    async def list_faults(request: web.Request) -> web.Response:
        return json_response({"faults": [f.public() for f in sim.faults.faults]})

    @routes.post("/_admin/faults")
    async def add_fault(request: web.Request) -> web.Response:
        fault = sim.faults.add(await body_of(request))
        if fault.kind == "refuse" and not fault.is_trigger:
            closed = await refuse_connections(sim, fault)
            return json_response({"id": fault.id, "fault": fault.public(), "closed": closed}, 201)
        return json_response({"id": fault.id, "fault": fault.public()}, 201)

    @routes.delete("/_admin/faults")
    async def clear_faults(request: web.Request) -> web.Response:
        sim.faults.clear()
        return json_response({"cleared": True})

    @routes.delete("/_admin/faults/{fault_id}")
    async def remove_fault(request: web.Request) -> web.Response:
        removed = sim.faults.remove(int(request.match_info["fault_id"]))
        return json_response({"removed": removed}, 200 if removed else 404)

    @routes.post("/_admin/reset")
    async def reset(request: web.Request) -> web.Response:
        await listen_again_now(sim)
        sim.reset()
        return json_response({"reset": True})

    @routes.get("/_admin/config")
    async def get_config(request: web.Request) -> web.Response:
        return json_response(sim.config)

    @routes.post("/_admin/config")
    async def set_config(request: web.Request) -> web.Response:
        sim.config.update(validate_switches(await body_of(request)))
        return json_response(sim.config)

    @routes.post("/_admin/expire")
    async def expire(request: web.Request) -> web.Response:
        body = await body_of(request)
        return json_response({"expired": sim.expire(body.get("api", "all"), body.get("instance"))})

    @routes.post("/_admin/patch")
    async def patch(request: web.Request) -> web.Response:
        return json_response({"patched": sim.patch(await body_of(request))})

    @routes.get("/_admin/state")
    async def state(request: web.Request) -> web.Response:
        return json_response(sim.state())

    @routes.get("/_admin/urls")
    async def urls(request: web.Request) -> web.Response:
        return json_response(sim.all_urls())

    app = web.Application(middlewares=[errors])
    app.add_routes(routes)
    return app


# ---------------------------------------------------------------- client


class AdminClient:
    """Synchronous admin client (stdlib only) used by tests, the demo and the CLI."""

    def __init__(self, base_url: str, ssl_context=None) -> None:
        self.base_url = base_url.rstrip("/")
        self.ssl_context = ssl_context

    def _call(self, method: str, path: str, payload: dict | None = None, query: dict | None = None):
        url = f"{self.base_url}/_admin/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()})
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, context=self.ssl_context, timeout=30) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"admin {method} {path} -> {err.code}: {err.read().decode()}") from err

    def log(self, **filters) -> list[dict]:
        return self._call("GET", "log", query=filters)["entries"]

    def clear_log(self) -> None:
        self._call("DELETE", "log")

    def add_fault(self, **spec) -> int:
        return self._call("POST", "faults", spec)["id"]

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")["faults"]

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def reset(self) -> None:
        self._call("POST", "reset")

    def config(self, **switches) -> dict:
        return self._call("POST", "config", switches) if switches else self._call("GET", "config")

    def expire(self, api: str = "all", instance: str | None = None) -> dict:
        return self._call("POST", "expire", {"api": api, **({"instance": instance} if instance else {})})["expired"]

    def patch(self, kind: str, id_or_name, fields: dict | None = None, instance: str | None = None, **more) -> dict:
        """Change one object's state now, e.g. patch("mrs_service", "Hive", {"health_status": "BAD"})."""
        spec = {"kind": kind, "id_or_name": id_or_name, "fields": {**(fields or {}), **more}}
        if instance:
            spec["instance"] = instance
        return self._call("POST", "patch", spec)["patched"]

    def urls(self) -> dict:
        return self._call("GET", "urls")

    def state(self) -> dict:
        return self._call("GET", "state")


import urllib.error  # noqa: E402  (used by AdminClient; kept next to it)
import urllib.parse  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quiesce_sim.admin")
    parser.add_argument("--admin", required=True, help="admin URL, e.g. http://127.0.0.1:PORT")
    parser.add_argument("command", choices=["log", "faults", "clear-log", "clear-faults", "reset", "state", "config",
                                            "urls"])
    parser.add_argument("args", nargs="*", help="key=value filters (log) or switches (config)")
    args = parser.parse_args(argv)
    client = AdminClient(args.admin)
    pairs = dict(arg.split("=", 1) for arg in args.args)
    result = {
        "log": lambda: client.log(**pairs),
        "faults": client.faults,
        "clear-log": client.clear_log,
        "clear-faults": client.clear_faults,
        "reset": client.reset,
        "state": client.state,
        "urls": client.urls,
        "config": lambda: client.config(**{k: json.loads(v) if v[:1] in "0123456789tf[{" else v
                                            for k, v in pairs.items()}),
    }[args.command]()
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
