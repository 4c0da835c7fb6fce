"""Testing an integration against the CDEK sandbox: what the ``cdek_sandbox`` fixture gives.

``oint_cdek.pytest_plugin`` (registered with pytest when oint is installed) starts one sandbox
per test with ``start_cdek_sandbox`` and hands the test a ``CdekSandbox``: where the sandbox
is, the account it accepts, a client, and the sandbox's control plane (its clock, an order's
journey, faults, the request log) as methods. Every control method is one call of a
documented ``/_sandbox/`` endpoint (docs/sandbox.md), so it behaves exactly as that endpoint
does. This module loads the sandbox (werkzeug); the plugin imports it only inside the fixture.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oint_cdek.api import BASE_URL_ENV
from oint_cdek.auth import ACCOUNT_ENV, PASSWORD_ENV, TOKEN_ENV, forget_token
from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox
from oint_core.paths import CACHE_DIR_ENV
from oint_core.profiles import CONFIG_ENV, PROFILE_ENV

if TYPE_CHECKING:
    from oint_cdek.client import CdekClient

__all__ = ["CdekSandbox", "start_cdek_sandbox"]

#: Settings of the user's that would steer calls away from the sandbox's account; oint reads
#: an empty variable as unset, so ``CdekSandbox.env`` gives them empty (the fixture unsets them).
_UNSET = (TOKEN_ENV, "OINT_CDEK_TESTAPI", PROFILE_ENV)

#: Seconds a control call may take (they answer at once; this only bounds a hung sandbox).
_CONTROL_TIMEOUT = 10.0
#: Control calls go straight to loopback, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class CdekSandbox:
    """A CDEK sandbox serving on a loopback port, and the account it accepts.

    ``base_url`` is what ``OINT_CDEK_BASE_URL`` is set to; ``account`` and ``password`` are
    CDEK's published test credentials (unless the sandbox was configured with other
    accounts); ``cache_dir`` is the private folder oint keeps tokens in meanwhile;
    ``running`` is the underlying ``RunningSandbox`` (its ``app.state`` holds everything).
    """

    def __init__(
        self, running: RunningSandbox, account: str, password: str, cache_dir: Path
    ) -> None:
        self.running = running
        self.account = account
        self.password = password
        self.cache_dir = cache_dir
        self._clients: list[CdekClient] = []
        self.base_url: str = running.base_url
        self.root_url: str = running.root_url

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point oint (in-process or an ``oint`` subprocess)
        at this sandbox, for ``env={**os.environ, **sandbox.env}``. ``OINT_CONFIG`` names a
        file that does not exist, so no profile of the user's config file (a production
        token, a default profile) is read; ``OINT_CDEK_TOKEN``, ``OINT_CDEK_TESTAPI`` and
        ``OINT_PROFILE`` are empty, which oint reads as unset (the fixture unsets them)."""
        return {
            BASE_URL_ENV: self.base_url,
            ACCOUNT_ENV: self.account,
            PASSWORD_ENV: self.password,
            CACHE_DIR_ENV: str(self.cache_dir),
            CONFIG_ENV: str(self.cache_dir / "no-config.toml"),
            **dict.fromkeys(_UNSET, ""),
        }

    def client(self) -> CdekClient:
        """A client connected to this sandbox (``oint_core.connect``) with its account:
        ``client.create_order(...)``, ``client.call("CreateOrder", ...)``. Its address and
        account are its own, so it reaches this sandbox whatever the environment later
        says (never CDEK itself); it is closed when the sandbox stops."""
        import oint_core

        client = oint_core.connect(
            "cdek",
            account=self.account,
            password=self.password,
            base_url=self.base_url,
            token="",  # the account's own tokens, never an OINT_CDEK_TOKEN around
            testapi=False,
        )
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        """Close the clients ``client()`` made (the fixture does this after the test)."""
        for client in self._clients:
            client.close()
        self._clients.clear()

    # -- the control plane: one documented /_sandbox/ endpoint each ---------------------------

    def advance(self, seconds: float) -> datetime:
        """Move the sandbox's clock on by ``seconds``: accepted writes due by then are
        processed (2 s after they arrive, by default), tokens older than their lifetime
        expire. Returns the sandbox's new time. ``POST /_sandbox/advance``."""
        answer = self._control("POST", "/advance", {"seconds": seconds})
        return datetime.strptime(answer["now"], "%Y-%m-%dT%H:%M:%S%z")

    def move_order(self, order_uuid: str, to: str) -> dict[str, Any]:
        """Move a created order along CDEK's status sequence up to ``to`` (for example
        ``"ACCEPTED_AT_PICK_UP_POINT"`` or ``"DELIVERED"``), as CDEK's warehouses would;
        returns the order's envelope. ``LookupError`` for an unknown order, ``ValueError``
        when ``to`` is not ahead on its way or its CREATE is not processed yet (``advance``
        first). ``POST /_sandbox/orders/{uuid}/journey``."""
        answer: dict[str, Any] = self._control("POST", f"/orders/{order_uuid}/journey", {"to": to})
        return answer

    def push_status(
        self,
        order_uuid: str,
        code: str,
        *,
        reason_code: str | int | None = None,
        city: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Push one status (any of CDEK's codes) onto a created order; its envelope.
        ``POST /_sandbox/orders/{uuid}/status``."""
        body: dict[str, Any] = {"code": code}
        extras = {"reason_code": reason_code, "city": city, "name": name}
        body.update({key: value for key, value in extras.items() if value is not None})
        answer: dict[str, Any] = self._control("POST", f"/orders/{order_uuid}/status", body)
        return answer

    def inject_fault(
        self,
        kind: str,
        *,
        path: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 1.0,
    ) -> dict[str, Any]:
        """Make the next ``count`` CDEK requests whose path matches the regex ``path`` (every
        path when None) fail with ``kind``: ``http_500``, ``http_502``, ``http_503``,
        ``http_429`` (with ``Retry-After: retry_after``), ``delay`` (``seconds``), ``drop``,
        ``malformed_json`` or ``empty``. Returns the queued fault; ``ValueError`` for a bad
        one. ``POST /_sandbox/faults``."""
        body: dict[str, Any] = {
            "kind": kind,
            "count": count,
            "retry_after": retry_after,
            "seconds": seconds,
        }
        if path is not None:
            body["path"] = path
        answer: dict[str, Any] = self._control("POST", "/faults", body)
        return answer

    def faults(self) -> list[dict[str, Any]]:
        """The faults still queued. ``GET /_sandbox/faults``."""
        answer: list[dict[str, Any]] = self._control("GET", "/faults")
        return answer

    def clear_faults(self) -> int:
        """Drop every queued fault; how many there were. ``DELETE /_sandbox/faults``."""
        return int(self._control("DELETE", "/faults")["cleared"])

    def requests(self) -> list[dict[str, Any]]:
        """Every CDEK (``/v2``) request the sandbox saw, oldest first: ``{"direction": "in",
        "method", "path", "query", "status", "fault", "account"}`` (secrets in the query
        masked; ``account``: whose token or credentials the request carried), and every
        webhook delivery attempt it made (``"direction": "out"``, see ``deliveries``).
        ``GET /_sandbox/requests``."""
        answer: list[dict[str, Any]] = self._control("GET", "/requests")
        return answer

    def clear_requests(self) -> int:
        """Empty the request log; how many entries it had. ``DELETE /_sandbox/requests``."""
        return int(self._control("DELETE", "/requests")["cleared"])

    # -- webhooks ---------------------------------------------------------------------------

    def trigger_webhook(self, type: str, uuid: str, **attributes: Any) -> dict[str, Any]:
        """Send a webhook event of ``type`` (one of CDEK's 11) about the entity ``uuid`` (an
        order, print form, prealert, intake, delivery agreement, photo archive or office,
        as the type is about) to the account's matching subscriptions, built from the
        entity's state; ``attributes`` override the attributes built. Returns ``{"events":
        [...], "deliveries": n}``; ``LookupError`` for an unknown entity, ``ValueError`` when
        its state has no such event. ``POST /_sandbox/webhooks/trigger``."""
        body = {"type": type, "uuid": uuid, "attributes": attributes}
        answer: dict[str, Any] = self._control("POST", "/webhooks/trigger", body)
        return answer

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until every queued webhook delivery is done (delivered, given up, refused);
        False if ``timeout`` seconds passed first. ``POST /_sandbox/webhooks/wait``."""
        answer = self._control("POST", "/webhooks/wait", {"timeout": timeout}, timeout + 5)
        return bool(answer["idle"])

    def deliveries(self, *, wait: float | None = 10.0) -> list[dict[str, Any]]:
        """The webhook delivery attempts, oldest first, after waiting (up to ``wait``
        seconds; None: not at all) for the queued ones: the request log's entries with
        ``"direction": "out"``: ``url`` (query values masked), ``type`` and ``uuid`` of the
        event, ``attempt`` (1, 2...), ``status``, ``outcome`` (``delivered``, ``retrying``,
        ``failed``, ``gave_up``, ``refused``) and ``error``."""
        if wait is not None:
            self.wait_for_webhooks(wait)
        return [entry for entry in self.requests() if entry.get("direction") == "out"]

    def webhooks(self) -> list[dict[str, Any]]:
        """Every account's webhook subscriptions, active and disabled (``state``,
        ``disabled_at``, ``disabled_reason``). ``GET /_sandbox/webhooks``."""
        answer: list[dict[str, Any]] = self._control("GET", "/webhooks")
        return answer

    def reset(self) -> None:
        """Forget everything: orders, tokens, faults, the request log, the clock's offset.
        ``POST /_sandbox/reset``."""
        self._control("POST", "/reset")
        forget_token(self.account, self.base_url)  # the sandbox no longer knows it
        for client in self._clients:  # nor the tokens its clients hold
            client.forget_tokens()

    def _control(
        self, verb: str, path: str, body: Any = None, timeout: float = _CONTROL_TIMEOUT
    ) -> Any:
        """One control call; its JSON answer. 404 is ``LookupError``, any other refusal
        ``ValueError``, both with the sandbox's reason."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.root_url}/_sandbox{path}", data=data, method=verb)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                reason = json.loads(exc.read()).get("error", exc.reason)
            except (ValueError, AttributeError):
                reason = exc.reason
            finally:
                exc.close()
            error = LookupError if exc.code == 404 else ValueError
            raise error(f"{verb} /_sandbox{path}: {reason}") from None

    def __repr__(self) -> str:
        return f"<CdekSandbox {self.base_url} account={self.account}>"


@contextlib.contextmanager
def start_cdek_sandbox(cache_dir: Path, **settings: Any) -> Iterator[CdekSandbox]:
    """Serve a fresh sandbox on a free loopback port for the block; ``settings`` are
    ``SandboxConfig`` fields (``processing_delay``, ``seed``, ``accounts``, ``token_ttl``...).
    The environment is left alone: ``CdekSandbox.env`` says what to set (the fixture sets it).
    """
    config = SandboxConfig(**settings)
    if not config.accounts:
        raise ValueError("the sandbox needs at least one account")
    account, password = next(iter(config.accounts.items()))
    with start_sandbox(config, host="127.0.0.1", port=0) as running:
        sandbox = CdekSandbox(running, account, password, cache_dir)
        # A token held for an earlier sandbox on the same port would be refused here.
        forget_token(account, sandbox.base_url)
        try:
            yield sandbox
        finally:
            sandbox.close_clients()
            forget_token(account, sandbox.base_url)
