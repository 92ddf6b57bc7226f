"""The benchmarks' arithmetic: poll counts against the real waiter, BMS pages, repeated reads, critical path."""

import pytest

import bounds
import harness
import versus_baseline
import window_requests
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import wait_until


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.mark.parametrize("family", sorted(bounds.SCHEDULES))
@pytest.mark.parametrize("duration", [0, 0.4, 1.0, 1.75, 4.2, 6.3, 12.5, 42, 600])
def test_schedule_polls_are_what_the_waiter_sends(family, duration):
    fake, fetches = FakeTime(), []

    def fetch():
        fetches.append(fake.now)
        return fake.now >= duration

    wait_until(fetch, bool, 3600, 'an operation', schedule=bounds.SCHEDULES[family](), clock=fake.clock,
               sleep=fake.sleep)
    assert harness.schedule_polls(bounds.SCHEDULES[family](), duration) == len(fetches)
    assert bounds.polls(family, [duration, duration]) == 2 * len(fetches)


def test_bms_pages_follow_a_full_last_page_with_one_more():
    assert [bounds.bms_pages(n) for n in (0, 30, 999, 1000, 2500, 10000)] == [1, 1, 1, 2, 3, 11]
    assert bounds.bms_read(1, 2500) == 1 and bounds.bms_read(1000, 2500) == 3 and bounds.bms_read(30, 30) == 1


def test_mrs_login_is_the_documented_dance():
    assert bounds.MRS_LOGIN_REQUESTS == 9
    assert [step for step, _why in bounds.MRS_SECURITY_LOGIN].count("GET /web/v1/access/login_check") == 3


def entry(kind, path, instance="mrs-prod", query=None):
    return {"kind": kind, "path": path, "instance": instance, "api": "mrs_web", "query": query or {}}


def test_a_read_repeated_without_an_action_in_between_is_counted():
    hue = "/web/v1/cluster/1/services/Hue"
    entries = [entry("read", hue), entry("read", hue),  # repeated
               entry("action", "/web/v1/maintain/cluster/1/service/Hue/stop"), entry("read", hue),  # changed since
               entry("action", "/web/v1/maintain/cluster/1/service/Spark2x/stop"), entry("read", hue),  # repeated
               entry("read", hue, instance="mrs-dr")]  # another Manager
    assert window_requests.repeats(entries) == 2


def test_critical_path_from_ledger_times():
    def times(stop, down, start, up):
        stamp = "2026-12-01T00:00:{0:06.3f}Z".format
        return {"stop_issued": stamp(stop), "down": stamp(down), "start_issued": stamp(start), "up": stamp(up)}

    ledger = {"entries": [{"stage": "db", "times": times(0, 5, 20, 30)}, {"stage": "db", "times": times(0, 8, 20, 25)},
                          {"stage": "bms", "times": times(8, 12, 15, 19)}]}
    path = versus_baseline.critical_path(ledger)
    assert path["stages"] == {"db": 18.0, "bms": 8.0}
    assert path["critical_path_seconds"] == 26.0 and path["window_seconds"] == 30.0 and path["ratio"] == 1.154


def test_yaml_lines_leave_out_blanks_and_comments(tmp_path):
    (tmp_path / "a.yml").write_text("---\n# a comment\n\nstages:\n  - name: x  # kept\n")
    assert versus_baseline.yaml_lines(tmp_path / "a.yml") == 3


def test_sections_are_replaced_in_place_and_the_summary_goes_on_top(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "RESULTS_MD", tmp_path / "RESULTS.md")
    (tmp_path / "RESULTS.md").write_text("# Benchmark results\n\n## Older\n\ntext\n")
    harness.update_section("one", "## One\n\nfirst")
    harness.update_section("one", "## One\n\nsecond")
    harness.update_section("summary", "## Summary", top=True)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "first" not in text and text.count("<!-- bench:one -->") == 1 and "second" in text
    assert text.index("## Summary") < text.index("## Older") < text.index("## One")
