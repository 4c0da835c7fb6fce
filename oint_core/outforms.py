"""OPI's ``--out`` forms: a result printed as hex, base64 or UTF-8 text instead of saved.

``--out _hex_`` / ``_base64_`` / ``_utf8_`` print the result on standard output in that
form, and ``--out -`` is standard output itself. A binary result (a PDF) is its bytes; any
other result is its JSON text (as oint prints it) in UTF-8. Hex is upper case, as OPI
writes it; ``_utf8_`` prints a JSON result as it is and a binary one decoded (bytes that are
not UTF-8 become U+FFFD, control characters ``\\uXXXX`` escapes, so that a terminal only
ever gets text).
"""

from __future__ import annotations

import base64
from typing import Any

HEX, BASE64, UTF8 = "_hex_", "_base64_", "_utf8_"
FORMS = frozenset({HEX, BASE64, UTF8})
#: ``--out -``: standard output, as for most command-line tools.
STDOUT = "-"


def to_stdout(out: str | None) -> bool:
    """Whether ``--out`` sends the result to standard output (not to a file)."""
    return out is None or out == STDOUT or out in FORMS


def render(value: Any, form: str) -> str:
    """``value`` (bytes, or a JSON-ready result) as one line of text in ``form``."""
    from .output import printable, to_json

    binary = isinstance(value, (bytes, bytearray))
    data = bytes(value) if binary else to_json(value).encode("utf-8")
    if form == HEX:
        return data.hex().upper()
    if form == BASE64:
        return base64.b64encode(data).decode("ascii")
    if form == UTF8:
        return printable(data.decode("utf-8", "replace")) if binary else to_json(value)
    raise ValueError(f"not an --out form: {form!r}")
