"""All pages of CDEK's paged lists: ``page`` from 0 until an empty page (CDEK gives no total)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import count
from typing import TYPE_CHECKING, Any

from oint_core import ApiError

if TYPE_CHECKING:
    from oint_core import CallContext

PAGE_SIZE = 1000
MAX_PAGES = 10_000  # a server that ignores ``page`` must not keep us looping forever


def walk_pages(fetch: Callable[[int], Any]) -> Iterator[Any]:
    """Yield the items of page 0, 1, 2, … as they arrive, holding one page at a time."""
    previous: Any = None
    for page in count():
        items = fetch(page)
        if not isinstance(items, list):
            raise ApiError(f"page {page} of a list is not a JSON array", status=200, body=items)
        if not items:
            return
        if items == previous:
            raise ApiError(
                f"the server returned page {page} like the one before: it ignores paging",
                status=200,
                body=items,
            )
        if page >= MAX_PAGES:
            raise ApiError(f"more than {MAX_PAGES} pages: stopped", status=200, body=None)
        yield from items
        previous = items


def paged_list(ctx: CallContext, path: str, values: Mapping[str, Any], all: bool) -> Any:
    """GET ``path`` with ``values`` as its query (a filter's keys are query parameters);
    with ``all``, every page from 0, with an explicit ``size`` (without one CDEK may ignore
    ``page``): the one given, else ``PAGE_SIZE``."""
    from .api import call, query

    def fetch(page_values: Mapping[str, Any]) -> Any:
        return call(ctx, "GET", path, params=query(page_values))

    if not all:
        return fetch(values)
    size = values.get("size") or PAGE_SIZE
    read = 0

    def fetch_page(page: int) -> Any:
        nonlocal read
        ctx.progress(f"reading {path}: page {page} ({read:,} items so far)")
        items = fetch({**values, "page": page, "size": size})
        read += len(items) if isinstance(items, list) else 0
        return items

    return list(walk_pages(fetch_page))


def iter_pages(method: str, /, **params: Any) -> Iterator[Any]:
    """Yield the items of a paged CDEK list, page by page, without holding them all.

    >>> for city in iter_pages("GetCitiesList", filter={"country_codes": "RU"}):
    ...     ...

    ``method`` is GetRegionsList, GetCitiesList or GetOfficeList (any spelling ``dispatch``
    accepts); the other keywords are the method's, as for ``dispatch``. Pages are asked for
    exactly as ``--all`` asks: ``page`` from 0 with an explicit ``size``.
    """
    from oint_core import UsageError, dispatch
    from oint_core.coerce import coerce
    from oint_core.registry import default_registry

    found = default_registry().method("cdek", method)
    if found.name not in PAGED:
        raise UsageError(f"{method} is not a paged list (paged: {', '.join(sorted(PAGED))})")
    if params.get("all"):
        raise UsageError("iter_pages walks the pages itself; do not pass all=True")
    if "filter" not in {p.keyword for p in found.params}:
        size = params.pop("size", None) or PAGE_SIZE
        return walk_pages(
            lambda page: dispatch("cdek", found.name, **{**params, "page": page, "size": size})
        )
    given = params.pop("filter", None)
    base = coerce(found.param("filter"), given, label="filter") if given is not None else {}
    size = base.get("size", PAGE_SIZE)
    return walk_pages(
        lambda page: dispatch(
            "cdek", found.name, filter={**base, "page": page, "size": size}, **params
        )
    )


PAGED = frozenset({"GetRegionsList", "GetCitiesList", "GetOfficeList"})
