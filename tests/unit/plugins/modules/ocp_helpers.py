# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scripted OCP answers shared by the OCP module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def ok(data, trace='t-1'):
    return {'status': 200, 'body': {'data': data, 'successful': True, 'status': 200, 'traceId': trace}}


def page(contents):
    return ok({'contents': contents, 'page': {'number': 1, 'size': 100, 'totalElements': len(contents),
                                              'totalPages': 1}})


def args(server, **extra):
    base = dict(ocp_url=server.url, username='admin', password='pw')
    base.update(extra)
    return base


def mutating(server):
    return [r for r in server.requests if r['method'] != 'GET']
