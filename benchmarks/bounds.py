"""The lower bound of the requests a module case needs, from the API documents and the poll schedules.

A case's bound is: the login dance the documents require, the state reads (before deciding, and the read that
confirms the end state where the documents ask for it), one action per target (per 1,000 servers for BMS) and
the polls the module's own poll schedule needs to see an operation of the simulator's length end
(``harness.schedule_polls``). Each figure names the document section it comes from.
"""

from __future__ import annotations

from harness import schedule_polls  # also puts build/collections on sys.path

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import PowerRun
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import MrsClient
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule

# mrs-manager.md s3: the requests of one login and logout of a security (Kerberos) cluster.
MRS_SECURITY_LOGIN = (
    ("GET /web/v1/access/login_check", "s3.1: a normal cluster answers with FISessionId, a security cluster "
                                       "redirects to CAS; no option says which, so it is asked"),
    ("GET /cas/login", "s3.2 step 1: the login page and its lt ticket"),
    ("POST /cas/login", "s3.2 step 2: the credentials, answered with CASTGC"),
    ("GET /web/v1/access/login_check", "s3.2 step 3, followed through its redirects:"),
    ("GET /cas/login?service=...", "  redirect 1: CAS sees the TGC and issues a service ticket"),
    ("GET /web/cas_security_check.htm?ticket=...", "  redirect 2: the web application takes the ticket"),
    ("GET /web/v1/access/login_check", "  redirect 3: back to login_check, answered with JSESSIONID"),
    ("GET /web/v1/logout_action", "s3.3: end the web session"),
    ("POST /cas/logout", "s3.3: end the CAS session"),
)
MRS_LOGIN_REQUESTS = len(MRS_SECURITY_LOGIN)
BMS_PAGE = 1000  # bms.md s4.7: the list's largest page; s8: the most servers one action takes

# The modules' defaults (doc fragment wait: poll_interval 1 s) through the modules' own schedule builders.
POLL_INTERVAL = 1.0
SCHEDULES = {
    "mrs": lambda: MrsClient(None, poll_interval=POLL_INTERVAL).schedule(),
    "ocp": lambda: PollSchedule(initial=POLL_INTERVAL),  # OcpClient.from_module with poll_interval set
    "bms": lambda: PowerRun(None, "stopped", poll_interval=POLL_INTERVAL).schedule,
}


def polls(family: str, durations) -> int:
    """The polls of one wait per operation of ``durations`` seconds (each from its action's answer)."""
    return sum(schedule_polls(SCHEDULES[family](), duration) for duration in durations)


def bms_pages(count: int) -> int:
    """Pages to list ``count`` servers: bms.md s4.7 leaves open whether ``count`` is the total or the page size,
    so a full last page is followed by one more request (it comes back empty) under either reading."""
    return count // BMS_PAGE + 1


def bms_read(targets: int, listed: int) -> int:
    """Reads of ``targets`` servers' states: one GET each (s4.6) or the pages of the ``listed`` servers that
    contain them (s4.7: the selection's filter, or the whole project for ids), whichever is fewer."""
    return min(targets, bms_pages(listed))


def bound(auth=0, read=0, action=0, poll=0) -> dict:
    return {"auth": auth, "read": read, "action": action, "poll": poll}


def total(counts: dict) -> int:
    return sum(counts.values())
