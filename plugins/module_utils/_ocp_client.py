# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client for the OceanBase Cloud Platform (OCP) management API (``/api/v2``).

Reference: shared/api/ocp.md. What lives here: the envelope (s4), paging (s4.2),
clusters (s5.1-5.2), cluster actions and their asynchronous tasks (s5.3-5.5, s7),
hosts and OCP Agent processes (s5.8-5.9), and task waiting. The documents
contradict themselves on several field names; every parser here accepts both
spellings (``subtasks``/``tasks``, ``totalPages``/``totalPage``,
``parallelIdx``/``paralleIdx``, ``downstreams``/``downstream``, ``creator`` as a
string or an object).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import grace_period
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import OCP_API, ocp_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    ApiError,
    NotFoundError,
    OperationFailedError,
    OptionError,
    TransportError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import announced_action
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_auth import BASIC, build_auth, choose_auth_method
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import HttpClient, RetryPolicy, check_url
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule, wait_until

API_PREFIX = '/api/v2'
PAGE_SIZE = 100
MAX_PAGES = 1000  # a safety net against a server that never reports the last page

TASK_RUNNING = 'RUNNING'
TASK_SUCCESSFUL = 'SUCCESSFUL'
TASK_FAILED = 'FAILED'
TASK_DONE = frozenset([TASK_SUCCESSFUL, TASK_FAILED])
# Task list filters and the normalized task key each one corresponds to.
CLUSTER_SCOPE = 'clusterId'
HOST_SCOPE = 'hostId'
TASK_SCOPES = {CLUSTER_SCOPE: 'cluster_id', HOST_SCOPE: 'host_id'}

# Agent paths (ocp.md s2.1, G1): the agent pages write them without /api/v2 while every
# neighbouring page, the agent page's own sample request and the vendor's obdiag use
# /api/v2/compute/hosts/...; on a real OCP only /api/** answers with JSON (anything else is
# a browser route that redirects to the login page). So the prefixed form is used, and the
# bare form is tried only when the prefixed one answers 404 for a host that exists.
AGENT_PATH_PREFIXED = 'prefixed'
AGENT_PATH_BARE = 'bare'


class Envelope:
    """The useful part of an OCP answer: ``data`` and the ``traceId`` support asks for."""

    def __init__(self, data, trace_id):
        self.data = data
        self.trace_id = trace_id


def unwrap(response):
    """``data`` of a successful envelope (s4.1); an answer that is not one becomes an ``ApiError``."""
    body = response.json
    if not isinstance(body, dict) or 'successful' not in body:
        raise ApiError(OCP_API, response.method, response.path, response.status,
                       api_message='the answer is not an OCP API envelope (is ocp_url the OCP server?)',
                       request_id=response.request_id)
    if body.get('successful') is not True:
        raise ocp_error(response)
    return Envelope(body.get('data'), body.get('traceId') or None)


def page_count(page):
    """``totalPages`` per the samples, ``totalPage`` per the tables (G14); None when absent."""
    if not isinstance(page, dict):
        return None
    for key in ('totalPages', 'totalPage'):
        if isinstance(page.get(key), int):
            return page[key]
    return None


def first_of(mapping, *keys):
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


def creator_name(creator):
    """``creator`` is ``{id, name}`` in most samples and a plain user name in the agent ones (s7.4)."""
    if isinstance(creator, dict):
        return creator.get('name')
    return creator


def normalize_subtask(raw):
    return dict(
        id=raw.get('id'), name=raw.get('name'), status=raw.get('status'), series_id=raw.get('seriesId'),
        operation=raw.get('operation'), parallel_idx=first_of(raw, 'parallelIdx', 'paralleIdx'),
        upstreams=list(raw.get('upstreams') or []), downstreams=list(first_of(raw, 'downstreams', 'downstream') or []))


def _series_order(subtask):
    # seriesId is the documented ordinal (array order is arbitrary); the id breaks ties and
    # orders subtasks of pages that omit seriesId.
    series = subtask.get('series_id')
    return (series is None, series if series is not None else 0, subtask.get('id') or 0)


def normalize_task(raw):
    """A TaskInstance (s7.1) in one shape, subtasks sorted by ``seriesId``."""
    raw = raw if isinstance(raw, dict) else {}
    subtasks = first_of(raw, 'subtasks', 'tasks') or []
    subtasks = sorted((normalize_subtask(s) for s in subtasks if isinstance(s, dict)), key=_series_order)
    cluster = raw.get('cluster') if isinstance(raw.get('cluster'), dict) else {}
    return dict(
        id=raw.get('id'), name=raw.get('name'), status=raw.get('status'), operation=raw.get('operation'),
        cluster_id=first_of(raw, 'clusterId') or cluster.get('id'), host_id=raw.get('hostId'),
        creator=creator_name(raw.get('creator')), start_time=raw.get('startTime'),
        finish_time=raw.get('finishTime'), subtasks=subtasks)


def summarize_subtasks(subtasks):
    """Counts by status and the names of running and failed subtasks, in ``seriesId`` order."""
    counts = {}
    for subtask in subtasks:
        status = subtask.get('status') or 'UNKNOWN'
        counts[status] = counts.get(status, 0) + 1
    return dict(
        total=len(subtasks), by_status=counts,
        running=[s['name'] for s in subtasks if s.get('status') in ('RUNNING', 'CANCELING')],
        failed=[s['name'] for s in subtasks if s.get('status') == 'FAILED'])


def task_result(task):
    """What a module returns about a task: id, name, status and the subtask summary."""
    if not task:
        return None
    return dict(id=task['id'], name=task.get('name'), status=task.get('status'),
                subtasks=summarize_subtasks(task.get('subtasks') or []))


def task_progress(task):
    """The share (0..1) of a running task's subtasks that have ended (s7.2 ``status`` SUCCESSFUL or FAILED);
    None without subtasks, once the task has ended, or during a rollback (which walks them back to PENDING).

    Subtasks take very different times ("Wait node" joins none, "Stop observer process" most of a stop), so
    this is a rough estimate: the waiter only brings a poll forward by it, never puts one off.
    """
    subtasks = task.get('subtasks') or []
    if not subtasks or task.get('status') != TASK_RUNNING or task.get('operation') == 'ROLLBACK':
        return None
    ended = sum(1 for s in subtasks if s.get('status') in TASK_DONE)
    return float(ended) / len(subtasks)


def describe_task(task):
    """One line for a timeout message: the task's status and what is still running."""
    summary = summarize_subtasks(task.get('subtasks') or [])
    text = 'task {0} ({1}) {2}'.format(task.get('id'), task.get('name'), task.get('status'))
    if summary['running']:
        text += '; running subtasks: ' + ', '.join(summary['running'])
    done = summary['by_status'].get(TASK_SUCCESSFUL, 0)
    return text + '; {0} of {1} subtasks successful'.format(done, summary['total'])


def _absent_or(value, expected):
    """True when a list item lacks the field or shows the value a documented filter asked for."""
    return value is None or str(value) == str(expected)


def exactly_one(matches, option, missing, several, fix):
    """The single match of a lookup by name; ``OptionError`` (before any change) when none or several match."""
    if not matches:
        raise OptionError(option, missing, fix)
    if len(matches) > 1:
        raise OptionError(option, '{0} (ids {1})'.format(several, ', '.join(str(m.get('id')) for m in matches)),
                          'Use the id to choose one of them.')
    return matches[0]


def task_label(task, target=None):
    """``OCP task 107302 (Stop OB cluster) of cluster ob-prod (id 1000002)``."""
    return 'OCP task {0} ({1}){2}'.format(task.get('id'), task.get('name'), ' of {0}'.format(target) if target else '')


def host_view(host):
    """A host as modules report it."""
    return dict(id=host.get('id'), name=first_of(host, 'name', 'hostname'),
                inner_ip_address=host.get('innerIpAddress'), status=host.get('status'),
                agent_status=host.get('hostAgentStatus'))


class OcpClient:
    """The OCP calls the modules need, on one ``HttpClient``."""

    def __init__(self, http, schedule=None, clock=time.monotonic, sleep=time.sleep):
        self.http = http
        self.schedule = schedule
        self.clock = clock
        self.sleep = sleep
        self.agent_path_style = AGENT_PATH_PREFIXED
        self.single_cluster_get = True  # until the server shows it lacks GET /ob/clusters/{id}

    @classmethod
    def from_module(cls, module):
        """Build the client from a ``QuiesceModule``'s options (auth chosen and checked before any request)."""
        params = module.params
        # OCP is served over http or https by deployment (s2): both are accepted.
        url = check_url('ocp_url', params.get('ocp_url'), example='https://192.0.2.20:8080')
        auth = build_auth(params)
        if url.startswith('http://') and choose_auth_method(params) == BASIC:
            module.ansible.warn('ocp_url {0} is plain http://: the HTTP Basic credentials of {1!r} travel in clear '
                                'text. Use https:// if the OCP server offers it, or an AccessKey pair (auth_method='
                                'aksk), which signs requests instead of sending the secret.'.format(
                                    url, params.get('username')))
        # OCP throttles per user and says when the window resets in RateLimit-Reset (s3.4).
        retry = RetryPolicy(retry_after_headers=('Retry-After', 'RateLimit-Reset'))
        http = HttpClient(url, OCP_API, ocp_error, retry=retry, auth=auth, request_id_headers=('X-Trace-Id',),
                          default_headers={'Accept-Language': 'en-US'}, url_options={'ocp_url': url},
                          **module.connection_options())
        schedule = None
        if params.get('poll_interval'):
            schedule = PollSchedule(initial=params['poll_interval'])
        return cls(http, schedule=schedule)

    # ------------------------------------------------------------------ plumbing

    def grace(self, remaining):
        return grace_period(self.http, remaining)

    def call(self, method, path, params=None, json_body=None):
        response = self.http.request(method, API_PREFIX + path if path.startswith('/') else path,
                                     params=params, json_body=json_body)
        return unwrap(response)

    def get(self, path, params=None):
        return self.call('GET', path, params=params).data

    def list_all(self, path, params=None, max_pages=MAX_PAGES, page_size=PAGE_SIZE):
        return self._paged(lambda query: self.get(path, dict(params or {}, **query)), max_pages, page_size)

    @staticmethod
    def _paged(fetch_page, max_pages=MAX_PAGES, page_size=PAGE_SIZE):
        """Every item of a paged listing (s4.2): ``page`` is 1-based; stop at the last or a short page."""
        items = []
        for number in range(1, max_pages + 1):
            data = fetch_page({'page': number, 'size': page_size})
            if isinstance(data, list):  # tolerate an unpaged list
                return items + data
            data = data if isinstance(data, dict) else {}
            contents = data.get('contents') or []
            items.extend(contents)
            total = page_count(data.get('page'))
            if 'page' not in data or not contents or len(contents) < page_size:
                break
            if total is not None and number >= total:
                break
        return items

    # ------------------------------------------------------------------ clusters

    def list_clusters(self, name=None, status=None):
        params = {}
        if name:
            params['name'] = name
        if status:
            params['status'] = ','.join(status)
        return self.list_all('/ob/clusters', params)

    def get_cluster(self, cluster_id):
        """One cluster. The single-cluster GET is undocumented (G2): a 404/400/405 from it falls back to the
        list, and later reads (status polls) go to the list directly."""
        if cluster_id is None or cluster_id < 1:
            raise OptionError('id', '{0!r} is not an OCP cluster id'.format(cluster_id),
                              'Use the id OCP shows (a positive integer, see quiesce.lifecycle.ocp_cluster_info), or '
                              'name.')
        if self.single_cluster_get:
            try:
                return self.get('/ob/clusters/{0}'.format(cluster_id))
            except ApiError as err:
                if err.http_status not in (400, 404, 405):
                    raise
        for cluster in self.list_clusters():
            if str(cluster.get('id')) == str(cluster_id):
                self.single_cluster_get = False
                return cluster
        raise OptionError('id', 'OCP has no cluster with id {0}'.format(cluster_id),
                          'List the clusters with quiesce.lifecycle.ocp_cluster_info, or use name.')

    def resolve_cluster(self, cluster_id=None, name=None):
        """The cluster by OCP id, or by exact name (the list's ``name`` filter is a fuzzy keyword match)."""
        if cluster_id is not None:
            return self.get_cluster(cluster_id)
        return exactly_one([c for c in self.list_clusters(name=name) if c.get('name') == name], 'name',
                           'OCP has no cluster named {0!r}'.format(name),
                           'several OCP clusters are named {0!r}'.format(name),
                           'Check the name with quiesce.lifecycle.ocp_cluster_info.')

    def cluster_action(self, cluster_id, action):
        """``POST /ob/clusters/{id}/{stop|start|restart}``: returns (task, traceId)."""
        with announced_action('ocp', action, [cluster_id]) as announced:
            envelope = self.call('POST', '/ob/clusters/{0}/{1}'.format(cluster_id, action))
            task = normalize_task(envelope.data)
            announced.follow_up.update(task_id=(task or {}).get('id'), trace_id=envelope.trace_id)
        return task, envelope.trace_id

    # ------------------------------------------------------------------ tasks

    def get_task(self, task_id):
        return normalize_task(self.get('/tasks/instances/{0}'.format(task_id)))

    def tasks_of(self, scope, scope_id, status=None, max_pages=MAX_PAGES):
        """Tasks of a cluster (``scope='clusterId'``) or host (``'hostId'``), newest first.

        ``clusterId``, ``hostId`` and ``status`` are documented filters of the task list (s5.7) and are
        trusted. The documented list item carries ``cluster`` and ``status`` but no ``hostId``, so an item is
        dropped only when it shows a different cluster, host or status, never for lacking the field.
        """
        params = {scope: scope_id, 'sort': 'id,desc'}
        if status:
            params['status'] = status
        key = TASK_SCOPES[scope]
        tasks = [normalize_task(t) for t in self.list_all('/tasks/instances', params, max_pages=max_pages)]
        tasks = [t for t in tasks if _absent_or(t.get(key), scope_id)
                 and (status is None or _absent_or(t.get('status'), status))]
        return sorted(tasks, key=lambda t: t.get('id') or 0, reverse=True)

    def tasks_since(self, scope, scope_id, baseline):
        """Tasks of the cluster or host newer than task id ``baseline``, oldest first."""
        return sorted((t for t in self.tasks_of(scope, scope_id, max_pages=1) if (t.get('id') or 0) > baseline),
                      key=lambda t: t['id'])

    def running_task(self, scope, scope_id):
        """The task now running on the cluster or host (full detail), or None."""
        tasks = self.tasks_of(scope, scope_id, status=TASK_RUNNING)
        return self.get_task(tasks[0]['id']) if tasks else None

    def newest_task_id(self, scope, scope_id):
        """The highest task id of the cluster or host (first page of the newest-first list), 0 when none."""
        tasks = self.tasks_of(scope, scope_id, max_pages=1)
        return tasks[0]['id'] if tasks else 0

    def failure_message(self, task, target=None):
        """The failed subtasks by name, with the tail of the first one's log when OCP gives it."""
        failed = [s for s in task.get('subtasks') or [] if s.get('status') == TASK_FAILED]
        message = '{0} failed'.format(task_label(task, target))
        if not failed:
            return message
        message += '; failed subtask: ' + ', '.join('{0} (id {1})'.format(s['name'], s['id']) for s in failed)
        log = None
        try:
            data = self.get('/tasks/instances/{0}/subtasks/{1}/log'.format(task['id'], failed[0]['id']))
            log = (data or {}).get('log') if isinstance(data, dict) else None
        except (ApiError, TransportError):
            # The log only adds detail to an error already being reported; its absence must
            # not hide the failure itself.
            log = None
        if log:
            tail = [line for line in log.strip().splitlines() if line.strip()][-3:]
            message += '; log: ' + ' | '.join(tail)
        return message

    def wait_task(self, task, timeout, what=None, target=None):
        """Poll the task until SUCCESSFUL (returned) or FAILED (``OperationFailedError``).

        ``target`` (``cluster ob-prod (id 1000002)``) is named in the timeout and the failure, which a task's
        own name (``Stop OB cluster``) does not identify.
        """
        task_id = task['id']
        final = wait_until(
            lambda: self.get_task(task_id), lambda t: t.get('status') in TASK_DONE, timeout,
            what or task_label(task, target), describe=describe_task,
            follow_up={'task_id': task_id}, schedule=self.schedule, clock=self.clock, sleep=self.sleep,
            progress=task_progress)
        if final.get('status') == TASK_FAILED:
            message = self.failure_message(final, target)
            summary = summarize_subtasks(final.get('subtasks') or [])
            raise OperationFailedError(message, task_id=task_id, task_name=final.get('name'),
                                       failed_subtasks=summary['failed'], task=task_result(final))
        return final

    def wait_cluster_status(self, cluster_id, is_done, timeout, what):
        return wait_until(lambda: self.get_cluster(cluster_id), lambda c: is_done(c.get('status')), timeout, what,
                          describe=lambda c: 'cluster status {0}'.format(c.get('status')),
                          follow_up={'cluster_id': cluster_id}, schedule=self.schedule)

    # ------------------------------------------------------------------ hosts and OCP Agent

    def wait_host_agent_status(self, host_id, is_done, timeout, what):
        return wait_until(lambda: self.get_host(host_id), lambda h: is_done(h.get('hostAgentStatus')), timeout, what,
                          describe=lambda h: 'hostAgentStatus {0}'.format(h.get('hostAgentStatus')),
                          follow_up={'host_id': host_id}, schedule=self.schedule)

    def list_hosts(self):
        return self.list_all('/compute/hosts')

    def get_host(self, host_id):
        return self.get('/compute/hosts/{0}'.format(host_id))

    def resolve_host(self, host):
        """A host by OCP id (digits) or by name / inner IP address, resolved through the host list."""
        text = str(host).strip()
        if text.isdigit():
            try:
                return self.get_host(int(text))
            except NotFoundError:
                raise OptionError('host', 'OCP has no host with id {0}'.format(text),
                                  'Check it with quiesce.lifecycle.ocp_agent_process_info.')
        keys = ('name', 'hostname', 'innerIpAddress', 'publicIpAddress', 'alias')
        return exactly_one([h for h in self.list_hosts() if text in [str(h.get(k)) for k in keys if h.get(k)]],
                           'host', 'OCP knows no host named or addressed {0!r}'.format(text),
                           '{0!r} matches several OCP hosts'.format(text),
                           'Use the host id, name or inner IP address as OCP shows it.')

    def _agent_path(self, host_id, tail=''):
        base = '/compute/hosts/{0}/agent{1}'.format(host_id, tail)
        return API_PREFIX + base if self.agent_path_style == AGENT_PATH_PREFIXED else base

    def _agent_call(self, method, host_id, tail='', params=None):
        return unwrap(self.http.request(method, self._agent_path(host_id, tail), params=params))

    def list_agent_processes(self, host_id):
        """The agent's processes on a host; settles the agent path style (see AGENT_PATH_*)."""
        try:
            return self._list_agent_processes(host_id)
        except NotFoundError:
            if self.agent_path_style != AGENT_PATH_PREFIXED:
                raise
            # The host exists (resolved before), so a 404 means this server routes the agent
            # pages as documented verbatim, without /api/v2. Reads are safe to try again.
            self.agent_path_style = AGENT_PATH_BARE
            try:
                return self._list_agent_processes(host_id)
            except (ApiError, TransportError):
                self.agent_path_style = AGENT_PATH_PREFIXED
                raise

    def _list_agent_processes(self, host_id):
        return self._paged(lambda query: self._agent_call('GET', host_id, '/processes', params=query).data)

    def process_action(self, host_id, process_id, action):
        """Synchronous single-process ``stop`` / ``restart``: returns (process, traceId)."""
        with announced_action('ocp', action, ['{0}/{1}'.format(host_id, process_id)]) as announced:
            envelope = self._agent_call('POST', host_id, '/processes/{0}/{1}'.format(process_id, action))
            announced.follow_up['trace_id'] = envelope.trace_id
        return envelope.data, envelope.trace_id

    def agent_action(self, host_id, action):
        """Host-level agent ``stop`` / ``restart`` (every basic process at once): returns (task, traceId)."""
        with announced_action('ocp', 'agent_' + action, [host_id]) as announced:
            envelope = self._agent_call('POST', host_id, '/{0}'.format(action))
            task = normalize_task(envelope.data)
            announced.follow_up.update(task_id=(task or {}).get('id'), trace_id=envelope.trace_id)
        return task, envelope.trace_id
