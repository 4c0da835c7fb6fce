"""The ``cdek_sandbox`` pytest fixture: a CDEK sandbox for one test, and oint pointed at it.

Installing oint registers this module with pytest (entry point group ``pytest11``), so any
test of yours can ask for it::

    def test_refusal(cdek_sandbox):
        cdek = cdek_sandbox.client()
        order = cdek.call("CreateOrder", order_description={...}, online_store=True)
        ...

For the test's duration ``OINT_CDEK_BASE_URL``, ``OINT_CDEK_ACCOUNT`` and
``OINT_CDEK_PASSWORD`` point at the sandbox and its test account, ``OINT_CACHE_DIR`` at a
private folder (tokens never land in your own cache), ``OINT_CONFIG`` at a file that does not
exist there (your config.toml's profiles are not read), and ``OINT_CDEK_TOKEN``,
``OINT_CDEK_TESTAPI`` and ``OINT_PROFILE`` are unset; all are restored afterwards. ``oint``
subprocesses and ``oint_core.dispatch`` both reach it. The marker
``@pytest.mark.cdek_sandbox(processing_delay=0, seed=1, ...)`` configures the sandbox
(``SandboxConfig``'s fields). The handle is ``oint_cdek.testing.CdekSandbox``; see
docs/sandbox.md, "Testing your integration".

pytest imports this module in every session of every project once oint is installed, so it
imports nothing heavy: the sandbox (werkzeug) loads only when a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from oint_cdek.testing import CdekSandbox

__all__ = ["cdek_sandbox"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cdek_sandbox(**settings): configure the cdek_sandbox fixture's sandbox with"
        " oint_cdek.sandbox.SandboxConfig fields, e.g. processing_delay=0, seed=1",
    )


@pytest.fixture
def cdek_sandbox(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CdekSandbox]:
    """A fresh CDEK sandbox on a free loopback port, with oint's environment pointed at it
    (and restored afterwards); an ``oint_cdek.testing.CdekSandbox``: ``.base_url``,
    ``.account``, ``.password``, ``.client().call(method, **params)``, ``.advance(seconds)``,
    ``.move_order(uuid, to)``, ``.inject_fault(kind, path=...)``, ``.requests()``..."""
    from oint_cdek.testing import start_cdek_sandbox

    marker = request.node.get_closest_marker("cdek_sandbox")
    settings = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise pytest.UsageError("@pytest.mark.cdek_sandbox takes keyword settings only")
    cache_dir = tmp_path_factory.mktemp("oint-cache")
    with start_cdek_sandbox(cache_dir, **settings) as sandbox:
        for name, value in sandbox.env.items():
            if value:
                monkeypatch.setenv(name, value)
            else:  # a token, testapi or profile of yours would be used instead
                monkeypatch.delenv(name, raising=False)
        yield sandbox
