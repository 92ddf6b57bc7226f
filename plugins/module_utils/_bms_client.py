# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud BMS v1 client: paged server list, server and job reads, batch power actions.

Reads that can run side by side (list pages, server reads, job polls) run on
a bounded thread pool; actions are sent one after the other (bms.md s8: chunks
sent concurrently invite ``APIGW.0308`` throttling); every worker thread has its own HTTP session
(``requests.Session`` is not meant to be shared between threads) while the
auth object (one token or one key pair) is shared.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import (
    MAX_BATCH,
    action_body,
    matches_name,
    parse_job,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    NotFoundError,
    OptionError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import (
    HuaweiCloudConnection,
    with_refusal_hint,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import announced_action, propagate
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import (
    TOKEN_SHAPE,
    UUID_SHAPE,
    check_segment,
)

PAGE_SIZE = MAX_BATCH  # the list API's maximum page size (bms.md s4.7)
# Up to this many servers are read one GET each; more are read from the paged list.
SINGLE_READ_LIMIT = 10
# Servers the list did not show (other enterprise project, just created) are confirmed one by one, up to this many.
MISSING_CONFIRM_LIMIT = 50

# The documented list filters (bms.md s4.7) the modules expose.
LIST_FILTERS = ('name', 'status', 'flavor', 'tags', 'reservation_id', 'enterprise_project_id')


def run_concurrently(function, items, limit):
    """``[(item, result, error)]`` in the order of ``items``; at most ``limit`` calls at once.

    Errors are returned, not raised, so that one failed chunk does not hide
    what the other chunks did.
    """
    items = list(items)

    def guarded(item):
        try:
            return item, function(item), None
        except Exception as err:  # pylint: disable=broad-except
            return item, None, err

    if len(items) <= 1 or limit <= 1:
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        # The worker threads report to the caller's observer (the window's progress and ledger).
        return list(pool.map(propagate(guarded), items))


def raise_first_error(outcomes):
    for outcome in outcomes:
        if outcome[2] is not None:
            raise outcome[2]


class BmsClient:
    """BMS calls for one project; ``connection`` is a ``HuaweiCloudConnection``."""

    def __init__(self, connection, concurrency=4):
        self.connection = connection
        self.concurrency = max(1, int(concurrency))
        self._local = threading.local()
        self.counts = {'list_pages': 0, 'server_reads': 0, 'action_calls': 0, 'job_polls': 0}
        self._count_lock = threading.Lock()

    def set_deadline(self, deadline):
        """No wait or retry of this client's requests may outlast ``deadline`` (``time.monotonic()``)."""
        self.connection.set_deadline(deadline)

    def _count(self, what):
        with self._count_lock:
            self.counts[what] += 1

    def _http(self):
        client = getattr(self._local, 'http', None)
        if client is None:
            client = self._local.http = self.connection.bms_http()
        return client

    def _path(self, *segments):
        """``('v1', project_id) + segments``: the transport encodes each one."""
        return ('v1', self.connection.project_id) + segments

    def _request(self, method, *segments, **kwargs):
        try:
            return self._http().request(method, self._path(*segments), **kwargs)
        except AuthError as err:
            raise with_refusal_hint(err, self.connection.auth)

    # -- servers

    def _list_page(self, params, page):
        self._count('list_pages')
        query = dict(params, limit=PAGE_SIZE, offset=page)
        body = self._request('GET', 'baremetalservers', 'detail', params=query).json or {}
        servers = [s for s in body.get('servers') or [] if isinstance(s, dict) and s.get('id')]
        count = body.get('count')
        return servers, count if isinstance(count, int) else None

    def list_servers(self, filters=None, name_match='contains'):
        """Every server matching the documented list filters, all pages, each server once.

        ``offset`` is a page number from 1 (bms.md s4.7). Pages are read until
        ``count`` servers were seen or a page comes back short or empty; when
        ``count`` is an exact multiple of the page size one more page is asked
        for, so that both readings of ``count`` (total, or page size) work.
        Pages after the first are fetched concurrently.
        """
        filters = dict((k, v) for k, v in (filters or {}).items() if v not in (None, '', []))
        if isinstance(filters.get('tags'), (list, tuple)):
            filters['tags'] = ','.join(filters['tags'])
        first, count = self._list_page(filters, 1)
        pages = [first]
        if count is not None and count > PAGE_SIZE and len(first) == PAGE_SIZE:
            last_page = -(-count // PAGE_SIZE)
            outcomes = run_concurrently(lambda page: self._list_page(filters, page)[0],
                                        range(2, last_page + 1), self.concurrency)
            raise_first_error(outcomes)
            pages.extend(outcome[1] for outcome in outcomes)
        next_page = len(pages) + 1
        while len(pages[-1]) == PAGE_SIZE and (count is None or sum(len(p) for p in pages) < count
                                               or count % PAGE_SIZE == 0):
            page = self._list_page(filters, next_page)[0]
            if not page:
                break
            pages.append(page)
            next_page += 1
        servers = {}
        for page in pages:
            for server in page:
                servers.setdefault(server['id'], server)
        selected = list(servers.values())
        if filters.get('name'):
            selected = [s for s in selected if matches_name(s, filters['name'], name_match)]
        if filters.get('status'):
            selected = [s for s in selected if str(s.get('status')).upper() == str(filters['status']).upper()]
        return selected

    def get_server(self, server_id):
        """The server, or None when it does not exist (404 or BMS.0040, bms.md G5)."""
        self._count('server_reads')
        try:
            return (self._request('GET', 'baremetalservers', server_id).json or {}).get('server')
        except NotFoundError:
            return None
        except ApiError as err:
            if err.code == 'BMS.0040':
                return None
            raise

    def read_servers(self, server_ids, selection=None):
        """``{server_id: server or None}``: a few servers one GET each, many through the paged list.

        ``selection`` (the list filters the servers were selected by) narrows the list to the pages that hold
        them; ``status`` is never used for that, since the very power action changes it. When many servers
        have left the selection since (renamed, retagged), the whole project is read after all.
        """
        server_ids = list(dict.fromkeys(server_ids))
        if len(server_ids) <= SINGLE_READ_LIMIT:
            outcomes = run_concurrently(self.get_server, server_ids, self.concurrency)
            raise_first_error(outcomes)
            return dict(outcome[:2] for outcome in outcomes)
        narrow = dict((key, value) for key, value in (selection or {}).items()
                      if key != 'status' and value not in (None, '', []))
        listed = dict((server['id'], server) for server in self.list_servers(narrow or None))
        found = dict((server_id, listed.get(server_id)) for server_id in server_ids)
        unseen = [server_id for server_id, server in found.items() if server is None]
        if narrow and len(unseen) > SINGLE_READ_LIMIT:
            return self.read_servers(server_ids)
        unseen = unseen[:MISSING_CONFIRM_LIMIT]
        if unseen:
            outcomes = run_concurrently(self.get_server, unseen, self.concurrency)
            raise_first_error(outcomes)
            found.update(outcome[:2] for outcome in outcomes)
        return found

    # -- actions and jobs

    def submit(self, action, server_ids, power_type):
        """Send one action for at most 1000 servers; return the job id.

        Raises ``ApiError`` (wrong-state rejections included: the caller
        re-reads and decides again) and ``AmbiguousRequestError`` (the outcome
        is unknown: the caller re-reads, never re-sends blindly). The "overloaded,
        retry later" refusals (BMS.0212/BMS.1006) did nothing: the transport's
        retry policy sends the action again, within the deadline.
        """
        if not 1 <= len(server_ids) <= MAX_BATCH:
            raise ValueError('an action takes 1 to {0} servers, not {1}'.format(MAX_BATCH, len(server_ids)))
        body = action_body(action, server_ids, power_type)
        with announced_action('bms', action, server_ids) as announced:
            self._count('action_calls')
            response = self._request('POST', 'baremetalservers', 'action', json_body=body)
            job_id = (response.json or {}).get('job_id')
            if not job_id:
                raise ApiError(self._http().api, 'POST', response.path, response.status,
                               api_message='the action was answered without a job_id',
                               request_id=response.request_id)
            announced.follow_up['job_id'] = job_id
            return job_id

    def get_job(self, job_id):
        self._count('job_polls')
        return parse_job(self._request('GET', 'jobs', job_id).json)


# Target selection (doc fragment: quiesce.lifecycle.bms_selection) and concurrency, shared by bms_power and bms_info.
SELECTION_SPEC = dict(
    server_ids=dict(type='list', elements='str'),
    name=dict(type='str'),
    name_match=dict(type='str', default='contains', choices=['contains', 'exact']),
    status=dict(type='str', choices=['ACTIVE', 'SHUTOFF', 'REBOOT', 'HARD_REBOOT', 'BUILD', 'ERROR', 'DELETED']),
    flavor=dict(type='str'),
    tags=dict(type='list', elements='str'),
    reservation_id=dict(type='str'),
    enterprise_project_id=dict(type='str'),
    max_concurrency=dict(type='int', default=4),
)


def check_ids(params):
    """Fail before any request on a server or job id that is not of its documented shape (bms.md s4.1, s4.4)."""
    for server_id in params.get('server_ids') or []:
        check_segment('server_ids', server_id, UUID_SHAPE, 'a UUID', example='616fb98f-46ca-475e-917e-2563e5a8cd19')
    for job_id in params.get('job_ids') or []:
        check_segment('job_ids', job_id, TOKEN_SHAPE, example='2c9eb2c5544cbf6101544f0602af2b4f')


def open_client(module):
    """``(connection, client)`` for a module's options; unusable options fail before any request."""
    if module.params['max_concurrency'] < 1:
        raise OptionError('max_concurrency', 'must be 1 or more', 'Use e.g. 4.')
    check_ids(module.params)
    connection = HuaweiCloudConnection(module.params, module.connection_options())
    return connection, BmsClient(connection, concurrency=module.params['max_concurrency'])


def selection_filters(params):
    """The list filters set in ``params`` (empty dict when none)."""
    return dict((key, params.get(key)) for key in LIST_FILTERS if params.get(key) not in (None, '', []))


def select_servers(client, params):
    """``(server ids, {id: server} or None)``: ``server_ids`` as given (duplicates dropped), or the servers the
    filters select, whose states the list has just read."""
    if params.get('server_ids'):
        return list(dict.fromkeys(params['server_ids'])), None
    servers = client.list_servers(selection_filters(params), params.get('name_match'))
    return [server['id'] for server in servers], dict((server['id'], server) for server in servers)


def job_report(job_id, job):
    """A parsed job as a task result: sub-jobs as a list, failed servers named; ``found`` false for an unknown id."""
    if job is None:
        return {'job_id': job_id, 'found': False, 'status': None, 'terminal': False, 'error_code': None,
                'fail_reason': None, 'sub_jobs': [], 'failed_server_ids': []}
    sub_jobs = [dict(sub, server_id=server_id) for server_id, sub in sorted(job['sub_jobs'].items())]
    return {'job_id': job['job_id'] or job_id, 'found': True, 'status': job['status'], 'terminal': job['terminal'],
            'job_type': job['job_type'], 'begin_time': job['begin_time'], 'end_time': job['end_time'],
            'error_code': job['error_code'], 'fail_reason': job['fail_reason'], 'sub_jobs': sub_jobs,
            'failed_server_ids': [sub['server_id'] for sub in sub_jobs if sub['status'] == 'FAIL']}


def read_jobs(client, job_ids):
    """Read jobs concurrently; a job the API does not know is reported with ``found: false``."""
    def read(job_id):
        try:
            return client.get_job(job_id)
        except NotFoundError:
            return None
    outcomes = run_concurrently(read, list(dict.fromkeys(job_ids)), client.concurrency)
    raise_first_error(outcomes)
    return [job_report(job_id, job) for job_id, job, unused_error in outcomes]
