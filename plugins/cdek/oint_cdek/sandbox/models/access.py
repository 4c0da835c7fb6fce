"""What the sandbox keeps besides CDEK entities: issued tokens and queued faults."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FAULT_KINDS = frozenset(
    {"http_500", "http_502", "http_503", "http_429", "delay", "drop", "malformed_json", "empty"}
)


@dataclass
class _Token:
    client_id: str
    expires_at: datetime


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _jwt_like(client_id: str, jti: str, expires_at: datetime, signature: bytes) -> str:
    """A JWT-looking token (header.payload.signature), as CDEK's are."""
    header = {"alg": "RS256", "typ": "JWT"}
    payload = {
        "scope": ["order:all", "payment:all"],
        "exp": int(expires_at.timestamp()),
        "authorities": ["shard-id:sandbox", f"client-id:{client_id}"],
        "client_id": client_id,
        "jti": jti,
    }
    return ".".join(
        [
            _b64url(json.dumps(header, separators=(",", ":")).encode()),
            _b64url(json.dumps(payload, separators=(",", ":")).encode()),
            _b64url(signature),
        ]
    )


@dataclass
class _Fault:
    kind: str
    remaining: int
    path: re.Pattern[str] | None
    retry_after: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.remaining,
            "path": self.path.pattern if self.path else None,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
        }
