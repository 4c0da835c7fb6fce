"""The one redaction mechanism: every text and every parsed answer that leaves oint passes
through a Redactor.

Secrets are known from the metadata (parameters flagged ``secret``), from tokens fetched on
the caller's behalf and from the Authorization header; whatever their source, they are
replaced by ``***``. A server may echo a secret encoded, so a secret is found in any mix of
the spellings a character can take on the wire: itself, a JSON ``\\uXXXX`` escape (any hex
case, surrogate pairs, doubled backslashes), ``\\/``, percent-encoding of its UTF-8 bytes
(any hex case), ``+`` for a space (form encoding) and HTML numeric entities.

The rule for short secrets, so that masking never corrupts data:

- a secret shorter than ``MIN_SECRET`` characters is not masked (it would mask ordinary text
  and protect nothing worth protecting);
- one shorter than ``SHORT_SECRET`` is masked only where it stands alone, not inside a longer
  run of letters or digits (a password ``1200`` is masked in ``secret=1200&`` but not in
  ``12000``);
- in parsed answers (``Redactor.value``) only string values are masked; numbers, booleans
  and object keys are never changed, so an answer stays the data the server sent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
MIN_SECRET = 4
SHORT_SECRET = 8
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+")
# Characters that start an encoded spelling: without any, only the plain secret can be there.
_ENCODED = re.compile(r"[\\%&+]")
_JSON_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "\b": "b", "\f": "f", "\n": "n"}
_JSON_SHORT_ESCAPES.update({"\r": "r", "\t": "t"})


def _hex(number: int, width: int) -> str:
    """``number`` in hex as a pattern that matches either letter case."""
    return "".join(
        f"[{digit.lower()}{digit.upper()}]" if digit.isalpha() else digit
        for digit in f"{number:0{width}x}"
    )


def _char_pattern(char: str) -> str:
    """Every spelling of one character a server might echo."""
    code = ord(char)
    spellings = [re.escape(char)]
    if code > 0xFFFF:  # JSON writes it as a surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        spellings.append(rf"\\+u{_hex(high, 4)}\\+u{_hex(low, 4)}")
    else:
        spellings.append(rf"\\+u{_hex(code, 4)}")
    if char in _JSON_SHORT_ESCAPES:
        spellings.append(r"\\+" + re.escape(_JSON_SHORT_ESCAPES[char]))
    spellings.append("".join(f"%{_hex(byte, 2)}" for byte in char.encode("utf-8", "replace")))
    if char == " ":
        spellings.append(r"\+")
    spellings.append(rf"&#0*{code};|&#[xX]0*{_hex(code, 1)};")
    return "(?:" + "|".join(spellings) + ")"


# Before a short secret: not a letter or digit, unless it ends an escape (``%3D``, ``\u003d``).
_ALONE_BEFORE = r"(?:(?<![^\W_])|(?<=%[0-9a-fA-F]{2})|(?<=\\u[0-9a-fA-F]{4}))"
_ALONE_AFTER = r"(?![^\W_])"


@functools.lru_cache(maxsize=64)
def secret_pattern(secret: str) -> re.Pattern[str]:
    """A pattern that finds ``secret`` in any spelling (see the module's rules).

    Built only when a text may hold the secret, and kept for the process's next calls with
    the same secret (a library caller's token): building it is most of redaction's cost."""
    body = "".join(_char_pattern(char) for char in secret)
    if len(secret) < SHORT_SECRET:
        if secret[0].isalnum():
            body = _ALONE_BEFORE + body
        if secret[-1].isalnum():
            body += _ALONE_AFTER
    return re.compile(body)


class _Secret:
    """One secret's pattern, and a cheap test that says when it cannot be in a text."""

    __slots__ = ("hints", "secret")

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.hints = ("\\", "%", "&#", *(("+",) if " " in secret else ()))

    @property
    def pattern(self) -> re.Pattern[str]:
        return secret_pattern(self.secret)

    def sub(self, text: str) -> str:
        if self.secret in text or any(hint in text for hint in self.hints):
            return self.pattern.sub(MASK, text)
        return text


class Redactor:
    """Replaces every known secret value in a text, or in a parsed answer, by ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._known: dict[str, _Secret] = {}
        self._whole: set[str] = set()  # every secret, however short (see ``is_secret``)
        self._ordered: list[_Secret] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret:
            self._whole.add(secret)
        if secret and len(secret) >= MIN_SECRET and secret not in self._known:
            self._known[secret] = _Secret(secret)
            # Longer secrets first: one that contains another is masked whole.
            self._ordered = [self._known[s] for s in sorted(self._known, key=len, reverse=True)]

    def is_secret(self, text: str) -> bool:
        """Whether ``text`` is exactly a known secret, whatever its length: for a value that
        stands alone (a form field, a JSON string), where masking a short one is safe."""
        return text in self._whole

    def secrets(self, text: str) -> str:
        """``text`` with every known secret masked (no other pattern)."""
        if _ENCODED.search(text) is None:  # the common case, checked once for all secrets
            for secret in self._ordered:
                if secret.secret in text:
                    text = secret.pattern.sub(MASK, text)
            return text
        for secret in self._ordered:
            text = secret.sub(text)
        return text

    def __call__(self, text: str) -> str:
        """A text safe to print: known secrets, and any ``Bearer``/``Basic`` credential."""
        return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", self.secrets(text))

    def value(self, value: Any) -> Any:
        """``value`` (parsed JSON: dicts, lists, scalars) with every string that contains a
        secret masked, keys included (a server may echo a secret as a key); numbers and
        booleans are left as they are. Containers are changed in place and returned. Works
        at any nesting depth."""
        if not self._ordered:
            return value
        if isinstance(value, str):
            return self.secrets(value)
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                for key in [k for k in node if isinstance(k, str)]:
                    masked_key = self.secrets(key)
                    if masked_key != key:  # keep the order of the other keys
                        items = [(masked_key if k == key else k, v) for k, v in node.items()]
                        node.clear()
                        node.update(items)
                entries: Iterable[tuple[Any, Any]] = list(node.items())
            elif isinstance(node, list):
                entries = enumerate(node)
            else:
                continue
            for key, item in entries:
                if isinstance(item, str):
                    masked = self.secrets(item)
                    if masked != item:
                        node[key] = masked
                elif isinstance(item, (dict, list)):
                    stack.append(item)
        return value

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
