"""Huawei Cloud IAM (`/v3/auth/tokens`, `/v3/projects`) and the API-gateway authentication
(X-Auth-Token or SDK-HMAC-SHA256) that BMS shares."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qsl

from aiohttp import web

from .clock import iso_micros_z
from .core import AUTH, READ, ApiFamily, json_response, new_hex, route
from .signing import MAX_SKEW_SECONDS, parse_sdk_authorization, same_secret, sdk_canonical_request, sdk_date_skew
from .signing import sdk_signature, sdk_string_to_sign


@dataclass
class Token:
    value: str
    user: dict
    project: dict | None
    domain_scoped: bool
    issued_at: float
    expires_at: float


@dataclass
class Principal:
    user: dict
    identity: str
    project_id: str | None  # token scope, or X-Project-Id for AK/SK
    via: str  # "token" or "aksk"


class GatewayError(Exception):
    """An authentication failure answered in the API-gateway shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def request_id(request: web.Request) -> str:
    if "request_id" not in request:
        request["request_id"] = new_hex(32)
    return request["request_id"]


def gateway_response(request: web.Request, status: int, code: str, message: str, headers=None) -> web.Response:
    body = {"error_code": code, "error_msg": message, "request_id": request_id(request)}
    return json_response(body, status, headers)


class IamApi(ApiFamily):
    api = "iam"

    def __init__(self, sim) -> None:
        self.sim = sim

    def reset(self, conf: dict) -> None:
        """`conf` is the scenario's iam section with every BMS region's project (scenario.resolve_instances)."""
        self.domain = conf.get("domain", {"name": "quiesce-demo", "id": "d" * 32})
        self.users = {u["name"]: {**u, "domain": self.domain} for u in conf.get("users", [])}
        self.projects = [{**p, "domain_id": self.domain["id"]} for p in conf.get("projects", [])]
        self.access_keys = {k["ak"]: k for k in conf.get("access_keys", [])}
        self.token_lifetime = float(conf.get("token_lifetime_seconds", 24 * 3600))
        self.tokens: dict[str, Token] = {}

    # -- gateway auth shared with BMS

    def authenticate(self, request: web.Request, body: bytes) -> Principal:
        token_value = request.headers.get("X-Auth-Token")
        authorization = request.headers.get("Authorization", "")
        if token_value:
            return self._token_principal(request, token_value)
        if authorization.startswith("SDK-HMAC-SHA256"):
            return self._aksk_principal(request, authorization, body)
        raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")

    def _token_principal(self, request: web.Request, value: str) -> Principal:
        token = self.tokens.get(value)
        if token is None:
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: decrypt token fail")
        if request.get("expire_auth"):
            token.expires_at = min(token.expires_at, self.sim.now())
        request["identity"] = token.user["name"]
        if token.expires_at <= self.sim.now():
            raise GatewayError(401, "APIGW.0307", "The token must be updated.")
        return Principal(token.user, token.user["name"], token.project["id"] if token.project else None, "token")

    def _aksk_principal(self, request: web.Request, authorization: str, body: bytes) -> Principal:
        parsed = parse_sdk_authorization(authorization)
        if parsed is None:
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: Authorization format")
        ak, signed_headers, signature = parsed
        request["identity"] = ak
        key = self.access_keys.get(ak)
        sdk_date = request.headers.get("X-Sdk-Date", "")
        if key is None:
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: ak not found")
        if sdk_date_skew(sdk_date, self.sim.now()) > MAX_SKEW_SECONDS or "x-sdk-date" not in signed_headers:
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: request expired")
        canonical = sdk_canonical_request(
            request.method,
            request.raw_path.split("?", 1)[0],
            # the raw (still percent-encoded) query: aiohttp's query_string is already decoded once,
            # so decoding it again would turn a value such as "%41" (sent as %2541) into "A"
            parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True),
            request.headers,
            signed_headers,
            body,
        )
        expected = sdk_signature(key["sk"], sdk_string_to_sign(canonical, sdk_date))
        if not same_secret(expected, signature.lower()):
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
        if request.get("expire_auth"):
            raise GatewayError(401, "APIGW.0301", "Incorrect IAM authentication information: request expired")
        user = self.users[key["user"]]
        return Principal(user, ak, request.headers.get("X-Project-Id"), "aksk")

    def project_ids(self) -> set[str]:
        return {p["id"] for p in self.projects}

    def expire_tokens(self) -> int:
        now = self.sim.now()
        live = [t for t in self.tokens.values() if t.expires_at > now]
        for token in live:
            token.expires_at = now
        return len(live)

    # -- family hooks

    def error_response(self, request, status, message=None, code=None) -> web.Response:
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        body = {"error": {"code": int(code) if isinstance(code, int) else status,
                          "message": message or title, "title": title}}
        return json_response(body, status)

    def decorate(self, request, response) -> None:
        response.headers.setdefault("X-Request-Id", request_id(request))

    def summary(self) -> dict:
        now = self.sim.now()
        return {"tokens": len(self.tokens), "live_tokens": sum(t.expires_at > now for t in self.tokens.values())}

    # -- routes

    @route("POST", "/v3/auth/tokens", AUTH)
    async def create_token(self, request: web.Request) -> web.Response:
        parsed = _parse_password_auth(await request.read())
        if parsed is None:
            return self.error_response(request, 400, "The request body is invalid.")
        name, password, domain_spec, scope = parsed
        request["identity"] = name
        user = self.users.get(name)
        domain_ok = domain_spec.get("name") == self.domain["name"] or domain_spec.get("id") == self.domain["id"]
        if user is None or not domain_ok or not same_secret(str(user["password"]), password):
            return self.error_response(request, 401, "The username or password is wrong.")
        project = None
        if "project" in scope:
            wanted = scope["project"]
            project = next((p for p in self.projects if p["id"] == wanted.get("id") or p["name"] == wanted.get("name")), None)
            if project is None:
                return self.error_response(request, 401, "The project does not exist or is not accessible.")
        now = self.sim.now()
        token = Token("MIIsim" + secrets.token_urlsafe(96), user, project, "domain" in scope and project is None,
                      now, now + self.token_lifetime)
        self.tokens[token.value] = token
        return json_response(self._token_body(token, nocatalog=bool(request.query.get("nocatalog"))), 201,
                             {"X-Subject-Token": token.value})

    def _token_body(self, token: Token, nocatalog: bool) -> dict:
        domain = {"id": self.domain["id"], "name": self.domain["name"]}
        body = {
            "expires_at": iso_micros_z(token.expires_at),
            "issued_at": iso_micros_z(token.issued_at),
            "methods": ["password"],
            "user": {"id": token.user["id"], "name": token.user["name"], "domain": domain, "password_expires_at": ""},
            "roles": [{"id": "0", "name": "op_service"}, {"id": "1", "name": "te_admin"}],
        }
        if token.project:
            body["project"] = {"id": token.project["id"], "name": token.project["name"], "domain": domain}
        if not nocatalog:
            body["catalog"] = self._catalog(token)
        return {"token": body}

    def _catalog(self, token: Token) -> list[dict]:
        """The BMS endpoint of the token's region (the default region for a domain-scoped token) and IAM."""
        project_id = token.project["id"] if token.project else None
        bms = next((r for r in self.sim.bms_regions.values() if r.project["id"] == project_id), self.sim.bms)
        region = token.project["name"] if token.project else bms.region
        entries = []
        for service, url in (("bms", bms.url), ("identity", self.url)):
            entries.append({
                "id": new_hex(32), "name": service, "type": service,
                "endpoints": [{"id": new_hex(32), "interface": "public", "region": region,
                               "region_id": region, "url": url + ("/v3" if service == "identity" else "/v1")}],
            })
        return entries

    @route("GET", "/v3/projects", READ)
    async def list_projects(self, request: web.Request) -> web.Response:
        try:
            self.authenticate(request, await request.read())
        except GatewayError as err:
            return gateway_response(request, err.status, err.code, err.message)
        projects = [p for p in self.projects if "name" not in request.query or p["name"] == request.query["name"]]
        base = self.url
        return json_response({
            "projects": [{
                "id": p["id"], "name": p["name"], "domain_id": p["domain_id"], "parent_id": p["domain_id"],
                "is_domain": False, "enabled": True, "description": p.get("description", ""),
                "links": {"self": f"{base}/v3/projects/{p['id']}"},
            } for p in projects],
            "links": {"self": f"{base}/v3/projects", "next": None, "previous": None},
        })


def _parse_password_auth(raw: bytes) -> tuple[str, str, dict, dict] | None:
    """(user name, password, domain, scope) from a password-method token request, or None if malformed."""
    try:
        auth = json.loads(raw)["auth"]
        identity = auth["identity"]
        user = identity["password"]["user"]
        name, password = user["name"], user["password"]
        domain, scope = user.get("domain") or {}, auth.get("scope") or {}
        methods = identity.get("methods")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    shapes_ok = (isinstance(name, str) and isinstance(password, str) and isinstance(domain, dict)
                 and isinstance(scope, dict) and isinstance(scope.get("project", {}), dict)
                 and isinstance(methods, list) and "password" in methods)
    return (name, password, domain, scope) if shapes_ok else None
