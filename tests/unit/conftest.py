# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every unit test: run a module's main() with given arguments, and a scripted HTTP server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import http.server
import json
import socket
import threading
import time

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class ModuleExit(Exception):
    """Raised in place of sys.exit by exit_json/fail_json so tests can read the result."""

    def __init__(self, result, failed):
        super(ModuleExit, self).__init__(result)
        self.result = result
        self.failed = failed


@contextlib.contextmanager
def _module_args(args):
    args = dict(args)
    args.setdefault('_ansible_remote_tmp', '/tmp')
    args.setdefault('_ansible_keep_remote_files', False)
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    old = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old


@pytest.fixture
def run_module(monkeypatch):
    """run_module(main, args) -> (result, failed): runs a module's main() in-process."""

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ModuleExit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        raise ModuleExit(kwargs, True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def _run(main, args):
        with _module_args(args):
            with pytest.raises(ModuleExit) as caught:
                main()
        return caught.value.result, caught.value.failed

    return _run


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 answering from a script of responses, recording every request.

    Each scripted reply is a dict: ``status``, ``headers``, ``body`` (dict/list -> JSON, str/bytes raw),
    or ``{'drop': True}`` to close the connection without answering (after reading the request);
    ``delay`` (seconds) holds the answer back that long, as a slow server does.
    When the script runs out, the last reply repeats.
    """

    def __init__(self):
        self.script = []
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                server.requests.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers),
                                        'body': body})
                reply = server.script.pop(0) if len(server.script) > 1 else (server.script[0] if server.script else {})
                if reply.get('delay'):
                    time.sleep(reply['delay'])
                if reply.get('drop'):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload = reply.get('body', b'')
                headers = dict(reply.get('headers', {}))
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                    headers.setdefault('Content-Type', 'application/json')
                elif isinstance(payload, str):
                    payload = payload.encode()
                try:
                    self.send_response(reply.get('status', 200))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header('Content-Length', str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (a delayed answer)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:{0}'.format(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def reply(self, *replies):
        self.script.extend(replies)
        return self

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted_server():
    server = ScriptedServer()
    server.thread.start()
    yield server
    server.close()
