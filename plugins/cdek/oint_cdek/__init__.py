"""The CDEK provider for oint (CDEK REST API v2), found through the ``oint.plugins`` entry point.

Library users who want oint to manage tokens can give their credentials once::

    from oint_cdek import use_credentials
    use_credentials(account, password)

and walk a paged list without holding it all::

    from oint_cdek import iter_pages
    for office in iter_pages("GetOfficeList", filter={"city_code": 270}):
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def use_credentials(account: str, password: str) -> None:
    """Give CDEK account credentials once; calls without a token then get and cache one."""
    from .auth import use_credentials as _use

    _use(account, password)


def iter_pages(method: str, /, **params: Any) -> Iterator[Any]:
    """Yield the items of a paged list (GetRegionsList, GetCitiesList, GetOfficeList)."""
    from .paging import iter_pages as _iter

    return _iter(method, **params)


def __getattr__(name: str) -> Any:  # keeps ``import oint_cdek`` free of work at start-up
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
