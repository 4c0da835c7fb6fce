"""dispatch from many threads: one shared session, one token fetch, no errors."""

from __future__ import annotations

import threading

import pytest

import oint_core
from oint_cdek import use_credentials
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox

from .conftest import REPO_ORDER, token_fetches

THREADS, CALLS = 8, 100


def test_eight_threads_times_a_hundred_calls(sandbox: RunningSandbox, monkeypatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    use_credentials(TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    order = oint_core.dispatch("cdek", "CreateOrder", order_description=REPO_ORDER)
    uuid = order["entity"]["uuid"]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    answers: list[str] = []

    def worker() -> None:
        start.wait()  # every thread asks for a token at the same moment
        for _ in range(CALLS):
            try:
                answers.append(oint_core.dispatch("cdek", "GetOrder", uuid=uuid)["entity"]["uuid"])
            except BaseException as exc:  # noqa: BLE001 - every failure counts
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert answers == [uuid] * (THREADS * CALLS)
    assert token_fetches(sandbox) == 1


@pytest.mark.parametrize("threads", [8])
def test_the_session_is_shared(threads: int) -> None:
    from oint_core.http import get_session

    seen: list[object] = []
    workers = [threading.Thread(target=lambda: seen.append(get_session())) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({id(s) for s in seen}) == 1
