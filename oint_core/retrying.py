"""The urllib3 side of the retry policy, loaded with the network stack on the first request.

``http.retry_policy`` decides what is retried; this module holds the two classes that make
urllib3 and requests apply it: a ``Retry`` that starts no attempt after the call's deadline,
and an adapter that takes each request's policy from a context variable (requests fixes
retries per adapter, while one session serves reads and writes with per-call deadlines).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from .guarded import POOL_CLASSES

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.poolmanager import ProxyManager
    from urllib3.response import BaseHTTPResponse

# The policy of the request being sent on this thread (set around each send).
current_policy: contextvars.ContextVar[Retry] = contextvars.ContextVar("oint_retry_policy")
NO_RETRIES = Retry(0, read=False)


class DeadlineRetry(Retry):
    """A Retry that starts no attempt after the call's deadline (``time.monotonic``)."""

    def __init__(
        self,
        *args: Any,
        deadline: float,
        on_retry: Callable[[str], None] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.deadline = deadline
        self.on_retry = on_retry

    def new(self, **kw: Any) -> DeadlineRetry:
        return super().new(**{"deadline": self.deadline, "on_retry": self.on_retry, **kw})

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> DeadlineRetry:
        following = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = following.get_backoff_time()
        if response is not None and self.respect_retry_after_header:
            wait = following.get_retry_after(response) or wait
        if time.monotonic() + wait >= self.deadline:
            reason = error or ResponseError(f"deadline reached; next try was in {wait:.1f} s")
            # urllib3's own increment passes on the pool it was given, None included.
            raise MaxRetryError(cast("ConnectionPool", _pool), url, reason)
        if self.on_retry is not None:
            cause = f"status {response.status}" if response is not None else type(error).__name__
            self.on_retry(f"< {cause}; retry {len(following.history)} in {wait:.1f} s")
        return following


class PolicyAdapter(HTTPAdapter):
    """An HTTPAdapter whose retries are the policy of the request being sent, and whose
    connections the call's deadline can cut (``guarded``)."""

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **kw: Any) -> ProxyManager:
        manager: ProxyManager = super().proxy_manager_for(proxy, **kw)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are urllib3's own
            manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    @property
    def max_retries(self) -> Retry:
        return current_policy.get(NO_RETRIES)

    @max_retries.setter
    def max_retries(self, value: Any) -> None:
        pass  # HTTPAdapter.__init__ assigns one; ours comes with each request
