"""Malformed input never produces a 500: every family answers with its own 4xx shape."""

import itertools
from datetime import datetime, timezone

import requests

from sim_helpers import OCP_AUTH, PROJECT_ID, iam_token, mrs_session

NOW_SDK_DATE = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
ODD_BODIES = [b"", b"{", b"[]", b"null", b'"text"', b"123", b'{"a": {"b": []}}', b"\xff\xfe",
              b'{"os-stop": "x"}', b'{"os-stop": {"servers": "x"}}', b'{"os-stop": {"servers": [1, null]}}',
              b'{"reboot": {"type": 5, "servers": [{"id": 7}]}}', b'{"only_self": null}', b'{"hostIds": "1"}',
              b'{"auth": []}', b'{"auth": {"identity": {"password": {"user": {"name": "ops-bot", "password": 1, '
              b'"domain": "quiesce-demo"}}, "methods": "password"}, "scope": "project"}}',
              b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "ops-bot", '
              b'"password": "IamDemo#2024", "domain": {"name": "quiesce-demo"}}}}, "scope": {"project": "x"}}}']


def test_no_server_errors_on_odd_input(sim):
    token = iam_token(sim.urls)
    session = mrs_session(sim.urls)
    targets = [
        (session.post, sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/HDFS/stop", {}),
        (session.post, sim.urls["mrs_web"] + "/web/v1/maintain/cluster/x/service/HDFS/start", {}),
        (session.get, sim.urls["mrs_web"] + "/web/v1/common/command/abc/progress", {}),
        (requests.post, sim.urls["mrs_cas"] + "/cas/login", {}),
        (requests.post, sim.urls["ocp"] + "/api/v2/compute/hosts/batchStopAgents", {"auth": OCP_AUTH}),
        (requests.post, sim.urls["ocp"] + "/api/v2/compute/idcs", {"auth": OCP_AUTH}),
        (requests.get, sim.urls["ocp"] + "/api/v2/ob/clusters?page=x&size=-1", {"auth": OCP_AUTH}),
        (requests.post, sim.urls["ocp"] + "/api/v2/tasks/instances/x/subtasks/y/retry", {"auth": OCP_AUTH}),
        (requests.post, sim.urls["iam"] + "/v3/auth/tokens", {}),
        (requests.post, f"{sim.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/action", {"headers": {"X-Auth-Token": token}}),
        (requests.get, f"{sim.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/detail?limit=x&offset=-3",
         {"headers": {"X-Auth-Token": token}}),
    ]
    for (call, url, kwargs), body in itertools.product(targets, ODD_BODIES):
        response = call(url, data=body, **kwargs)
        assert response.status_code < 500, (url, body, response.status_code, response.text)
    odd_headers = [{"Authorization": "Basic !!!"}, {"Authorization": "Basic " + "YWRtaW46/w==", "X-Note": "ümlaut"},
                   {"Authorization": "SDK-HMAC-SHA256 Access=QUIESCEDEMOAK0000001, SignedHeaders=x-sdk-date;x-odd, "
                                     "Signature=00", "X-Sdk-Date": NOW_SDK_DATE, "X-Odd": "ü"}, {"Authorization": "OCP-ACCESS-KEY-HMACSHA1 nocolon"},
                   {"Authorization": "SDK-HMAC-SHA256 Access=QUIESCEDEMOAK0000001, SignedHeaders=host, Signature=zz"},
                   {"Authorization": "SDK-HMAC-SHA256 garbage"}, {"X-Auth-Token": ""}, {"Date": "yesterday"}]
    for headers, url in itertools.product(odd_headers, [sim.urls["ocp"] + "/api/v2/ob/clusters",
                                                         f"{sim.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/detail",
                                                         sim.urls["mrs_web"] + "/web/v1/access/login_check"]):
        response = requests.get(url, headers=headers, allow_redirects=False)
        assert response.status_code < 500, (url, headers, response.text)
    assert [e for e in sim.admin.log() if e["status"] is not None and e["status"] >= 500] == []


def test_non_ascii_credentials_are_just_wrong(sim):
    import base64
    from email.utils import formatdate

    from sim_helpers import cas_login

    _, posted = cas_login(sim.urls, password="pässwörd")
    assert "cannot be determined to be authentic" in posted.text
    basic = "Basic " + base64.b64encode("admin:pässwörd".encode()).decode()
    assert requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", headers={"Authorization": basic}).status_code == 401
    signed = {"Authorization": "OCP-ACCESS-KEY-HMACSHA1 QuiesceOcpAk0001:sïg", "Date": formatdate(usegmt=True)}
    assert requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", headers=signed).status_code == 401
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "ops-bot", "password": "pässwörd", "domain": {"name": "quiesce-demo"}}}}}}
    assert requests.post(sim.urls["iam"] + "/v3/auth/tokens", json=body).status_code == 401
