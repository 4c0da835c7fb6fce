"""Tokens that manage themselves.

OPI makes every caller run GetToken and pass the token to each call. Here a method given no
token (no ``--token``, no ``OINT_CDEK_TOKEN``) uses account credentials instead, from
``use_credentials()`` or ``OINT_CDEK_ACCOUNT``/``OINT_CDEK_PASSWORD``, and the token they
give is cached until shortly before it expires:

- in memory, behind one lock per account and API root, so concurrent calls fetch one token:
  for ``dispatch`` and the CLI in a process-wide store, for a client (``oint_core.connect``)
  in a store of that client's own, so two clients never use each other's tokens;
- for the CLI also in a file in the user's cache directory (``oint_core.paths``, so
  ``XDG_CACHE_HOME`` is honoured), readable by its owner only, so consecutive ``oint``
  commands reuse it.

A cached token that CDEK calls expired or incorrect is replaced once and the call repeated
once; a token the caller gave is never replaced behind their back.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from oint_core import ApiError, TransportError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from oint_core import CallContext

ACCOUNT_ENV = "OINT_CDEK_ACCOUNT"
PASSWORD_ENV = "OINT_CDEK_PASSWORD"
TOKEN_ENV = "OINT_CDEK_TOKEN"
# A token is not used in its last minute (or last tenth of its life, if shorter), so a call
# never starts with a token that expires on the way.
EXPIRY_MARGIN = 60.0
STALE_TOKEN_CODES = frozenset({"v2_token_expired", "v2_authorization_incorrect"})


class Credentials(NamedTuple):
    account: str
    password: str

    def __repr__(self) -> str:  # never the password, wherever a record gets printed
        return f"Credentials(account={self.account!r}, password='***')"


class CachedToken(NamedTuple):
    access_token: str
    expires_at: float  # wall-clock seconds (time.time()), so it survives across processes

    def __repr__(self) -> str:
        return f"CachedToken(access_token='***', expires_at={self.expires_at!r})"

    def fresh(self) -> bool:
        return time.time() < self.expires_at


class TokenStore:
    """Tokens in memory by ``cache_key``, and one lock per key so that concurrent calls of
    one account fetch one token."""

    def __init__(self) -> None:
        self.memory: dict[str, CachedToken] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(key, threading.Lock())

    def __repr__(self) -> str:
        return f"<TokenStore of {len(self.memory)} token(s)>"


#: The process-wide store, for ``dispatch`` and the CLI; a client keeps its own in its
#: ``ctx.provider_state`` (see ``_store``).
_process = TokenStore()
_memory = _process.memory
_locks_guard = _process.guard
_configured: Credentials | None = None


def use_credentials(account: str, password: str) -> None:
    """Give ``dispatch`` CDEK credentials once, for the whole process; calls without a token
    then fetch their own. A client (``oint_core.connect("cdek", account=..., password=...)``)
    holds its own credentials and tokens instead, and never reads these."""
    global _configured
    if not account or not password:
        raise UsageError("use_credentials: account and password must both be given")
    _configured = Credentials(account, password)


def forget_tokens() -> None:
    """Drop every token held in the process-wide store (the file cache and clients' own
    stores are left alone)."""
    with _locks_guard:
        _memory.clear()


def forget_token(account: str, root: str) -> None:
    """Drop the token held in the process-wide store for ``account`` at the API root
    ``root`` (a sandbox that is going away, whose port the next one may get)."""
    key = cache_key(account, root.rstrip("/"))
    with _locks_guard:
        _memory.pop(key, None)


def _store(ctx: CallContext) -> TokenStore:
    """The call's client's token store, or the process-wide one for ``dispatch``/the CLI."""
    state = ctx.provider_state
    if state is None:
        return _process
    store = state.get("tokens")
    if not isinstance(store, TokenStore):
        store = state.setdefault("tokens", TokenStore())  # atomic: one store per client
    return store


def _credentials(ctx: CallContext) -> Credentials | None:
    account, password = ctx.env(ACCOUNT_ENV), ctx.env(PASSWORD_ENV)
    if account and password:
        return Credentials(account, password)
    # A client is bound to its own account: it never falls back to use_credentials().
    return _configured if ctx.client_state is None else None


def cache_key(account: str, root: str) -> str:
    """Tokens are per account and per API root (production, edu, a sandbox)."""
    import hashlib  # OpenSSL-backed: loaded only when a token is managed

    return hashlib.sha256(f"{account}\0{root}".encode()).hexdigest()[:32]


def token_file(key: str) -> Path | None:
    """Where the CLI keeps a token, or None when the user has no cache folder (then tokens
    live in memory only)."""
    from pathlib import Path

    from oint_core.paths import user_cache_dir

    folder = user_cache_dir()
    return None if folder is None else Path(folder) / "cdek" / f"{key}.json"


#: A token file holds one JWT and a time; anything larger is not one of ours.
MAX_TOKEN_FILE = 64 * 1024
#: What a bearer token can be: printable ASCII without spaces (the core refuses anything
#: else in a header).
_TOKEN_TEXT = re.compile(r"[\x21-\x7e]+")


def _read_file(key: str) -> CachedToken | None:
    """The cached token, or None when the file is absent, damaged or unsafe (a symlink, a
    FIFO, a device, someone else's, readable by others, too large): a miss, never an error;
    the next token fetched replaces it."""
    from oint_core.safefile import read_private

    path = token_file(key)
    if path is None:
        return None
    data = read_private(path, MAX_TOKEN_FILE, secret=True)
    if data is None:
        return None
    try:
        record = json.loads(data)
        token = CachedToken(str(record["access_token"]), float(record["expires_at"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    usable = _usable(token.access_token) and math.isfinite(token.expires_at)
    return token if usable else None  # a damaged or planted token is a cache miss


def _usable(token: object) -> bool:
    """Whether ``token`` can go in an Authorization header as it is."""
    return isinstance(token, str) and bool(_TOKEN_TEXT.fullmatch(token))


def _write_file(key: str, token: CachedToken) -> None:
    from oint_core.safefile import write_private

    path = token_file(key)
    if path is None:
        return
    record = {"access_token": token.access_token, "expires_at": token.expires_at}
    # A read-only home must not break the call: the token is simply not reused.
    with contextlib.suppress(OSError):
        write_private(path, json.dumps(record).encode("utf-8"))


@contextlib.contextmanager
def _held(ctx: CallContext, store: TokenStore, key: str) -> Iterator[None]:
    """The account's lock, waited for no longer than the call's deadline (another thread
    may be fetching the token from a slow server under a longer one)."""
    lock = store.lock(key)
    if not lock.acquire(timeout=max(0.0, ctx.http.time_left())):
        raise TransportError(
            "the call's deadline passed while another call was fetching the CDEK token;"
            f" {ctx.http.nothing_sent()} (raise --timeout)"
        )
    try:
        yield
    finally:
        lock.release()


def request_token(ctx: CallContext, root: str, credentials: Credentials) -> dict[str, Any]:
    """``POST {root}/oauth/token``, CDEK's client-credentials grant, as a form body."""
    ctx.redactor.add(credentials.password)
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.account,
        "client_secret": credentials.password,
    }
    # A token request changes nothing: its failure is never "a write that may have been done".
    answer = ctx.http.request("POST", f"{root}/oauth/token", form=form, changes=False)
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise ApiError(
            "CDEK answered the token request without an access_token", status=200, body=answer
        )
    ctx.redactor.add(str(answer["access_token"]))
    if not _usable(answer["access_token"]):  # never cached, never sent as a header
        raise ApiError(
            "CDEK answered the token request with a malformed access_token (spaces, control"
            " or non-ASCII characters)",
            status=200,
            body=ctx.redactor.value(answer),
        )
    return answer


def _managed_token(
    ctx: CallContext, root: str, credentials: Credentials, rejected: str | None = None
) -> str:
    """The cached token, or a new one; ``rejected`` is a token CDEK just refused.

    Under the lock, a token other than ``rejected`` is used as it is: when several threads
    are refused the same stale token at once, the first renews it and the rest reuse that.
    """
    key = cache_key(credentials.account, root)
    persistent = ctx.style == "cli"
    store = _store(ctx)
    with _held(ctx, store, key):
        cached = store.memory.get(key) or (_read_file(key) if persistent else None)
        if cached is not None and cached.fresh() and cached.access_token != rejected:
            store.memory[key] = cached
            ctx.redactor.add(cached.access_token)
            return cached.access_token
        answer = request_token(ctx, root, credentials)
        lifetime = float(answer.get("expires_in") or 0)
        margin = min(EXPIRY_MARGIN, lifetime / 10)
        token = CachedToken(str(answer["access_token"]), time.time() + lifetime - margin)
        store.memory[key] = token
        if persistent:
            _write_file(key, token)
        return token.access_token


def with_token(ctx: CallContext, token: str | None, root: str, send: Callable[[str], Any]) -> Any:
    """Call ``send(bearer)`` with the given token, or with a managed one.

    A managed token that CDEK rejects as expired or incorrect is renewed once and the
    request sent once more (the rejected request was not processed, so this repeats nothing).
    """
    if token:
        return send(token)
    credentials = _credentials(ctx)
    if credentials is None:
        if ctx.client_state is not None:
            raise UsageError(
                "no CDEK token: connect the client with token=..., or with account=... and"
                f" password=... so it gets one itself (or set {TOKEN_ENV}, or {ACCOUNT_ENV}"
                f" and {PASSWORD_ENV}, or put them in the client's profile)",
                option="--token",
            )
        given = "--token" if ctx.style == "cli" else "token=..., or call use_credentials()"
        raise UsageError(
            f"no CDEK token: give {given}, or set {TOKEN_ENV}, or set {ACCOUNT_ENV}"
            f" and {PASSWORD_ENV} so oint gets one itself",
            option="--token",
        )
    if ctx.http.dry_run:  # --test: no token is fetched (nor read); the header shows Bearer ***
        from oint_core.dryrun import PLACEHOLDER_BEARER

        return send(PLACEHOLDER_BEARER)
    bearer = _managed_token(ctx, root, credentials)
    try:
        return send(bearer)
    except ApiError as exc:
        if exc.status != 401 or not STALE_TOKEN_CODES.intersection(exc.codes):
            raise
    return send(_managed_token(ctx, root, credentials, rejected=bearer))
