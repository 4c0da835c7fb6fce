"""Running the CDEK sandbox: in a background thread for tests, or in the foreground for people.

Both use werkzeug's threaded development server: the sandbox is a local test double, never a
production service, and the dev server exposes the socket the "drop" fault needs.

From a shell::

    python3 -m oint_cdek.sandbox.server --port 8080
    # prints OINT_CDEK_BASE_URL=http://127.0.0.1:8080/v2, then serves until Ctrl-C / SIGTERM
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType, TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import SandboxApp, SandboxConfig, create_app
from .config import DEFAULT_PROCESSING_DELAY
from .models.journey import move_along

__all__ = ["RunningSandbox", "main", "serve", "start_sandbox"]

# How often the serving loop looks for a shutdown request; short so stop() is quick.
_POLL_INTERVAL = 0.05


class _QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request: the sandbox's own /_sandbox/requests is the log.

    Errors (a crash inside the app) are still reported, since those are bugs worth seeing.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class RunningSandbox:
    """A sandbox serving on a real socket in a daemon thread; ``stop()`` (or ``with``) ends it."""

    def __init__(self, server: BaseWSGIServer, app: SandboxApp) -> None:
        self._server = server
        self.app = app
        self.host: str = server.host
        self.port: int = server.port
        # A wildcard address is not something a client can connect to.
        connect_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(
            self.host, self.host
        )
        if ":" in connect_host:
            connect_host = f"[{connect_host}]"
        self.root_url = f"http://{connect_host}:{self.port}"
        self.base_url = f"{self.root_url}/v2"
        app.state.root_url = self.root_url  # the root of links in webhook events
        self._stopped = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"cdek-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def config(self) -> SandboxConfig:
        return self.app.config

    def move_order(self, order_uuid: str, to: str) -> dict[str, Any]:
        """Move an order along CDEK's status sequence up to status ``to`` (for example
        ``ACCEPTED_AT_PICK_UP_POINT``), as CDEK's warehouses would; the order's envelope.
        The same as ``POST /_sandbox/orders/{uuid}/journey {"to": ...}``. Raises
        ``LookupError`` for an unknown order and ``ValueError`` when ``to`` is not ahead on
        the order's way (or its CREATE is not done)."""
        state = self.app.state
        with state.lock:
            now = state.settled_now()
            order = state.created_order(order_uuid)
            move_along(order, to, now)
            state.publish_events()
            return order.envelope()

    def stop(self) -> None:
        """Stop serving and release the port; safe to call more than once."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        self.app.state.outbox.stop()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<RunningSandbox {self.base_url} {state}>"


def start_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Serve a fresh sandbox in the background; ``port=0`` lets the OS pick a free port."""
    app = create_app(config)
    _check_bindable(host, port)
    try:
        server = make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler)
    except SystemExit as exc:  # werkzeug exits the process when it cannot bind
        raise OSError(f"cannot listen on {host}:{port}") from exc
    return RunningSandbox(server, app)


def _check_bindable(host: str, port: int) -> None:
    """Raise ``OSError`` naming the address when it cannot be bound: werkzeug would print its
    own line and exit the process instead."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    config: SandboxConfig | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM, then shut down cleanly and return.

    The first thing announced is ``OINT_CDEK_BASE_URL=<base url>`` with the real port, so a
    script that asked for port 0 can read where to connect from the first line of output.
    """
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous: dict[int, Any] = {}
    running: RunningSandbox | None = None
    try:
        # Signal handlers can only be installed from the main thread; elsewhere the caller
        # owns stopping. Installed before announcing, so a SIGTERM sent as soon as the URL
        # is read is always a clean stop.
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.signal(signum, request_stop)
        running = start_sandbox(config, host, port)
        announce(f"OINT_CDEK_BASE_URL={running.base_url}")
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()  # the announcement must reach a pipe before any request
        while not stop_requested.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if running is not None:
            running.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m oint_cdek.sandbox.server``: serve a sandbox from the command line."""
    parser = argparse.ArgumentParser(
        prog="python3 -m oint_cdek.sandbox.server",
        description="Serve a local emulator of the CDEK API v2.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument(
        "--processing-delay", type=float, default=DEFAULT_PROCESSING_DELAY, metavar="SECONDS"
    )
    parser.add_argument("--token-ttl", type=int, default=3599, metavar="SECONDS")
    parser.add_argument("--seed", type=int, default=None, help="deterministic ids and tokens")
    args = parser.parse_args(argv)
    config = SandboxConfig(
        processing_delay=args.processing_delay, token_ttl=args.token_ttl, seed=args.seed
    )
    serve(args.host, args.port, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
