# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MrsClient: typed calls to the MRS Manager ``/web/v1`` API and the waits built on them.

References: shared/api/mrs-manager.md s4-s8. Paths, envelopes and status
vocabulary live here and nowhere else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 is not supported, the import keeps sanity's compile test quiet
    from urllib import quote

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import grace_period
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import MRS_API, mrs_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    NotFoundError,
    OperationFailedError,
    OptionError,
    QuiesceError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_auth import MrsSessionAuth, default_cas_url
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import announced_action
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import DOT_SEGMENTS, HttpClient, check_url
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule, wait_until

STARTED, STOPPED, STARTING, STOPPING = 'STARTED', 'STOPPED', 'STARTING', 'STOPPING'
START_FAILED, STOP_FAILED, UNKNOWN = 'START_FAILED', 'STOP_FAILED', 'UNKNOWN'
RUNNING_STATUSES = (STARTED, STOPPED, STARTING, STOPPING, START_FAILED, STOP_FAILED, UNKNOWN)
TRANSITIONAL = {STARTING: STARTED, STOPPING: STOPPED}  # where a transitional status settles when all goes well

# The UI spells these differently from the wire (s8.1/s8.2: INFERRED upper snake case, UI labels accepted).
_SPELLINGS = {
    'FAILED_TO_START': START_FAILED,
    'FAILED_TO_STOP': STOP_FAILED,
    'STARTFAILED': START_FAILED,
    'STOPFAILED': STOP_FAILED,
    'NOT_STARTED': STOPPED,  # 3.x UI label for a stopped service (s8.1 [S29])
}
# GAP G2: key_property names are undocumented; these are the proposal, plus the synonym the
# documented examples use (operational_status).
RUNNING_KEYS = ('running_status', 'operational_status')
HEALTH_KEYS = ('health_status',)
CONFIG_KEYS = ('config_status', 'configuration_status')
VERSION_KEYS = ('version',)

COMMAND_DONE = ('COMPLETE', 'FAILED')

# GAP G1: there is no list-services call. The documented component names (s8.5 [S30], the
# "roles and components supported by MRS" table without OMSServer, the Manager itself) are what
# "every service" means to this collection: they are probed one by one and absent ones skipped.
KNOWN_SERVICES = (
    'ZooKeeper', 'HDFS', 'Yarn', 'Mapreduce', 'HBase', 'Hive', 'Spark', 'Spark2x', 'Tez', 'Flink', 'Kafka',
    'Storm', 'Flume', 'Loader', 'Hue', 'Oozie', 'Ranger', 'HetuEngine', 'Doris', 'Guardian', 'JobGateway',
    'DBService', 'meta', 'KrbServer', 'KrbClient', 'LdapServer', 'LdapClient',
)


def check_options(params, service_options):
    """Fail before any request on an unusable Manager URL, cluster ID or service name (``service_options``)."""
    check_manager_url(params['manager_url'], params.get('allow_insecure_http'))
    if params.get('cas_url'):
        check_url('cas_url', params['cas_url'], https_only=True, allow_insecure_http=params.get('allow_insecure_http'),
                  service='MRS Manager CAS', example='https://192.0.2.10:20009/cas')
    check_cluster_id(params['cluster_id'])
    for option in service_options:
        value = params.get(option)
        for name in [value] if isinstance(value, str) else value or []:
            check_service_name(name, option)


def check_service_name(name, option='name'):
    """Fail before any request on a name that cannot be a service (it becomes a URL path segment)."""
    if not name or not name.strip() or name != name.strip() or '/' in name or name in DOT_SEGMENTS:
        raise OptionError(option, '{0!r} is not a service name'.format(name),
                          'Use the name MRS Manager shows, e.g. HDFS, HBase, Yarn or ZooKeeper.')


def check_manager_url(url, allow_insecure_http=False):
    """mrs-manager.md s2: HTTPS only (plain http:// only when allowed, for a test system), with the /web path."""
    url = check_url('manager_url', url, https_only=True, allow_insecure_http=allow_insecure_http,
                    service='MRS Manager', example='https://192.0.2.10:28443/web')
    if '/' not in url.split('://', 1)[1]:
        raise OptionError('manager_url', '{0!r} is not the Manager web application URL'.format(url),
                          'Use https://<floating-ip>:28443/web (scheme, host, port and the /web path).')


def check_cluster_id(cluster_id):
    if cluster_id is None or cluster_id < 1:
        raise OptionError('cluster_id', '{0!r} is not a Manager cluster ID'.format(cluster_id),
                          'Use the ID MRS Manager shows (a positive integer, normally 1).')


def normalize_running_status(value):
    """The wire token for a running status, case-insensitively, accepting UI spellings; None if absent.

    An unrecognised value comes back as UNKNOWN (s8.4 treats UNKNOWN as "act": start or stop as
    asked, which the Manager refuses with 409 if a command is running); the raw value is kept by
    ``ServiceStatus.raw_running_status`` for the report.
    """
    if value is None or str(value).strip() == '':
        return None
    token = '_'.join(str(value).strip().upper().replace('-', ' ').split())
    token = _SPELLINGS.get(token, token)
    return token if token in RUNNING_STATUSES else UNKNOWN


def _token(value):
    return None if value is None else '_'.join(str(value).strip().upper().split())


class ServiceStatus:
    """A service's summary: running status (the one idempotency decides on), health, configuration, version."""

    def __init__(self, name, running_status, health_status=None, config_status=None, version=None,
                 raw_running_status=None):
        self.name = name
        self.running_status = running_status
        self.health_status = health_status
        self.config_status = config_status
        self.version = version
        self.raw_running_status = raw_running_status  # the Manager's spelling, kept only when unrecognised

    @classmethod
    def from_summary(cls, name, body):
        res_obj = body.get('res_obj') if isinstance(body, dict) else None
        properties = res_obj.get('key_property') if isinstance(res_obj, dict) else None
        if not isinstance(properties, list):
            raise QuiesceError('MRS Manager: the summary of service {0!r} has no res_obj.key_property list'.format(name))
        by_name = {}
        for item in properties:
            if isinstance(item, dict) and item.get('name') is not None:
                by_name[str(item['name']).strip().lower()] = item.get('value')

        def pick(keys):
            for key in keys:
                if by_name.get(key) not in (None, ''):
                    return by_name[key]
            return None

        raw = pick(RUNNING_KEYS)
        running = normalize_running_status(raw)
        if running is None:
            raise QuiesceError('MRS Manager: the summary of service {0!r} has no running status (looked for {1}; '
                               'got {2})'.format(name, ', '.join(RUNNING_KEYS), ', '.join(sorted(by_name)) or 'nothing'))
        version = pick(VERSION_KEYS)
        return cls(name, running, _token(pick(HEALTH_KEYS)), _token(pick(CONFIG_KEYS)),
                   None if version is None else str(version),
                   raw_running_status=str(raw) if running == UNKNOWN and _token(raw) != UNKNOWN else None)

    @property
    def settled(self):
        return self.running_status not in TRANSITIONAL

    def to_dict(self):
        result = dict(name=self.name, running_status=self.running_status, health_status=self.health_status,
                      config_status=self.config_status, version=self.version)
        if self.raw_running_status is not None:
            result['reported_running_status'] = self.raw_running_status
        return result


class CommandProgress:
    """One asynchronous command as the progress query (s5.4) or the start/stop answer (s5.1) shows it."""

    def __init__(self, command_id, state, total_progress=0.0, error_code=0, error_description='', steps=None,
                 failed_entities=None):
        self.command_id = command_id
        self.state = state
        self.total_progress = total_progress
        self.error_code = error_code
        self.error_description = error_description
        self.steps = steps or []
        self.failed_entities = failed_entities or []

    @classmethod
    def from_envelope(cls, body, command_id=None):
        body = body if isinstance(body, dict) else {}
        res_obj = body.get('res_obj') if isinstance(body.get('res_obj'), dict) else {}
        steps = [s.get('name') for s in res_obj.get('step_list') or [] if isinstance(s, dict) and s.get('name')]
        failed = [dict(entity=f.get('fail_entity'), operation=f.get('operation_type'))
                  for f in res_obj.get('fail_entity_list') or [] if isinstance(f, dict)]
        raw_id = body.get('id', command_id)
        try:
            raw_id = int(raw_id)
        except (TypeError, ValueError):
            raw_id = command_id
        try:
            progress = float(body.get('total_progress') or 0)
        except (TypeError, ValueError):
            progress = 0.0
        return cls(raw_id, str(body.get('state') or '').upper() or 'UNKNOWN', progress,
                   body.get('error_code', 0), body.get('error_description') or '', steps, failed)

    @property
    def asynchronous(self):
        """False when there is nothing to poll: ``id`` -1 or already terminal (s6 INFERRED)."""
        return self.command_id not in (None, -1) and self.state not in COMMAND_DONE

    @property
    def failed(self):
        # s7 PROPOSAL: FAILED or a non-zero error_code is an error.
        return self.state == 'FAILED' or self.error_code not in (0, '0', None, '')

    def fraction(self):
        """The share done (0..1) by ``total_progress`` (s5.4, "overall progress", 0-100 in the examples) while
        the command runs; None when it says nothing (0, 100, outside that range, or the command has ended).
        The waiter only brings a poll forward by it, so a Manager whose progress is not linear in time costs
        polls, never a late answer."""
        if self.state in COMMAND_DONE or self.failed or not 0 < self.total_progress < 100:
            return None
        return self.total_progress / 100.0

    def describe(self):
        return '{0}, total_progress {1:g}%'.format(self.state, self.total_progress)

    def to_dict(self):
        return dict(id=self.command_id, state=self.state, total_progress=self.total_progress,
                    error_code=self.error_code, error_description=self.error_description, steps=self.steps,
                    failed_entities=self.failed_entities)


class MrsClient:
    """Typed MRS Manager calls over one ``HttpClient`` with a ``MrsSessionAuth`` login session."""

    def __init__(self, http, cluster_id=1, poll_interval=2.0, clock=time.monotonic, sleep=time.sleep):
        self.http = http
        self.cluster_id = cluster_id
        self.poll_interval = poll_interval
        self.clock = clock
        self.sleep = sleep

    @classmethod
    def connect(cls, manager_url, username, password, cas_url=None, cluster_id=1, poll_interval=2.0,
                **connection):
        """A client for ``manager_url`` (``https://<ip>:28443/web``); logs in on the first request."""
        # Content-Type is mandatory on every Manager call, GETs included (s2).
        http = HttpClient(manager_url, MRS_API, mrs_error, default_headers={'X-Language': 'en-us'},
                          body_content_type='application/json',
                          url_options={'manager_url': manager_url, 'cas_url': cas_url or default_cas_url(manager_url)},
                          **connection)
        http.auth = MrsSessionAuth(http, manager_url, username, password, cas_url=cas_url)
        return cls(http, cluster_id=cluster_id, poll_interval=poll_interval)

    @classmethod
    def from_module(cls, module):
        params = module.params
        return cls.connect(params['manager_url'], params['username'], params['password'], cas_url=params['cas_url'],
                           cluster_id=params['cluster_id'], poll_interval=params.get('poll_interval') or 2.0,
                           **module.connection_options())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Log out (best effort) and release the connection pool."""
        if self.http.auth is not None:
            self.http.auth.logout()
        self.http.close()

    # -- reads

    def _cluster_path(self, suffix=''):
        return '/v1/cluster/{0}{1}'.format(self.cluster_id, suffix)

    @staticmethod
    def _service_segment(name):
        return quote(name, safe='')

    def clusters(self):
        body = self.http.request('GET', '/v1/clusters').json or {}
        clusters = (body.get('res_obj') or {}).get('clusters')
        return clusters if isinstance(clusters, list) else []

    def cluster_health(self):
        """``res_obj.state`` of the cluster status (s5.5): GOOD or BAD."""
        body = self.http.request('GET', self._cluster_path('/status')).json or {}
        return _token((body.get('res_obj') or {}).get('state'))

    def cluster_info(self):
        """The cluster's id and health, with name, version and stack model from the cluster list (s5.5, s5.6)."""
        info = dict(id=self.cluster_id, health=self.cluster_health(), name=None, version=None, stack_model=None)
        for cluster in self.clusters():
            if isinstance(cluster, dict) and str(cluster.get('id')) == str(self.cluster_id):
                info.update(name=cluster.get('name'), version=cluster.get('version'),
                            stack_model=cluster.get('stack_model'))
        return info

    def service_status(self, name):
        """The service summary (s5.3). An unknown service raises ``NotFoundError`` with the fix."""
        try:
            response = self.http.request('GET', self._cluster_path('/services/' + self._service_segment(name)))
        except NotFoundError as err:
            raise NotFoundError(
                err.api, err.method, err.path, err.http_status, code=err.code, api_message=err.api_message,
                request_id=err.request_id,
                summary='check the service name (exact spelling, e.g. HDFS, HBase, Yarn, ZooKeeper) and cluster_id '
                        '({0}; the id MRS Manager shows, usually 1)'.format(self.cluster_id))
        return ServiceStatus.from_summary(name, response.json)

    def existing_services(self, names):
        """Statuses of those of ``names`` the cluster has, in order; absent ones (404) are skipped."""
        found = []
        for name in names:
            try:
                found.append(self.service_status(name))
            except NotFoundError:
                continue
        return found

    def command_progress(self, command_id):
        response = self.http.request('GET', '/v1/common/command/{0}/progress'.format(int(command_id)))
        return CommandProgress.from_envelope(response.json, command_id)

    # -- actions

    def start_service(self, name, only_self):
        return self._operate(name, 'start', only_self)

    def stop_service(self, name, only_self):
        return self._operate(name, 'stop', only_self)

    def _operate(self, name, verb, only_self):
        # only_self is always sent (s5.2 PROPOSAL, gap G10: the server default is undocumented);
        # user_password is left out: REST callers need no secondary authentication (s3.6).
        path = '/v1/maintain/cluster/{0}/service/{1}/{2}'.format(self.cluster_id, self._service_segment(name), verb)
        with announced_action('mrs', verb, [name]) as announced:
            response = self.http.request('POST', path, json_body={'only_self': bool(only_self)})
            command = CommandProgress.from_envelope(response.json)
            announced.follow_up['command_id'] = command.command_id
        if command.failed:
            raise command_failure(command, '{0} {1}'.format(verb, name))
        return command

    # -- after an ambiguous action

    def grace(self, remaining):
        return grace_period(self.http, remaining)

    def remaining_after(self, requests):
        """Seconds before the transport's deadline, less the least time of ``requests`` more; None without one."""
        return self.http.remaining_after(requests)

    # -- waits

    def schedule(self):
        return PollSchedule(initial=self.poll_interval, factor=1.5, maximum=30.0)

    def wait_for_command(self, command_id, timeout, what):
        """Poll the command until COMPLETE or FAILED; FAILED raises ``OperationFailedError``."""
        final = wait_until(
            lambda: self.command_progress(command_id), lambda c: c.state in COMMAND_DONE or c.failed, timeout,
            'MRS Manager command {0} ({1}) to finish'.format(command_id, what),
            describe=CommandProgress.describe, follow_up={'command_id': command_id}, schedule=self.schedule(),
            clock=self.clock, sleep=self.sleep, progress=CommandProgress.fraction)
        if final.failed:
            raise command_failure(final, what)
        return final

    def wait_for_service(self, name, is_done, timeout, what, follow_up=None):
        """Poll the service summary until ``is_done(status)``; returns the last ``ServiceStatus``."""
        return wait_until(
            lambda: self.service_status(name), is_done, timeout, what,
            describe=lambda s: 'running status {0}'.format(s.running_status),
            follow_up=follow_up or {'service': name}, schedule=self.schedule(), clock=self.clock, sleep=self.sleep)

    def wait_until_settled(self, name, timeout):
        """Wait through STARTING/STOPPING (s8.4: transitional statuses are waited through, never acted on)."""
        return self.wait_for_service(name, lambda s: s.settled, timeout,
                                     'service {0} to leave its transitional status'.format(name))


def command_failure(command, what):
    """An ``OperationFailedError`` naming the command, its error code and description, and the failed entities."""
    message = 'MRS Manager command {0} ({1}) {2}: error {3}: {4}'.format(
        command.command_id, what, command.state, command.error_code, command.error_description or 'no description')
    if command.failed_entities:
        message += '; failed entities: ' + ', '.join(
            '{0} ({1})'.format(f['entity'], f['operation']) for f in command.failed_entities)
    message += '; total_progress {0:g}%'.format(command.total_progress)
    return OperationFailedError(
        message, command_id=command.command_id, state=command.state, error_code=command.error_code,
        error_description=command.error_description, failed_entities=command.failed_entities,
        total_progress=command.total_progress, steps=command.steps)
