"""Photo archives of orders' documents, and the bytes of one: a ZIP that is always the same
for the same orders."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

#: ZIP entries get this fixed timestamp, so one archive is always the same bytes.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class _PhotoArchive:
    """A ZIP of document photos, made at once by POST /v2/photoDocument."""

    uuid: str
    owner: str
    #: ``[{"order_uuid", "cdek_number"}]``, one photo each.
    orders: list[dict[str, str]]
    #: When it was made (sandbox time): the DOWNLOAD_PHOTO webhook's ``date_time``.
    created_at: datetime


def _placeholder_jpeg(text: str) -> bytes:
    """A tiny JPEG-named placeholder: start-of-image, one comment segment, end-of-image."""
    comment = text.encode("utf-8")[:1000]
    return b"\xff\xd8\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + b"\xff\xd9"


def _photo_zip(orders: list[dict[str, str]]) -> bytes:
    """The photo archive: ``{cdek_number}/photo_1.jpg`` per order, stored (not compressed)
    with a fixed timestamp, so the bytes depend on the orders only."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for ref in orders:
            info = zipfile.ZipInfo(f"{ref['cdek_number']}/photo_1.jpg", date_time=_ZIP_DATE_TIME)
            info.external_attr = 0o644 << 16
            text = f"CDEK sandbox photo of order {ref['cdek_number']} ({ref['order_uuid']})"
            archive.writestr(info, _placeholder_jpeg(text))
    return buffer.getvalue()
