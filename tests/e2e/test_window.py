"""The maintenance window against the simulator: what operators rely on, proven from the request log."""

from __future__ import annotations

import datetime
import json
import re
import sys
import time

import pytest

from conftest import REPO, kill_group

DEFAULT_ESTATE = {
    'window': {'progress_interval': 5},
    'stages': [
        {'name': 'apps', 'kind': 'mrs_service', 'targets': ['Hue', 'Loader']},
        {'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report']},
        {'name': 'agents', 'kind': 'ocp_agent_process',
         'targets': [{'host': 'ob-report-1', 'processes': ['obstat2', 'ob_logtailer']}]},
        # rack02 holds 30 servers, rack02-node030 already off: it must stay off.
        {'name': 'machines', 'kind': 'bms_power', 'targets': [{'name': 'rack02-'}], 'expect': 30},
    ],
}


def estate_state(state):
    """The simulator's state without what changes by itself (time, sessions, commands in flight)."""
    return {'mrs': dict((n, s['running_status']) for n, s in state['mrs']['services'].items()),
            'ocp': dict((i, c['status']) for i, c in state['ocp']['clusters'].items()),
            'agents': dict((h, a['processes']) for h, a in state['ocp']['agents'].items()),
            'bms': state['bms'].get('servers')}


def instances_state(state):
    """Every instance's services, clusters, agent processes and servers, without what changes by itself."""
    view = {}
    for name, part in state['instances']['mrs'].items():
        view['mrs', name] = dict((n, s['running_status']) for n, s in part['services'].items())
    for name, part in state['instances']['ocp'].items():
        view['ocp', name] = (dict((i, c['status']) for i, c in part['clusters'].items()),
                             dict((h, a['processes']) for h, a in part['agents'].items()))
    for name, part in state['instances']['bms'].items():
        view['bms', name] = part.get('servers')
    return view


def window_id_of(run):
    match = re.search(r'[Mm]aintenance window ([A-Za-z0-9][A-Za-z0-9._-]*?)(?:: | \()', run.output)
    assert match, run.output[-3000:]
    return match.group(1)


def test_full_window_puts_everything_back_and_logs_in_once_per_endpoint_and_stage(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    run = playbooks.run(sim, 'window', DEFAULT_ESTATE)
    assert run.returncode == 0, run.output[-4000:]
    assert estate_state(sim.state()) == before
    window_id = window_id_of(run)
    ledger = playbooks.ledger(window_id)
    assert sorted(e['label'] for e in ledger['entries'] if e['kind'] != 'bms_power') == [
        'Hue', 'Loader', 'ob-report (1000003)', 'ob_logtailer on ob-report-1', 'obstat2 on ob-report-1']
    servers = [e for e in ledger['entries'] if e['kind'] == 'bms_power']
    assert len(servers) == 29 and 'rack02-node030' not in [e['label'] for e in servers]
    assert all(e['status'] == 'resumed' for e in ledger['entries'])
    assert all(e['times']['stop_issued'] and e['times']['down'] and e['times']['start_issued'] and e['times']['up']
               for e in ledger['entries'])
    actions = sim.mutating()
    # One action per target and direction: MRS 2+2, OCP cluster 1+1, agent processes 2+2, BMS one batch each way.
    assert len([a for a in actions if a['api'] == 'mrs_web']) == 4
    assert len([a for a in actions if a['api'] == 'ocp']) == 6
    assert len([a for a in actions if a['api'] == 'bms']) == 2
    # MRS logins: preflight, the quiesce of stage apps, its resume: one CAS login each.
    cas_logins = [e for e in sim.log(api='mrs_cas') if e['method'] == 'POST' and e['path'].endswith('/login')]
    assert len(cas_logins) == 3
    # IAM tokens: preflight, quiesce and resume of the machines stage.
    assert len([e for e in sim.log(api='iam') if e['path'].endswith('/auth/tokens')]) <= 3


def test_check_mode_prints_the_plan_and_sends_no_mutating_request(simulator, playbooks):
    sim = simulator()
    run = playbooks.run(sim, 'window', DEFAULT_ESTATE, check=True)
    assert run.returncode == 0, run.output[-4000:]
    assert sim.mutating() == []
    assert '[plan] machines (bms_power): 30 target(s), 29 to stop' in run.output
    window_id = window_id_of(run)
    plan = json.loads((playbooks.window_dir(window_id) / 'plan.json').read_text())
    assert plan['check_mode'] is True and plan['ok'] is True
    decisions = dict((t['label'], t['decision']) for s in plan['stages'] for t in s['targets'])
    assert decisions['rack02-node030'] == 'already_stopped' and decisions['Hue'] == 'stop'
    assert not (playbooks.window_dir(window_id) / 'ledger.json').exists()


def test_preflight_lists_a_wrong_password_and_an_unknown_target_and_stops_nothing(simulator, playbooks):
    sim = simulator()
    estate = {
        'endpoints': {'mrs': {'mrs-prod': {'env': {'manager_url': 'MRS_MANAGER_URL', 'cas_url': 'MRS_CAS_URL',
                                                   'username': 'MRS_USERNAME'},
                                           'password': 'Wrong#Password1'}}},
        'stages': [{'name': 'apps', 'kind': 'mrs_service', 'endpoint': 'mrs-prod', 'targets': ['Hue']},
                   {'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report', 'ob-nosuch']}],
    }
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode != 0
    assert 'Preflight found 2 problem(s); nothing was stopped' in run.output
    assert re.search(r'endpoint mrs-prod \(mrs\): .*wrong user name or password', run.output)
    assert "OCP has no cluster named 'ob-nosuch'" in run.output
    assert sim.mutating() == []
    # One login attempt only: the account locks after five.
    assert len([e for e in sim.log(api='mrs_cas') if e['method'] == 'POST']) == 1


def test_a_selection_matching_another_count_than_expected_stops_nothing(simulator, playbooks):
    sim = simulator()
    estate = {'stages': [{'name': 'machines', 'kind': 'bms_power', 'targets': [{'name': '-'}], 'expect': 30}]}
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode != 0
    assert 'the selection resolves to 300 target(s), but the stage expects 30' in run.output
    assert sim.mutating() == []


def test_an_estate_with_bad_keys_names_each_of_them_before_any_request(simulator, playbooks):
    sim = simulator()
    estate = {'stages': [{'name': 'apps', 'kind': 'mrs_servcie', 'targets': ['Hue']},
                         {'name': 'dbs', 'kind': 'ocp_cluster', 'targets': [], 'on_failure': 'ignore'},
                         {'name': 'hosts', 'kind': 'ocp_agent_process', 'targets': [{'host': 'h1', 'processes': []}]}],
              'window': {'deadline': '2026-12-06 04:00'}}
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode != 0
    for where in ('estate.stages[0] (apps).kind', 'estate.stages[1] (dbs).targets', 'estate.stages[1] (dbs).on_failure',
                  'estate.stages[2] (hosts).targets[0].processes', 'estate.window.deadline'):
        assert where in run.output, where
    assert sim.log() == []


def test_a_deadline_too_short_for_the_third_stage_stops_after_the_second_and_resumes_in_time(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    estimates = {'stop': 100, 'start': 100}
    # Stage 1 needs 200 s, stage 2 needs 200 s + 100 s to bring stage 1 back, stage 3 needs 200 + 200 s: with
    # 350 s left the third must not start (every operation here takes about a second).
    deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=350)
    estate = {
        'window': {'deadline': deadline.strftime('%Y-%m-%dT%H:%M:%SZ'),
                   'estimates': dict((k, estimates) for k in ('mrs_service', 'ocp_cluster', 'bms_power'))},
        'stages': [{'name': 'apps', 'kind': 'mrs_service', 'targets': ['Hue']},
                   {'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report']},
                   {'name': 'machines', 'kind': 'bms_power', 'targets': [{'name': 'rack02-'}], 'expect': 30}],
    }
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode != 0  # the window could not do its work: it says so
    assert 'stage machines was not started' in run.output
    assert estate_state(sim.state()) == before
    assert [e for e in sim.mutating() if e['api'] == 'bms'] == []
    report = playbooks.report(window_id_of(run))
    assert 'stage machines was not started' in json.dumps(report)
    assert datetime.datetime.now(datetime.timezone.utc) < deadline


def test_progress_lines_at_least_every_30_seconds_during_a_60_second_wait(simulator, playbooks):
    # ob-report's stop is 11 subtasks of ~1 s (2 s for the observer step): ~13 s at speed 1, ~60 s at 4.6.
    sim = simulator(speed=4.6)
    estate = {'window': {'progress_interval': 30},
              'stages': [{'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report']}]}
    run = playbooks.run(sim, 'quiesce', estate)
    assert run.returncode == 0, run.output[-4000:]
    progress = [(at, text) for at, text in run.lines if text.startswith('[databases] ob-report (1000003): ')]
    assert len(progress) >= 1, run.output
    stop_sent = next(at for at, text in run.lines if text.startswith('[databases] stopping'))
    done = next(at for at, text in run.lines if text.startswith('[databases] done'))
    assert done - stop_sent >= 55, 'the stop should have taken about a minute'
    moments = [stop_sent] + [at for at, _ in progress] + [done]
    gaps = [b - a for a, b in zip(moments, moments[1:])]
    assert max(gaps) <= 31.5, gaps
    assert re.search(r'task \d+ \(Stop OB cluster\) RUNNING.*subtasks successful; elapsed \d+s, budget left \d+s', progress[0][1])


def _kill_after_action(sim, playbooks, estate, fault_path, api):
    """Start a quiesce; let the action POST matching ``fault_path`` hang server-side (applied after 4 s) and kill
    ansible-playbook (SIGKILL, with its workers) while it is in flight."""
    sim.admin.add_fault(api=api, method='POST', path=fault_path, kind='slow', delay=4)
    process, lines, _started, reader = playbooks.start(sim, 'quiesce', estate,
                                                       extra_vars={'maintenance_window_id': 'crash-1'})
    deadline = time.monotonic() + 120
    while not [e for e in sim.log(api=api, method='POST') if re.search(fault_path, e['path'])]:
        # The slow request is logged when it ends; the fault's "applied" count says it has begun.
        if any(f.get('applied') for f in sim.admin.faults()):
            break
        assert time.monotonic() < deadline and process.poll() is None, '\n'.join(t for _, t in lines)
        time.sleep(0.05)
    kill_group(process)
    reader.join(5)
    time.sleep(5)  # the hung action is applied now, with nobody waiting for it
    return lines


def test_sigkill_right_after_an_ocp_cluster_stop_is_sent_and_resume_brings_it_back(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    estate = {'stages': [{'name': 'apps', 'kind': 'mrs_service', 'targets': ['Hue']},
                         {'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report']}]}
    _kill_after_action(sim, playbooks, estate, r'/ob/clusters/1000003/stop$', 'ocp')
    assert sim.state()['ocp']['clusters']['1000003']['status'] == 'STOPPED'
    ledger = playbooks.ledger('crash-1')
    cluster = [e for e in ledger['entries'] if e['kind'] == 'ocp_cluster']
    assert len(cluster) == 1 and cluster[0]['status'] == 'intent' and cluster[0]['before'] == 'RUNNING'
    run = playbooks.run(sim, 'resume', estate, extra_vars={'maintenance_window_id': 'crash-1'})
    assert run.returncode == 0, run.output[-4000:]
    assert estate_state(sim.state()) == before


def test_sigkill_right_after_a_bms_batch_is_sent_and_resume_brings_every_server_back(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    estate = {'stages': [{'name': 'machines', 'kind': 'bms_power', 'targets': [{'name': 'rack02-'}], 'expect': 30}]}
    _kill_after_action(sim, playbooks, estate, r'/baremetalservers/action$', 'bms')
    off = [i for i, s in sim.state()['bms']['servers'].items() if s in ('SHUTOFF',) or (isinstance(s, dict) and
                                                                                       s.get('status') == 'SHUTOFF')]
    assert len(off) >= 29
    ledger = playbooks.ledger('crash-1')
    assert len(ledger['entries']) == 29 and all(e['status'] == 'intent' for e in ledger['entries'])
    run = playbooks.run(sim, 'resume', estate, extra_vars={'maintenance_window_id': 'crash-1'})
    assert run.returncode == 0, run.output[-4000:]
    assert estate_state(sim.state()) == before  # rack02-node030, off before the window, is still off


def test_a_failed_state_read_leaves_the_target_out_of_the_restore(simulator, playbooks):
    sim = simulator()
    # Kafka's state cannot be read once the window runs (preflight could still read it).
    estate = {'stages': [{'name': 'apps', 'kind': 'mrs_service', 'targets': ['Hue']},
                         {'name': 'more', 'kind': 'mrs_service', 'targets': ['Kafka']}]}
    process, lines, _started, reader = playbooks.start(sim, 'window', estate)
    deadline = time.monotonic() + 120
    while not list(playbooks.state_dir.glob('*/plan.json')):
        assert time.monotonic() < deadline and process.poll() is None, '\n'.join(t for _, t in lines)
        time.sleep(0.05)
    sim.admin.add_fault(api='mrs_web', method='GET', path='/services/Kafka$', kind='status', status=500, count=-1)
    process.wait(timeout=300)
    reader.join(5)
    output = '\n'.join(t for _, t in lines)
    assert process.returncode != 0
    state = sim.state()['mrs']['services']
    assert state['Hue']['running_status'] == 'STARTED'   # stopped by the window, restored
    assert state['Kafka']['running_status'] == 'STARTED'  # never acted on
    kafka_actions = [e for e in sim.mutating() if 'Kafka' in e['path']]
    assert kafka_actions == [], output
    window_id = window_id_of(type('R', (), {'output': output})())
    assert [e['label'] for e in playbooks.ledger(window_id)['entries']] == ['Hue']


def _seconds(stamp):
    return datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%S.%fZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()


def test_a_parallel_stage_overlaps_and_the_window_takes_about_its_critical_path(simulator, playbooks):
    sim = simulator(speed=1.0)
    estate = {'stages': [
        {'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-prod', 'ob-report'], 'parallel': True},
        {'name': 'machines', 'kind': 'bms_power', 'targets': [{'name': 'rack02-'}], 'expect': 30}]}
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode == 0, run.output[-4000:]
    # Both stops were sent before either cluster's task had finished: their polls interleave in the log.
    ocp = [e for e in sim.log(api='ocp') if re.search(r'/ob/clusters/\d+/stop$|/tasks/instances/\d+$', e['path'])]
    stops = [i for i, e in enumerate(ocp) if e['path'].endswith('/stop')]
    first_task_polls = [i for i, e in enumerate(ocp) if i > stops[0] and '/tasks/instances/' in e['path']]
    assert len(stops) == 2 and stops[1] < first_task_polls[-1], [e['path'] for e in ocp]
    entries = playbooks.ledger(window_id_of(run))['entries']
    by_stage = {}
    for entry in entries:
        times = dict((k, _seconds(v)) for k, v in entry['times'].items())
        by_stage.setdefault(entry['stage'], []).append(times)
    critical = sum(max(t['down'] - t['stop_issued'] for t in group) + max(t['up'] - t['start_issued'] for t in group)
                   for group in by_stage.values())
    wall = max(t['up'] for g in by_stage.values() for t in g) - min(t['stop_issued'] for g in by_stage.values()
                                                                      for t in g)
    print('window wall time {0:.1f}s, critical path {1:.1f}s, ratio {2:.3f}; playbook {3:.1f}s'.format(
        wall, critical, wall / critical, run.duration))
    assert critical > 30
    assert wall <= 1.15 * critical, (wall, critical)


def test_an_mrs_stage_resumes_in_reverse_stop_order(simulator, playbooks):
    # Listed top-down (Hive depends on DBService): stopped Hive then DBService, started DBService then Hive.
    sim = simulator()
    run = playbooks.run(sim, 'window', {'stages': [{'name': 'apps', 'kind': 'mrs_service',
                                                     'targets': ['Hive', 'DBService']}]})
    assert run.returncode == 0, run.output[-4000:]
    actions = [e['path'].rsplit('/', 2)[-2:] for e in sim.mutating()]
    assert actions == [['Hive', 'stop'], ['DBService', 'stop'], ['DBService', 'start'], ['Hive', 'start']], actions
    services = sim.state()['mrs']['services']
    assert services['Hive']['running_status'] == services['DBService']['running_status'] == 'STARTED'


def test_an_mrs_stage_with_only_self_false_puts_back_what_mrs_stopped_along_with_it(simulator, playbooks):
    # Hue and Spark2x depend on Hive (the simulator's DEFAULT_DEPENDENCIES): with only_self false the Manager's
    # stop of Hive stops them too. The window must find them, keep them in the ledger and start them again.
    sim = simulator()
    before = estate_state(sim.state())
    assert before['mrs']['Hive'] == before['mrs']['Hue'] == before['mrs']['Spark2x'] == 'STARTED'
    run = playbooks.run(sim, 'window', {'stages': [{'name': 'apps', 'kind': 'mrs_service', 'only_self': False,
                                                     'targets': ['Hive']}]})
    assert run.returncode == 0, run.output[-4000:]
    assert estate_state(sim.state()) == before  # every service it stopped is running again
    # One stop POST (Hive's: the Manager stops the others itself), then one start POST per service, Hive first.
    posts = [tuple(e['path'].rsplit('/', 2)[-2:]) for e in sim.mutating() if e['api'] == 'mrs_web']
    assert [p for p in posts if p[1] == 'stop'] == [('Hive', 'stop')], posts
    starts = [p[0] for p in posts if p[1] == 'start']
    assert starts[0] == 'Hive' and sorted(starts) == ['Hive', 'Hue', 'Spark2x'], posts
    assert posts.index(('Hive', 'stop')) == 0
    # The ledger holds the two MRS stopped along with Hive, as read back after its stop, all resumed.
    window_id = window_id_of(run)
    ledger = dict((e['label'], e) for e in playbooks.ledger(window_id)['entries'])
    assert sorted(ledger) == ['Hive', 'Hue', 'Spark2x']
    assert ledger['Hive']['cascade_of'] is None
    assert ledger['Hue']['cascade_of'] == ledger['Spark2x']['cascade_of'] == 'Hive'
    assert all(e['status'] == 'resumed' for e in ledger.values())
    assert ledger['Hue']['before'] == ledger['Spark2x']['before'] == 'STARTED'
    assert ledger['Hue']['after'] == ledger['Spark2x']['after'] == 'STOPPED'
    assert 'Hue was stopped by MRS Manager along with Hive' in run.output
    # The Markdown report names them as stopped along with Hive, and started again.
    markdown = (playbooks.window_dir(window_id) / 'report.md').read_text()
    rows = dict((cells[1].strip(), cells) for cells in (line.split('|') for line in markdown.splitlines())
                if len(cells) > 4 and cells[1].strip() in ('Hive', 'Hue', 'Spark2x'))
    assert sorted(rows) == ['Hive', 'Hue', 'Spark2x'], markdown
    assert rows['Hive'][4].strip() == 'stopped, started', rows['Hive']
    for name in ('Hue', 'Spark2x'):
        assert rows[name][4].strip() == 'stopped along with Hive, started', (rows[name], markdown)


def test_a_failed_stage_turns_the_window_and_puts_back_what_was_stopped(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    sim.admin.add_fault(api='ocp', method='POST', path=r'/ob/clusters/\d+/stop$', kind='fail_task')
    run = playbooks.run(sim, 'window', DEFAULT_ESTATE)
    assert run.returncode != 0
    assert estate_state(sim.state()) == before
    report = playbooks.report(window_id_of(run))
    text = json.dumps(report)
    assert 'databases' in text and 'failed' in text
    # The agents and machines stages were never started: no action for them at all.
    assert [e for e in sim.mutating() if e['api'] == 'bms' or '/agent/' in e['path']] == []
    assert 'not started: the window turned to resume at stage databases' in text


def test_a_failing_operator_task_restores_and_keeps_its_reason(simulator, playbooks, tmp_path):
    sim = simulator()
    before = estate_state(sim.state())
    tasks = tmp_path / 'operator.yml'
    tasks.write_text('- name: Patch the switches\n  ansible.builtin.command: /bin/false\n  changed_when: true\n')
    run = playbooks.run(sim, 'window', DEFAULT_ESTATE, extra_vars={'maintenance_window_operator_tasks': str(tasks)})
    assert run.returncode != 0
    assert estate_state(sim.state()) == before
    report = json.dumps(playbooks.report(window_id_of(run)))
    assert 'Patch the switches' in report and 'non-zero return code' in report


def test_quiesce_and_resume_as_separate_runs_hand_over_through_the_artifact(simulator, playbooks, tmp_path):
    sim = simulator()
    before = estate_state(sim.state())
    first = playbooks.run(sim, 'quiesce', DEFAULT_ESTATE, extra_vars={'maintenance_window_id': 'chg-42'})
    assert first.returncode == 0, first.output[-4000:]
    assert sim.state()['ocp']['clusters']['1000003']['status'] == 'STOPPED'
    stops = len(sim.mutating())
    # What AWX passes on: the quiesce job's set_stats data as the resume job's extra vars. The resume runs
    # from a fresh state directory (another job, another file system): the artifact is all it has.
    artifact = {'quiesce_lifecycle_handoff': {'window_id': 'chg-42', 'ledger': playbooks.ledger('chg-42')}}
    playbooks.state_dir = tmp_path / 'state-of-the-resume-job'
    second = playbooks.run(sim, 'resume', DEFAULT_ESTATE, extra_vars=artifact)
    assert second.returncode == 0, second.output[-4000:]
    assert estate_state(sim.state()) == before
    assert len(sim.mutating()) == 2 * stops  # each stopped target started exactly once (BMS: one batch)
    # A resume run again with the same artifact changes nothing.
    third = playbooks.run(sim, 'resume', DEFAULT_ESTATE, extra_vars=artifact)
    assert third.returncode == 0, third.output[-4000:]
    assert len(sim.mutating()) == 2 * stops
    # And so does a re-run in a fresh job (another file system), from the same artifact only.
    playbooks.state_dir = tmp_path / 'state-of-a-retried-resume-job'
    fourth = playbooks.run(sim, 'resume', DEFAULT_ESTATE, extra_vars=artifact)
    assert fourth.returncode == 0, fourth.output[-4000:]
    assert len(sim.mutating()) == 2 * stops
    assert estate_state(sim.state()) == before


ONE_CLUSTER = {'stages': [{'name': 'databases', 'kind': 'ocp_cluster', 'targets': ['ob-report']}]}


def test_a_resume_refuses_another_windows_ledger_unless_told_to_adopt_it(simulator, playbooks):
    sim = simulator()
    before = estate_state(sim.state())
    first = playbooks.run(sim, 'quiesce', ONE_CLUSTER, extra_vars={'maintenance_window_id': 'chg-7'})
    assert first.returncode == 0, first.output[-4000:]
    stops = len(sim.mutating())
    assert stops == 1 and sim.state()['ocp']['clusters']['1000003']['status'] == 'STOPPED'
    # The resume job of another change ticket pointed at chg-7's ledger: a typo'd id must not resume chg-7.
    ledger = {'maintenance_window_ledger_path': str(playbooks.window_dir('chg-7') / 'ledger.json')}
    wrong = playbooks.run(sim, 'resume', ONE_CLUSTER, extra_vars=dict(ledger, maintenance_window_id='chg-8'))
    assert wrong.returncode != 0
    assert "the ledger belongs to window 'chg-7', not 'chg-8'" in wrong.output
    assert 'maintenance_window_adopt_ledger=true' in wrong.output
    assert len(sim.mutating()) == stops
    adopted = playbooks.run(sim, 'resume', ONE_CLUSTER, extra_vars=dict(
        ledger, maintenance_window_id='chg-8', maintenance_window_adopt_ledger=True))
    assert adopted.returncode == 0, adopted.output[-4000:]
    assert estate_state(sim.state()) == before and len(sim.mutating()) == 2 * stops


def test_a_state_location_that_cannot_be_written_fails_preflight_and_stops_nothing(simulator, playbooks, tmp_path):
    sim = simulator()
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('a file where the state directory would go\n')
    playbooks.state_dir = blocker / 'state'   # no directory can be made under a file, whoever runs the test
    run = playbooks.run(sim, 'window', ONE_CLUSTER)
    assert run.returncode != 0
    assert 'state location' in run.output and 'QUIESCE_STATE_DIR' in run.output
    assert sim.mutating() == []


def _demo_estate():
    import yaml
    return yaml.safe_load((REPO / 'demo' / 'estate.yml').read_text())['maintenance_window_estate']


def test_the_demo_estate_two_mrs_managers_two_ocp_instances_two_regions(simulator, playbooks):
    sim = simulator('estate', speed=0.0)
    before = instances_state(sim.state())
    deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=20)
    run = playbooks.run(sim, 'window', _demo_estate(),
                        extra_vars={'maintenance_window_deadline': deadline.strftime('%Y-%m-%dT%H:%M:%SZ')})
    assert run.returncode == 0, run.output[-4000:]
    assert instances_state(sim.state()) == before
    actions = sim.mutating()
    reached = sorted(set((e['api'], e['instance']) for e in actions))
    assert reached == [('bms', 'cn-north-4'), ('bms', 'cn-south-1'), ('mrs_web', 'mrs-dr'), ('mrs_web', 'mrs-prod'),
                       ('ocp', 'ocp-hz'), ('ocp', 'ocp-sh')], reached
    ledger = playbooks.ledger(window_id_of(run))
    assert len([e for e in ledger['entries'] if e['kind'] == 'bms_power']) == 49  # rack02-node030 was off
    assert all(e['status'] == 'resumed' for e in ledger['entries'])
    # The BMS stage sent one action per region and direction.
    assert sorted(e['instance'] for e in actions if e['api'] == 'bms') == ['cn-north-4', 'cn-north-4', 'cn-south-1',
                                                                           'cn-south-1']
    # The page of this real run, in a real browser: one bar per stopped target, the 49-server stage as one row.
    _check_in_chromium(playbooks.window_dir(window_id_of(run)) / 'report.html', stopped_rows=3 + 2 + 4 + 1)


def test_a_failed_post_start_gate_fails_the_window_after_every_resume(simulator, playbooks):
    sim = simulator()
    sim.admin.patch('mrs_service', 'Hue', {'health_after_start': 'BAD'})
    estate = dict(DEFAULT_ESTATE, window={'post_start_grace': 3})
    run = playbooks.run(sim, 'window', estate)
    assert run.returncode != 0
    services = sim.state()['mrs']['services']
    assert services['Hue']['running_status'] == 'STARTED' and services['Loader']['running_status'] == 'STARTED'
    assert sim.state()['ocp']['clusters']['1000003']['status'] == 'RUNNING'  # every resume was still tried
    report = json.dumps(playbooks.report(window_id_of(run)))
    assert 'mrs_services_healthy_after_start' in report and 'Hue' in report


def test_a_missing_operator_tasks_file_is_found_by_preflight(simulator, playbooks, tmp_path):
    sim = simulator()
    run = playbooks.run(sim, 'window', DEFAULT_ESTATE,
                        extra_vars={'maintenance_window_operator_tasks': str(tmp_path / 'no-such-tasks.yml')})
    assert run.returncode != 0
    assert 'maintenance_window_operator_tasks: no tasks file at' in run.output
    assert sim.mutating() == []


def _check_in_chromium(page, stopped_rows):
    """The HTML report of this real run in headless Chromium (tests/browser): self-contained, one bar per stopped
    target (the 49-server stage as one aggregated row), the deadline drawn, a screenshot kept."""
    sys.path.insert(0, str(REPO / 'tests' / 'browser'))
    from report_page import check_report_page, chromium_problem  # pylint: disable=import-outside-toplevel
    problem = chromium_problem()
    if problem:
        pytest.skip('no headless Chromium here ({0}); tools/ensure-chromium installs it'.format(problem))
    output = REPO / 'tests' / 'output' / 'browser'
    output.mkdir(parents=True, exist_ok=True)
    facts = check_report_page(page, screenshot=output / 'e2e-demo-estate.png')
    assert len(facts['bars']) == stopped_rows and len(facts['deadlines']) == 1
