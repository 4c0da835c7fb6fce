"""A tiny, dependency-free writer of one-page text PDFs, for the sandbox's print forms.

The file is a real PDF 1.4 that any viewer opens: catalog, page tree, one A4 page, one
content stream of text in the standard Helvetica font, an info dictionary, a cross-reference
table with exact byte offsets, and a trailer. Text is limited to what WinAnsiEncoding can
show; any other character is written as ``?`` (print forms name their contents in ASCII).
"""

from __future__ import annotations

__all__ = ["build_pdf"]

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_FONT_SIZE = 12
_LEADING = 16
_MAX_LINES = (_PAGE_HEIGHT - 2 * _MARGIN) // _LEADING


def _pdf_string(text: str) -> bytes:
    """A PDF literal string: Latin-1 bytes, with ``\\``, ``(`` and ``)`` escaped."""
    raw = text.encode("latin-1", "replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped.replace(b"\r", b" ").replace(b"\n", b" ") + b")"


def _content_stream(title: str, lines: list[str]) -> bytes:
    shown = list(lines)
    if len(shown) > _MAX_LINES - 2:
        hidden = len(shown) - (_MAX_LINES - 3)
        shown = [*shown[: _MAX_LINES - 3], f"... and {hidden} more line(s)"]
    top = _PAGE_HEIGHT - _MARGIN
    parts = [
        b"BT",
        f"/F1 {_FONT_SIZE + 4} Tf".encode(),
        f"{_MARGIN} {top} Td".encode(),
        _pdf_string(title) + b" Tj",
        f"/F1 {_FONT_SIZE} Tf".encode(),
        f"{_LEADING} TL".encode(),
        b"T*",
    ]
    parts.extend(b"T* " + _pdf_string(line) + b" Tj" for line in shown)
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n"


def build_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing ``title`` in a larger size, then ``lines``, one per row.

    The result starts with ``%PDF-1.4`` and ends with ``%%EOF``; every xref entry holds the
    byte offset of its ``N 0 obj`` line. Lines that do not fit the page are summarised.
    """
    content = _content_stream(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _pdf_string(title) + b" /Producer (oint CDEK sandbox) >>",
    ]
    # The second line (bytes above 127) tells transfer tools the file is binary.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"  # each entry is exactly 20 bytes
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref_at}\n%%EOF"
    ).encode()
    return bytes(out)
