"""The fault matrix: every action module x every fault kind the simulator injects x phase, generated from the lists
below, and the rule that judges one cell from the module's result, the request log and the simulator's state.

A cell passes when the run ends in the asked state, or fails with a message that names the target and the id to
follow up (where nothing was sent: the cause); and in both cases no action was accepted twice for one target.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

PHASES = ('read', 'action', 'poll')
# Every fault kind the simulator injects (quiesce_sim FAULT_KINDS), plus a TLS certificate the client must not
# trust (a --tls simulator, no ca_path).
FAULT_KINDS = ('status', 'throttle', 'drop_before', 'drop_after', 'slow', 'fail_task', 'expire_auth', 'malformed',
               'tls', 'refuse')
KIND_TITLES = {'status': '5xx', 'throttle': '429 + Retry-After', 'drop_before': 'dropped before',
               'drop_after': 'dropped after', 'slow': 'slower than request_timeout', 'fail_task': 'failed task/job',
               'expire_auth': 'auth expired', 'malformed': 'malformed JSON', 'tls': 'untrusted TLS',
               'refuse': 'connection refused'}

REQUEST_TIMEOUT = 2.0
# What each kind's fault adds: a 500, Retry-After 1 s, a reply held longer than the request timeout.
FAULT_EXTRAS = {'status': {'status': 500}, 'throttle': {'retry_after': 1}, 'slow': {'delay': REQUEST_TIMEOUT + 1.5}}
REFUSE_SECONDS = 2.0
# The module options every cell adds: a short request timeout (the slow fault outlasts it), a wait budget that
# holds the grace period after an unanswered action (10 s) with room to spare, quick first polls.
CELL_OPTIONS = {'request_timeout': REQUEST_TIMEOUT, 'wait_timeout': 90, 'poll_interval': 0.5}

# What the message of a run that sent no accepted action must say about the cause, per fault kind.
CAUSES = {
    'status': r'HTTP 5\d\d|\b500\b', 'throttle': r'429|throttl|Retry-After', 'fail_task': r'[Ff]ail',
    'drop_before': r'[Cc]onnection|[Dd]isconnect|[Aa]borted|closed',
    'drop_after': r'[Cc]onnection|[Dd]isconnect|closed',
    'slow': r'[Tt]imed? ?out|[Tt]imeout', 'expire_auth': r'401|[Aa]uth|[Ss]ession|[Tt]oken|[Cc]redential',
    'malformed': r'JSON|unreadable|[Mm]alformed', 'tls': r'[Cc]ertificate|CERTIFICATE|SSL|TLS',
    'refuse': r'[Rr]efused|[Cc]onnection',
}


@dataclass(frozen=True)
class Case:
    """One action module (or one scope of it) as the matrix drives it: stop one target that is running."""

    key: str
    module: str
    api: str  # the simulator API its requests go to
    # (method, path regex) of the request each phase's fault is aimed at; None: the module has no such phase
    phases: dict
    # (method, path regex) of the request whose answer sets off a refusal aimed at the phase (answered, then refused)
    refuse_after: dict
    action_target: str  # path regex of an action POST, group 1: the target it acts on
    follow_up: str  # path regex of a poll, group 1: the operation id the module followed
    no_phase: dict = field(default_factory=dict)  # phase -> why the module has none
    no_task: str | None = None  # why a fail_task fault cannot apply (no task, command or job)

    def args(self, ids):
        return dict(ARGS[self.key](ids), state='stopped', **CELL_OPTIONS)

    def names(self, ids):
        return NAMES[self.key](ids)

    def reached(self, state, ids):
        return REACHED[self.key](state, ids)


BMS = Case('bms_power', 'bms_power', 'bms',
           phases={'read': ('GET', r'/baremetalservers/detail$'), 'action': ('POST', r'/baremetalservers/action$'),
                   'poll': ('GET', r'/jobs/[^/]+$')},
           refuse_after={'action': ('GET', r'/baremetalservers/detail$'),
                         'poll': ('POST', r'/baremetalservers/action$')},
           # One batch holds every selected server: each accepted POST acts on all of them.
           action_target=r'/(baremetalservers)/action$', follow_up=r'/jobs/([^/]+)$')
TASK_POLL = ('GET', r'/api/v2/tasks/instances/\d+$')
TASK_LIST = ('GET', r'/api/v2/tasks/instances$')

CASES = (
    Case('mrs_service', 'mrs_service', 'mrs_web',
         phases={'read': ('GET', r'/web/v1/cluster/1/services/Hive$'),
                 'action': ('POST', r'/service/Hive/stop$'),
                 'poll': ('GET', r'/web/v1/common/command/\d+/progress$')},
         refuse_after={'action': ('GET', r'/web/v1/cluster/1/services/Hive$'),
                       'poll': ('POST', r'/service/Hive/stop$')},
         action_target=r'/service/([^/]+)/(?:start|stop)$', follow_up=r'/command/(\d+)/progress$'),
    Case('ocp_cluster', 'ocp_cluster', 'ocp',
         phases={'read': ('GET', r'/api/v2/ob/clusters$'), 'action': ('POST', r'/clusters/1000003/stop$'),
                 'poll': TASK_POLL},
         refuse_after={'action': TASK_LIST, 'poll': ('POST', r'/clusters/1000003/stop$')},
         action_target=r'/ob/clusters/(\d+)/(?:start|stop|restart)$', follow_up=r'/tasks/instances/(\d+)$'),
    Case('ocp_agent_process[processes]', 'ocp_agent_process', 'ocp',
         phases={'read': ('GET', r'/hosts/1001/agent/processes$'), 'action': ('POST', r'/processes/\d+/stop$'),
                 'poll': None},
         refuse_after={'action': ('GET', r'/hosts/1001/agent/processes$')},
         action_target=r'/hosts/(\d+/agent/processes/\d+)/(?:stop|restart)$', follow_up=r'^$',
         no_phase={'poll': 'a process stop is one synchronous call (ocp.md s5.9): there is no task to poll'},
         no_task='a process stop is synchronous and creates no task that could fail'),
    Case('ocp_agent_process[agent]', 'ocp_agent_process', 'ocp',
         phases={'read': ('GET', r'/hosts/1002/agent/processes$'), 'action': ('POST', r'/hosts/1002/agent/stop$'),
                 'poll': TASK_POLL},
         refuse_after={'action': TASK_LIST, 'poll': ('POST', r'/hosts/1002/agent/stop$')},
         action_target=r'/hosts/(\d+)/agent/(?:stop|restart)$', follow_up=r'/tasks/instances/(\d+)$'),
    # AK/SK (the environment's default, the vendor's advice) signs each request: nothing to expire but that request.
    BMS,
    # An IAM token is a session: expired, it fails every later request until renewed.
    dataclasses.replace(BMS, key='bms_power[token]'),
)

# bms_power stops the running servers whose names start with this (rack05-node010 ... 019), selected with one
# list request (a few server_ids would be read one by one); their ids are read from the simulator at start.
BMS_SELECTION = 'rack05-node01'

ARGS = {
    'mrs_service': lambda ids: {'name': 'Hive'},
    'ocp_cluster': lambda ids: {'name': 'ob-report'},
    'ocp_agent_process[processes]': lambda ids: {'host': 'ob-prod-1', 'processes': ['obstat2']},
    'ocp_agent_process[agent]': lambda ids: {'host': 'ob-prod-2', 'scope': 'agent'},
    'bms_power': lambda ids: {'name': BMS_SELECTION},
    'bms_power[token]': lambda ids: {'name': BMS_SELECTION, 'auth_method': 'token'},
}
NAMES = {
    'mrs_service': lambda ids: ['Hive'],
    'ocp_cluster': lambda ids: ['ob-report', '1000003'],
    'ocp_agent_process[processes]': lambda ids: ['obstat2'],
    'ocp_agent_process[agent]': lambda ids: ['ob-prod-2', '1002'],
    'bms_power': lambda ids: list(ids['bms']) + [BMS_SELECTION],
}
NAMES['bms_power[token]'] = NAMES['bms_power']
REACHED = {
    'mrs_service': lambda state, ids: state['mrs']['services']['Hive']['running_status'] == 'STOPPED',
    'ocp_cluster': lambda state, ids: state['ocp']['clusters']['1000003']['status'] == 'STOPPED',
    'ocp_agent_process[processes]':
        lambda state, ids: state['ocp']['agents']['1001']['processes']['obstat2'] == 'STOPPED',
    'ocp_agent_process[agent]':
        lambda state, ids: set(state['ocp']['agents']['1002']['processes'].values()) == {'STOPPED'},
    'bms_power': lambda state, ids: all(state['bms']['servers'][i]['status'] == 'SHUTOFF' for i in ids['bms']),
}
REACHED['bms_power[token]'] = REACHED['bms_power']


@dataclass(frozen=True)
class Cell:
    case: Case
    kind: str
    phase: str
    na: str | None = None  # why the fault cannot apply in this phase

    @property
    def id(self):
        return '{0}-{1}-{2}'.format(self.case.key, self.kind, self.phase)


def not_applicable(case, kind, phase):
    """Why ``kind`` cannot meet ``case`` in ``phase``, or None when it can."""
    if case.phases.get(phase) is None:
        return case.no_phase[phase]
    if kind == 'tls' and phase != 'read':
        return ('the certificate is checked when the module first connects, before its first read: no later phase '
                'can meet it first')
    if kind == 'fail_task':
        if case.no_task:
            return case.no_task
        if phase == 'read':
            return 'a read creates no task, command or job that could fail'
        if phase == 'poll':
            return ('a task fails as the action that creates it says (the fault is spent on the action); the action '
                    'cell follows that failure through its polls')
    return None


def cells(full):
    """Every cell of the product; the fast tier (``full`` false) runs each fault kind once per module, the phase
    rotating over those where it applies, and lists the rest of the product as n/a only where it is n/a."""
    generated = []
    for row, case in enumerate(CASES):
        for column, kind in enumerate(FAULT_KINDS):
            applicable = [p for p in PHASES if not_applicable(case, kind, p) is None]
            chosen = applicable if full or not applicable else [applicable[(row + column) % len(applicable)]]
            for phase in PHASES:
                reason = not_applicable(case, kind, phase)
                if reason is not None:
                    generated.append(Cell(case, kind, phase, reason))
                elif phase in chosen:
                    generated.append(Cell(case, kind, phase))
    return generated


def fault_spec(cell):
    """The fault to inject for ``cell`` (None: the run itself is the fault, tls; or the refusal is timed, read)."""
    case, kind, phase = cell.case, cell.kind, cell.phase
    if kind == 'tls' or (kind == 'refuse' and phase == 'read'):
        return None
    if kind == 'refuse':
        method, path = case.refuse_after[phase]
        return {'api': case.api, 'kind': 'refuse', 'method': method, 'path': path, 'duration': REFUSE_SECONDS}
    method, path = case.phases[phase]
    spec = {'api': case.api, 'kind': kind, 'method': method, 'path': path}
    spec.update(FAULT_EXTRAS.get(kind, {}))
    return spec


def accepted_actions(case, log):
    """Action POSTs the server accepted (answered 2xx, or applied and then dropped), counted per target."""
    counts = Counter()
    for entry in log:
        if not entry['mutating']:
            continue
        if entry['fault'] == 'drop_after' or (entry['status'] is not None and 200 <= entry['status'] < 300):
            match = re.search(case.action_target, entry['path'])
            counts[match.group(1) if match else entry['path']] += 1
    return counts


def followed_ids(case, log):
    ids = []
    for entry in log:
        match = re.search(case.follow_up, entry['path']) if entry['kind'] == 'poll' else None
        if match and match.group(1) not in ids:
            ids.append(match.group(1))
    return ids


@dataclass
class Verdict:
    cell: Cell
    verdict: str  # green | red | n/a
    outcome: str  # ok (asked state reached) | failed (a clean failure) | n/a | red
    reasons: list
    seconds: float = 0.0
    msg: str = ''
    accepted: dict = field(default_factory=dict)
    requests: int = 0
    follow_up: list = field(default_factory=list)
    missed: bool = False  # a timed fault lost its race with the module (the harness may run the cell again)

    def as_dict(self):
        return {'id': self.cell.id, 'module': self.cell.case.key, 'fault': self.cell.kind, 'phase': self.cell.phase,
                'verdict': self.verdict, 'outcome': self.outcome, 'reasons': self.reasons, 'n/a': self.cell.na,
                'seconds': self.seconds, 'msg': self.msg[:600], 'accepted_actions': self.accepted,
                'requests': self.requests, 'followed': self.follow_up}


def judge(cell, run, log, state, ids, exercised):
    """The verdict of one cell from its run, the request log of the run, the state after it and whether the fault
    really met the run (``exercised``: a string saying why not, or None)."""
    reasons = []
    accepted = accepted_actions(cell.case, log)
    followed = followed_ids(cell.case, log)
    msg = run.msg
    if run.traceback:
        reasons.append('a Python traceback reached the user ({0})'.format(run.traceback))
    if not run.result:
        reasons.append('no module result in the output (rc {0}): {1}'.format(run.returncode, run.output[-600:]))
    if exercised:
        reasons.append('the fault never met the run, so the cell proves nothing: {0}'.format(exercised))
    doubled = dict((target, count) for target, count in accepted.items() if count > 1)
    if doubled:
        reasons.append('an action was accepted more than once for one target: {0}'.format(doubled))
    outcome = 'failed' if run.failed else 'ok'
    if run.result and not run.failed and not cell.case.reached(state, ids):
        reasons.append('reported success, but the target is not stopped in the simulator')
    if run.result and run.failed:
        if accepted:
            if not any(name in msg for name in cell.case.names(ids)):
                reasons.append('an action was accepted, but the message names no target ({0})'.format(
                    ', '.join(cell.case.names(ids))))
            if followed and not any(i in msg for i in followed):
                reasons.append('the message does not name the operation to follow up ({0})'.format(', '.join(followed)))
        elif not re.search(CAUSES[cell.kind], msg):
            reasons.append('nothing was accepted, and the message does not say the cause ({0})'.format(
                CAUSES[cell.kind]))
    if cell.kind == 'tls':
        if not run.failed:
            reasons.append('the run trusted a certificate no CA it was given signed')
        if log:
            reasons.append('{0} request(s) reached the server through an untrusted certificate'.format(len(log)))
    return Verdict(cell, 'red' if reasons else 'green', 'red' if reasons else outcome, reasons, run.seconds, msg,
                   dict(accepted), len(log), followed)


def not_applicable_verdict(cell):
    return Verdict(cell, 'n/a', 'n/a', [cell.na])


# ---------------------------------------------------------------- the table

MARKS = {'ok': 'ok', 'failed': 'failed cleanly', 'red': '**RED**', 'n/a': 'n/a'}


def table(verdicts, tier):
    """Markdown: one row per module, one column per fault kind, each cell its phases and outcomes."""
    by_cell = dict(((v.cell.case.key, v.cell.kind, v.cell.phase), v) for v in verdicts)
    counts = Counter(v.verdict for v in verdicts)
    lines = ['# Fault matrix ({0} tier)'.format(tier), '',
             'Every action module x every fault kind the simulator injects x phase (state read, action, polling). A '
             'cell is green when the run ends in the asked state (`ok`) or fails with a message naming the target '
             'and the id to follow up, or, where nothing was sent, the cause (`failed cleanly`); and the request log '
             'shows no action accepted twice for one target. `n/a`: the fault cannot meet that phase (reasons below).',
             '', 'green {0}, red {1}, n/a {2} ({3} cells run)'.format(
                 counts['green'], counts['red'], counts['n/a'], counts['green'] + counts['red']), '',
             '| module | ' + ' | '.join(KIND_TITLES[k] for k in FAULT_KINDS) + ' |',
             '|---|' + '---|' * len(FAULT_KINDS)]
    for case in CASES:
        row = []
        for kind in FAULT_KINDS:
            mine = [by_cell[case.key, kind, phase] for phase in PHASES if (case.key, kind, phase) in by_cell]
            parts = ['{0}: {1}'.format(v.cell.phase, MARKS[v.outcome]) for v in mine if v.verdict != 'n/a']
            row.append('<br>'.join(parts) or ('n/a' if mine else '-'))
        lines.append('| {0} | {1} |'.format(case.key, ' | '.join(row)))
    red = [v for v in verdicts if v.verdict == 'red']
    if red:
        lines += ['', '## Red cells', '']
        lines += ['- `{0}`: {1}'.format(v.cell.id, '; '.join(v.reasons)) for v in red]
    failed = [v for v in verdicts if v.outcome == 'failed']
    if failed:
        lines += ['', '## Clean failures (the message the operator gets)', '']
        lines += ['- `{0}`: {1}'.format(v.cell.id, ' '.join(v.msg.split())[:400]) for v in failed]
    lines += ['', '## n/a', '']
    seen = set()
    for v in verdicts:
        if v.verdict == 'n/a' and (v.cell.case.key, v.cell.kind, v.cell.na) not in seen:
            seen.add((v.cell.case.key, v.cell.kind, v.cell.na))
            phases = [p for p in PHASES if (v.cell.case.key, v.cell.kind, p) in by_cell
                      and by_cell[v.cell.case.key, v.cell.kind, p].cell.na == v.cell.na]
            lines.append('- {0} x {1} ({2}): {3}'.format(v.cell.case.key, v.cell.kind, ', '.join(phases), v.cell.na))
    return '\n'.join(lines) + '\n'
