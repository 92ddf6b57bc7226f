"""Client-side helpers shared by the tests (what a module would do on the wire)."""

from __future__ import annotations

import re

import requests

MRS_USER, MRS_PASSWORD = "admin", "MrsDemo#2024"
OCP_AUTH = ("admin", "OcpDemo#2024")
PROJECT_ID = "0123456789abcdef0123456789abcdef"
IAM_USER, IAM_PASSWORD, IAM_DOMAIN = "ops-bot", "IamDemo#2024", "quiesce-demo"


def cas_login(urls: dict, user: str = MRS_USER, password: str = MRS_PASSWORD,
              session: requests.Session | None = None, verify=True) -> tuple[requests.Session, requests.Response]:
    """The documented CAS flow: login page -> form post -> login_check (redirects followed)."""
    session = session or requests.Session()
    session.verify = verify
    page = session.get(urls["mrs_cas"] + "/cas/login")
    lt = re.search(r'name="lt" value="([^"]+)"', page.text).group(1)
    service = urls["mrs_web"] + "/web/cas_security_check.htm"
    posted = session.post(urls["mrs_cas"] + "/cas/login", params={"service": service},
                          data={"username": user, "password": password, "lt": lt,
                                "_eventId": "submit", "submit": "Login"})
    return session, posted


def mrs_session(urls: dict, **kwargs) -> requests.Session:
    session, _ = cas_login(urls, **kwargs)
    check = session.get(urls["mrs_web"] + "/web/v1/access/login_check")
    assert check.status_code == 200 and check.json()["state"] == "COMPLETE", check.text
    return session


def service_status(session: requests.Session, urls: dict, name: str) -> dict:
    body = session.get(f"{urls['mrs_web']}/web/v1/cluster/1/services/{name}").json()
    return {p["name"]: p["value"] for p in body["res_obj"]["key_property"]}


def iam_token(urls: dict, project: dict | None = None, **kwargs) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": IAM_USER, "password": IAM_PASSWORD, "domain": {"name": IAM_DOMAIN}}}},
        "scope": {"project": project or {"name": "cn-north-4"}}}}
    response = requests.post(urls["iam"] + "/v3/auth/tokens", json=body, **kwargs)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def bms(urls: dict, token: str, method: str, path: str, project_id: str = PROJECT_ID, **kwargs) -> requests.Response:
    return requests.request(method, f"{urls['bms']}/v1/{project_id}{path}", headers={"X-Auth-Token": token}, **kwargs)


def urls_of(handle, family: str, name: str) -> dict:
    """One instance's URLs in the shape of `handle.urls` (for the helpers above), IAM and admin included."""
    found = handle.instances[family][name]
    own = {"mrs": {"mrs_web": found.get("web"), "mrs_cas": found.get("cas")}}.get(family, {family: found.get("url")})
    return {**handle.urls, **own}


def server_ids(sim_handle, status: str | None = None, count: int | None = None) -> list[str]:
    servers = [s for s in sim_handle.sim.bms.servers.values() if status is None or s.status == status]
    return [s.id for s in servers[:count]]


def operate_and_wait(session: requests.Session, urls: dict, service: str, action: str, only_self: bool = True) -> dict:
    """POST start/stop and poll the command once per call until it is terminal (speed 0: one poll)."""
    command = session.post(f"{urls['mrs_web']}/web/v1/maintain/cluster/1/service/{service}/{action}",
                           json={"only_self": only_self}).json()
    while True:
        body = session.get(f"{urls['mrs_web']}/web/v1/common/command/{command['id']}/progress").json()
        if body["state"] in ("COMPLETE", "FAILED"):
            return body
