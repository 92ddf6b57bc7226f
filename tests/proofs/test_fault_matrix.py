"""The fault matrix, run for real: each cell is one `ansible localhost -m quiesce.lifecycle.<module>` run against a
simulator (speed 0) with one fault aimed at one phase, judged from the module's result, the request log and the
simulator's state (fault_matrix.judge). Cells run concurrently, one simulator per worker, reset between cells.

Fast tier: every fault kind once per module, phases rotated. PROOFS_BUDGET=large: the whole product. The table is
printed and written to RESULTS_DIR/fault_matrix.md and .json.
"""

from __future__ import annotations

import os
import queue
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import fault_matrix as fm
import proofs_support as ps
from conftest import SUMMARIES

CELLS = fm.cells(full=ps.LARGE)
WORKERS = int(os.environ.get('PROOFS_WORKERS') or 4)


def server_ids(sim):
    servers = sim.state()['bms']['servers']
    ids = sorted(i for i, s in servers.items() if s['name'].startswith(fm.BMS_SELECTION))
    assert len(ids) == 10 and all(servers[i]['status'] == 'ACTIVE' for i in ids)
    return ids


class MatrixRunner:
    def __init__(self, plain, tls, home):
        self.free = queue.Queue()
        for sim in plain:
            self.free.put(sim)
        self.tls = tls
        self.home = home
        self.ids = {'bms': server_ids(plain[0])}

    def run(self, cell):
        if cell.kind == 'tls':
            with self.tls.lock:
                return self._run(self.tls, cell)
        sim = self.free.get()
        try:
            verdict = self._run(sim, cell)
            if verdict.missed:
                # A refusal timed from the module's start can lose the race on a loaded machine: run it once more
                # (a cell the fault never met proves nothing either way).
                verdict = self._run(sim, cell)
            return verdict
        finally:
            self.free.put(sim)

    def _run(self, sim, cell):
        sim.reset()
        spec = fm.fault_spec(cell)
        if spec is not None:
            sim.admin.add_fault(**spec)
        home = self.home / cell.id
        drop = ('QUIESCE_CA_PATH',) if cell.kind == 'tls' else ()
        env = ps.ansible_env(sim.env, home, drop=drop)
        refused = {}

        def refuse_first_connection(process):
            # Refused from the moment the module's process exists: its first connection to the API fails.
            if not ps.module_process_started(process, cell.case.module):
                refused['missed'] = 'the module process was never seen'
                return
            sim.admin.add_fault(api=cell.case.api, kind='refuse', duration=fm.REFUSE_SECONDS)
            early = sim.log(api=cell.case.api)
            if early:
                refused['missed'] = 'the module reached the API before the refusal ({0} request(s))'.format(len(early))

        timed = cell.kind == 'refuse' and cell.phase == 'read'
        home.mkdir(parents=True, exist_ok=True)
        run = ps.run_adhoc(cell.case.module, cell.case.args(self.ids), env, home,
                           on_start=refuse_first_connection if timed else None)
        log = [e for e in sim.log() if e['api'] == cell.case.api or cell.kind == 'tls']
        faults = sim.admin.faults()
        exercised = refused.get('missed')
        missed = exercised is not None
        if spec is not None and not any(f['kind'] == spec['kind'] and f.get('applied') for f in faults):
            exercised = 'the {0} fault on {1} {2} was never applied'.format(
                spec['kind'], spec.get('method'), spec.get('path'))
        verdict = fm.judge(cell, run, log, sim.state(), self.ids, exercised)
        verdict.missed = missed
        return verdict


@pytest.fixture(scope='session')
def matrix(request, tmp_path_factory):
    started = time.monotonic()
    # Only the cells this session runs (pytest -k narrows the matrix while working on one cell).
    selected = set(item.callspec.params['cell'].id for item in request.session.items
                   if 'cell' in getattr(getattr(item, 'callspec', None), 'params', {}))
    runnable = [c for c in CELLS if c.na is None and c.id in selected]
    with ps.simulators(min(WORKERS, len(runnable))) as plain, ps.simulators(1, tls=True) as (tls,):
        runner = MatrixRunner(plain, tls, tmp_path_factory.mktemp('matrix'))
        with ThreadPoolExecutor(max_workers=len(plain) + 1) as pool:
            verdicts = dict(zip([c.id for c in runnable], pool.map(runner.run, runnable)))
    verdicts.update((c.id, fm.not_applicable_verdict(c)) for c in CELLS if c.na is not None)
    ordered = [verdicts[c.id] for c in CELLS if c.id in verdicts]
    text = fm.table(ordered, ps.BUDGET)
    seconds = round(time.monotonic() - started, 1)
    text += '\n{0} cells run in {1}s with {2} workers (`{3}`).\n'.format(
        len(runnable), seconds, WORKERS, 'PROOFS_BUDGET=large make proofs' if ps.LARGE else 'make proofs')
    # A matrix narrowed with -k is written beside the whole one, never over it.
    complete = len(runnable) == len([c for c in CELLS if c.na is None])
    results = ps.RESULTS_DIR if complete else ps.REPO / 'tests' / 'output' / 'proofs'
    name = 'fault_matrix' if complete else 'fault_matrix-partial'
    results.mkdir(parents=True, exist_ok=True)
    (results / '{0}.md'.format(name)).write_text(text)
    ps.write_json(results / '{0}.json'.format(name), {
        'tier': ps.BUDGET, 'seconds': seconds, 'workers': WORKERS, 'cells': [v.as_dict() for v in ordered],
        'counts': dict((k, sum(v.verdict == k for v in ordered)) for k in ('green', 'red', 'n/a'))})
    SUMMARIES.append(('fault matrix ({0})'.format(results / '{0}.md'.format(name)), text))
    return verdicts


@pytest.mark.parametrize('cell', CELLS, ids=[c.id for c in CELLS])
def test_cell(cell, matrix):
    verdict = matrix[cell.id]
    if verdict.verdict == 'n/a':
        pytest.skip('n/a: {0}'.format(cell.na))
    assert verdict.verdict == 'green', '{0}: {1}\nmessage: {2}'.format(cell.id, '; '.join(verdict.reasons), verdict.msg)


def test_every_module_meets_every_fault_kind():
    """The fast tier too: no fault kind is left out for any module (n/a cells say why)."""
    for case in fm.CASES:
        for kind in fm.FAULT_KINDS:
            mine = [c for c in CELLS if c.case is case and c.kind == kind]
            assert [c.phase for c in mine if c.na is None] or all(c.na for c in mine), (case.key, kind)
            assert len(set(c.phase for c in mine)) == len(mine)


# ---------------------------------------------------------------- the rule itself can fail

OCP = next(case for case in fm.CASES if case.key == 'ocp_cluster')
STOPPED = {'ocp': {'clusters': {'1000003': {'status': 'STOPPED'}}}}
RUNNING = {'ocp': {'clusters': {'1000003': {'status': 'RUNNING'}}}}


def entry(method, path, status, fault=None, kind='action'):
    return {'method': method, 'path': path, 'status': status, 'fault': fault, 'kind': kind,
            'mutating': kind == 'action'}


def ran(result, returncode=0, stdout=''):
    return ps.Run([], returncode, stdout or 'localhost | CHANGED => {}', '', 1.0, result=result)


STOP = '/api/v2/ob/clusters/1000003/stop'


@pytest.mark.parametrize('run, log, state, reason', [
    (ran({'changed': True}), [entry('POST', STOP, None, 'drop_after'), entry('POST', STOP, 200)], STOPPED,
     'accepted more than once'),
    (ran({'changed': True}), [entry('POST', STOP, 200)], RUNNING, 'not stopped in the simulator'),
    (ran({'failed': True, 'msg': 'OCP task 107302 failed'}, 2), [entry('POST', STOP, 200),
                                                               entry('GET', '/api/v2/tasks/instances/107302', 200,
                                                                     kind='poll')],
     RUNNING, 'names no target'),
    (ran({'failed': True, 'msg': 'cluster ob-report failed'}, 2), [entry('POST', STOP, 200),
                                                                 entry('GET', '/api/v2/tasks/instances/107302', 200,
                                                                       kind='poll')],
     RUNNING, 'operation to follow up'),
    (ran({'failed': True, 'msg': 'it went wrong'}, 2), [entry('POST', STOP, 500)], RUNNING, 'the cause'),
    (ran({}, 2, 'Traceback (most recent call last):\n  ...'), [], RUNNING, 'traceback'),
])
def test_the_rule_turns_a_cell_red(run, log, state, reason):
    verdict = fm.judge(fm.Cell(OCP, 'status', 'action'), run, log, state, {}, None)
    assert verdict.verdict == 'red' and reason in '; '.join(verdict.reasons), verdict.reasons


def test_the_rule_passes_a_stop_and_a_clean_failure():
    poll = entry('GET', '/api/v2/tasks/instances/107302', 200, kind='poll')
    done = fm.judge(fm.Cell(OCP, 'drop_after', 'action'), ran({'changed': True}),
                    [entry('POST', STOP, None, 'drop_after'), poll], STOPPED, {}, None)
    failed = fm.judge(fm.Cell(OCP, 'fail_task', 'action'),
                      ran({'failed': True, 'msg': 'OCP task 107302 (Stop OB cluster) of cluster ob-report failed'}, 2),
                      [entry('POST', STOP, 200), poll], RUNNING, {}, None)
    assert (done.verdict, done.outcome, failed.verdict, failed.outcome) == ('green', 'ok', 'green', 'failed')
