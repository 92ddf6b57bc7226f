"""Request signatures verified for real: OCP `OCP-ACCESS-KEY-HMACSHA1` and Huawei `SDK-HMAC-SHA256`.

Both verifiers rebuild the signed message from what arrived on the wire; the signing
functions exist so tests and the benchmark can produce requests the same way a client does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, unquote

MAX_SKEW_SECONDS = 15 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _wire_bytes(text: str) -> bytes:
    """UTF-8, keeping header bytes aiohttp could not decode (surrogate-escaped) as they arrived."""
    return text.encode("utf-8", "surrogateescape")


def same_secret(left: str, right: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII text, including undecodable header bytes."""
    return hmac.compare_digest(_wire_bytes(left), _wire_bytes(right))


def _rfc3986(value: str) -> str:
    return quote(value, safe="-._~")


# ---------------------------------------------------------------- OCP


def ocp_canonical_query(pairs: Iterable[tuple[str, str]], *, encode_joined: bool = True) -> str:
    """Sorted keys; a repeated key's values sorted and comma-joined (the vendor sample encodes
    the joined string, so `a=1&a=2` signs as `a=1%2C2`; the prose variant encodes each value)."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    parts = []
    for key in sorted(grouped):
        values = sorted(grouped[key])
        if encode_joined:
            rendered = _rfc3986(",".join(values))
        else:
            rendered = ",".join(_rfc3986(v) for v in values)
        parts.append(f"{_rfc3986(key)}={rendered}")
    return "&".join(parts)


def ocp_string_to_sign(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    *,
    encode_joined: bool = True,
) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    content_md5 = hashlib.md5(body).hexdigest().upper() if body else ""  # noqa: S324 (protocol-defined)
    ocp_headers = "\n".join(f"{name}:{lower[name]}" for name in sorted(n for n in lower if n.startswith("x-ocp")))
    query = ocp_canonical_query(query_pairs, encode_joined=encode_joined)
    resource = path + (f"?{query}" if query else "")
    return "\n".join(
        [method.upper(), content_md5, lower.get("content-type", ""), lower.get("date", ""),
         lower.get("host", ""), ocp_headers, resource]
    )


def ocp_signature(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), _wire_bytes(message), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


OCP_AUTH_RE = re.compile(r"^OCP-ACCESS-KEY-HMACSHA1 ([^:\s]+):(\S+)$")


def parse_ocp_authorization(value: str) -> tuple[str, str] | None:
    match = OCP_AUTH_RE.match(value.strip())
    return (match.group(1), match.group(2)) if match else None


def verify_ocp(
    secret: str, signature: str, method: str, path: str, query_pairs: list[tuple[str, str]],
    headers: Mapping[str, str], body: bytes,
) -> bool:
    for encode_joined in (True, False):
        expected = ocp_signature(
            secret, ocp_string_to_sign(method, path, query_pairs, headers, body, encode_joined=encode_joined)
        )
        if same_secret(expected, signature):
            return True
    return False


def ocp_date_skew(date_header: str, now: float) -> float:
    """Seconds between the Date header and now; infinity when unparseable."""
    try:
        return abs(parsedate_to_datetime(date_header).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return float("inf")


# ---------------------------------------------------------------- Huawei SDK-HMAC-SHA256


def sdk_canonical_uri(path: str) -> str:
    encoded = "/".join(quote(segment, safe="~") for segment in unquote(path).split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def sdk_canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    encoded = sorted((quote(k, safe="~"), quote(v, safe="~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def sdk_canonical_request(
    method: str, path: str, query_pairs: Iterable[tuple[str, str]], headers: Mapping[str, str],
    signed_headers: list[str], body: bytes,
) -> str:
    lower = {k.lower(): str(v).strip() for k, v in headers.items()}
    canonical_headers = "".join(f"{name}:{lower.get(name, '')}\n" for name in signed_headers)
    payload_hash = lower.get("x-sdk-content-sha256") or (hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256)
    return "\n".join(
        [method.upper(), sdk_canonical_uri(path), sdk_canonical_query(query_pairs), canonical_headers,
         ";".join(signed_headers), payload_hash]
    )


def sdk_string_to_sign(canonical_request: str, sdk_date: str) -> str:
    return f"SDK-HMAC-SHA256\n{sdk_date}\n{hashlib.sha256(_wire_bytes(canonical_request)).hexdigest()}"


def sdk_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode(), _wire_bytes(string_to_sign), hashlib.sha256).hexdigest()


SDK_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$"
)


def parse_sdk_authorization(value: str) -> tuple[str, list[str], str] | None:
    match = SDK_AUTH_RE.match(value.strip())
    if not match:
        return None
    return match.group(1), match.group(2).split(";"), match.group(3)


def sign_sdk_request(
    ak: str, sk: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> dict[str, str]:
    """Add X-Sdk-Date (if absent) and Authorization to `headers`, signing every header given."""
    headers = dict(headers)
    headers.setdefault("X-Sdk-Date", datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    signed = sorted(k.lower() for k in headers)
    canonical = sdk_canonical_request(method, path, parse_qsl(query, keep_blank_values=True), headers, signed, body)
    signature = sdk_signature(sk, sdk_string_to_sign(canonical, headers["X-Sdk-Date"]))
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    return headers


def sdk_date_skew(sdk_date: str, now: float) -> float:
    try:
        stamp = datetime.strptime(sdk_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return float("inf")
    return abs(stamp.timestamp() - now)
