"""The vendor's own SDK, pointed at the simulator, runs unchanged and parses into its models."""

import pytest
from huaweicloudsdkbms.v1 import (BatchRebootBaremetalServersRequest, BatchStartBaremetalServersRequest,
                                  BatchStopBaremetalServersRequest, BmsClient, ListBareMetalServerDetailsRequest,
                                  ListBareMetalServersRequest, OsStartBody, OsStopBody, OsStopBodyType, RebootBody,
                                  ServersInfoType, ServersList, ShowJobInfosRequest, StartServersInfo)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig

from sim_helpers import PROJECT_ID, server_ids

AK, SK = "QUIESCEDEMOAK0000001", "QuiesceDemoSecretKey000000000000000001"


def client_for(url: str, ca_file: str | None = None, sk: str = SK) -> BmsClient:
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    if ca_file:
        config.ssl_ca_cert = ca_file
    else:
        config.ignore_ssl_verification = True
    return (BmsClient.new_builder()
            .with_http_config(config)
            .with_credentials(BasicCredentials(AK, sk, PROJECT_ID))
            .with_endpoints([url])
            .build())


def test_sdk_stop_start_reboot_job_and_queries(sim):
    client = client_for(sim.urls["bms"])
    ids = server_ids(sim, "ACTIVE", 3)
    stop = client.batch_stop_baremetal_servers(BatchStopBaremetalServersRequest(body=OsStopBody(
        os_stop=OsStopBodyType(type="HARD", servers=[ServersList(id=i) for i in ids]))))
    assert len(stop.job_id) == 32
    job = client.show_job_infos(ShowJobInfosRequest(job_id=stop.job_id))
    assert job.status == "SUCCESS" and job.job_type == "baremetalBatchOperate"
    assert job.entities.sub_jobs_total == 3
    assert sorted(s.entities.server_id for s in job.entities.sub_jobs) == sorted(ids)
    one = client.list_bare_metal_server_details(ListBareMetalServerDetailsRequest(server_id=ids[0]))
    assert one.server.status == "SHUTOFF" and one.server.os_ext_st_stask_state is None
    assert one.server.os_ext_st_spower_state == 4 and one.server.flavor.id
    start = client.batch_start_baremetal_servers(BatchStartBaremetalServersRequest(body=OsStartBody(
        os_start=StartServersInfo(servers=[ServersList(id=i) for i in ids]))))
    assert client.show_job_infos(ShowJobInfosRequest(job_id=start.job_id)).status == "SUCCESS"
    reboot = client.batch_reboot_baremetal_servers(BatchRebootBaremetalServersRequest(body=RebootBody(
        reboot=ServersInfoType(type="SOFT", servers=[ServersList(id=ids[0])]))))
    assert client.show_job_infos(ShowJobInfosRequest(job_id=reboot.job_id)).status == "SUCCESS"
    listing = client.list_bare_metal_servers(ListBareMetalServersRequest(name="rack01-", limit=10, offset=2))
    assert listing.count == 30 and [s.name for s in listing.servers][0] == "rack01-node011"
    identities = {e["identity"] for e in sim.admin.log(api="bms")}
    assert identities == {AK}


def test_sdk_sees_errors_as_exceptions(sim):
    client = client_for(sim.urls["bms"])
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.show_job_infos(ShowJobInfosRequest(job_id="0" * 32))
    assert caught.value.status_code == 404 and caught.value.error_code == "BMS.JOB_NOT_FOUND"
    assert len(caught.value.request_id) == 32
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client_for(sim.urls["bms"], sk="wrong").show_job_infos(ShowJobInfosRequest(job_id="0" * 32))
    assert caught.value.status_code == 401 and caught.value.error_code == "APIGW.0301"
    stopped = server_ids(sim, "SHUTOFF", 1)
    sim.admin.config(bms_wrong_state_mode="sync")
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.batch_stop_baremetal_servers(BatchStopBaremetalServersRequest(body=OsStopBody(
            os_stop=OsStopBodyType(type="HARD", servers=[ServersList(id=stopped[0])]))))
    assert caught.value.error_code == "BMS.0039"


def test_sdk_over_tls_with_ca(tmp_path):
    from quiesce_sim.testing import in_process_simulator

    with in_process_simulator(speed=0, tls_dir=str(tmp_path)) as handle:
        assert handle.urls["bms"].startswith("https://127.0.0.1:")
        client = client_for(handle.urls["bms"], ca_file=handle.ca_file)
        listing = client.list_bare_metal_servers(ListBareMetalServersRequest(limit=5))
        assert listing.count == 300 and len(listing.servers) == 5


def test_sdk_finds_project_id_through_iam(sim):
    """Without a project id the SDK asks IAM `GET /v3/projects?name=<region>` (AK/SK signed)."""
    from huaweicloudsdkcore.region.region import Region

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    credentials = BasicCredentials(AK, SK).with_iam_endpoint(sim.urls["iam"])
    client = (BmsClient.new_builder().with_http_config(config).with_credentials(credentials)
              .with_region(Region("cn-north-4", sim.urls["bms"])).build())
    listing = client.list_bare_metal_servers(ListBareMetalServersRequest(limit=1))
    assert listing.count == 300
    assert sim.admin.log(api="iam")[0]["path"] == "/v3/projects"
    assert sim.admin.log(api="iam")[0]["query"] == {"name": "cn-north-4"}


def test_iam_sdk_password_token(sim):
    from huaweicloudsdkcore.auth.credentials import GlobalCredentials
    from huaweicloudsdkiam.v3 import (AuthScope, AuthScopeProject, IamClient, KeystoneCreateUserTokenByPasswordRequest,
                                      KeystoneCreateUserTokenByPasswordRequestBody, PwdAuth, PwdIdentity, PwdPassword,
                                      PwdPasswordUser, PwdPasswordUserDomain)

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    client = (IamClient.new_builder().with_http_config(config)
              .with_credentials(GlobalCredentials(AK, SK, "9f3c2b1a0d4e5f60718293a4b5c6d7e8"))
              .with_endpoints([sim.urls["iam"]]).build())
    body = KeystoneCreateUserTokenByPasswordRequestBody(auth=PwdAuth(
        identity=PwdIdentity(methods=["password"], password=PwdPassword(user=PwdPasswordUser(
            domain=PwdPasswordUserDomain(name="quiesce-demo"), name="ops-bot", password="IamDemo#2024"))),
        scope=AuthScope(project=AuthScopeProject(name="cn-north-4"))))
    response = client.keystone_create_user_token_by_password(
        KeystoneCreateUserTokenByPasswordRequest(nocatalog="true", body=body))
    assert response.x_subject_token.startswith("MII")
    assert response.token.project.id == PROJECT_ID and response.token.user.name == "ops-bot"
    assert response.token.expires_at.endswith("Z")
