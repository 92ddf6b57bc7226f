"""Self-signed CA and a server certificate for 127.0.0.1 and localhost (trustme)."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def make_server_context(state_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """Write ca.pem / server.pem into state_dir; return the server context and the CA path."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Quiesce simulator CA")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = state_dir / "ca.pem"
    server_file = state_dir / "server.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_and_cert_chain_pem.write_to_path(str(server_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(server_file))
    return context, ca_file
