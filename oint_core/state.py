"""What a client keeps between its calls: its own HTTP session and each provider's state.

``oint_core.connect`` gives every client one ``ClientState``; each call of the client carries
it in its ``CallContext``. The HTTP layer sends the call's requests through the state's
session, and a provider's plumbing keeps what it remembers between calls (CDEK: its token
cache) in ``ctx.provider_state``, a dict of that client's own. So two clients in one process
share no connections, cookies or tokens. ``dispatch`` and the CLI carry no state: they use
the process-wide session and the providers' process-wide caches, as before.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    import requests


class ClientState:
    """One client's session (made on its first request) and per-provider dicts."""

    def __init__(self, owner: str = "client") -> None:
        #: How messages name the owner: ``cdek client``.
        self.owner = owner
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._providers: dict[str, dict[str, Any]] = {}
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise UsageError(f"this {self.owner} is closed; connect() a new one")

    def session(self) -> requests.Session:
        """The client's own session (connection pool and cookies)."""
        with self._lock:
            self._check_open()
            if self._session is None:
                from .http import new_session

                self._session = new_session()
            return self._session

    def provider(self, name: str) -> dict[str, Any]:
        """What ``name``'s plumbing keeps for this client (a token cache...)."""
        with self._lock:
            self._check_open()
            return self._providers.setdefault(name, {})

    def forget(self) -> None:
        """Forget every provider's state (tokens); the session and the client stay open."""
        with self._lock:
            self._providers.clear()

    def close(self) -> None:
        """Close the session and forget every provider's state; later calls are refused."""
        with self._lock:
            session, self._session = self._session, None
            self._providers.clear()
            self.closed = True
        if session is not None:
            session.close()

    def __repr__(self) -> str:
        how = "closed" if self.closed else "open"
        return f"<ClientState {self.owner} {how}>"
