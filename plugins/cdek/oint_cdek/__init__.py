"""The CDEK provider for oint (CDEK REST API v2), found through the ``oint.plugins`` entry point.

Library users work through a client, bound to one account, which fetches and caches its own
tokens::

    import oint_core
    with oint_core.connect("cdek", account=ACCOUNT, password=PASSWORD) as cdek:
        cdek.get_order(uuid=ORDER_UUID)

(``use_credentials(account, password)`` still gives ``dispatch`` credentials for the whole
process.)

and walk a paged list without holding it all::

    from oint_cdek import iter_pages
    for office in iter_pages("GetOfficeList", filter={"city_code": 270}):
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def use_credentials(account: str, password: str) -> None:
    """Give ``dispatch`` CDEK account credentials once, for the whole process; calls without a
    token then get and cache one.

    Prefer a client, bound to one account with tokens and connections of its own (two
    accounts, or test and production, in one process never mix)::

        cdek = oint_core.connect("cdek", account=ACCOUNT, password=PASSWORD, testapi=True)
        cdek.create_refusal(uuid=ORDER_UUID)

    Clients never read what is given here.
    """
    from .auth import use_credentials as _use

    _use(account, password)


def iter_pages(method: str, /, **params: Any) -> Iterator[Any]:
    """Yield the items of a paged list (GetRegionsList, GetCitiesList, GetOfficeList)."""
    from .paging import iter_pages as _iter

    return _iter(method, **params)


def __getattr__(name: str) -> Any:  # keeps ``import oint_cdek`` free of work at start-up
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
