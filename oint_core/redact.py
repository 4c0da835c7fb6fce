"""The one redaction mechanism: every text that leaves oint passes through a Redactor.

Secrets are known from the metadata (parameters flagged ``secret``) and from the
Authorization header; whatever their source, they are replaced by ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "***"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+")


class Redactor:
    """Replaces every known secret value in a text by ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would mask ordinary text and protect nothing worth protecting.
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of ``headers`` safe to print."""
        safe = {}
        for name, value in headers.items():
            lowered = name.lower()
            if lowered in {"authorization", "proxy-authorization"}:
                scheme = value.split(" ", 1)[0] if " " in value else ""
                safe[name] = f"{scheme} {MASK}".strip()
            elif lowered in SENSITIVE_HEADERS:
                safe[name] = MASK
            else:
                safe[name] = self(value)
        return safe
