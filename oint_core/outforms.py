"""OPI's ``--out`` forms: a result printed as hex, base64 or UTF-8 text instead of saved.

``--out _hex_`` / ``_base64_`` / ``_utf8_`` print the result on standard output in that
form, and ``--out -`` is standard output itself. The forms are read in any letter case
(``_HEX_`` too: a file so named is improbable, and a typo should not write one). A binary
result (a PDF) is its bytes; any other result is its JSON text (as oint prints it) in UTF-8.
Hex is upper case, as OPI writes it; ``_utf8_`` prints a JSON result as it is and a binary
one decoded on one line (bytes that are not UTF-8 become U+FFFD, and every control
character, newline and tab included, a ``\\uXXXX`` escape, so that a terminal only ever
gets text).
"""

from __future__ import annotations

import base64
from typing import Any

HEX, BASE64, UTF8 = "_hex_", "_base64_", "_utf8_"
FORMS = frozenset({HEX, BASE64, UTF8})
#: ``--out -``: standard output, as for most command-line tools.
STDOUT = "-"


def form_of(out: str | None) -> str | None:
    """The text form ``out`` names (in any letter case), in its canonical spelling; None
    when ``out`` is not one (a file name, ``-``, or not given)."""
    if out is None:
        return None
    form = out.lower()
    return form if form in FORMS else None


def to_stdout(out: str | None) -> bool:
    """Whether ``--out`` sends the result to standard output (not to a file)."""
    return out is None or out == STDOUT or form_of(out) is not None


def render(value: Any, form: str) -> str:
    """``value`` (bytes, or a JSON-ready result) as text in ``form`` (any letter case): one
    line, but for a JSON result in ``_utf8_``, which is its JSON text as oint prints it."""
    from .output import printable, to_json

    binary = isinstance(value, (bytes, bytearray))
    data = bytes(value) if binary else to_json(value).encode("utf-8")
    form = form_of(form) or form
    if form == HEX:
        return data.hex().upper()
    if form == BASE64:
        return base64.b64encode(data).decode("ascii")
    if form == UTF8:
        if not binary:
            return to_json(value)
        text = printable(data.decode("utf-8", "replace"))  # leaves newlines and tabs
        return text.replace("\n", "\\u000a").replace("\t", "\\u0009")
    raise ValueError(f"not an --out form: {form!r}")
