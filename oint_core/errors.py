"""The error hierarchy, and the exit code each kind of failure maps to.

The library raises these; only the CLI turns them into exit codes. Every message is
one line and never carries a secret (callers pass text through the redactor first).
"""

from __future__ import annotations

from typing import Any, Literal

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3

#: What a failed call did at the service: "no" request went out; "yes", requests went out and
#: every write among them was refused; "unknown", a write went out and may have been processed.
Sent = Literal["no", "yes", "unknown"]


class OintError(Exception):
    """Base of everything oint raises on purpose."""

    exit_code: int = EXIT_API
    #: Set by the dispatcher on the errors of a call (see ``Sent``); "no" for the others.
    sent: Sent = "no"


class UsageError(OintError):
    """The caller asked for something that cannot be sent: nothing went to the network."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class ApiError(OintError):
    """The service answered with an error status.

    ``body`` is the parsed JSON when the body was JSON, otherwise the raw text;
    ``errors`` is the flat list of the service's error objects (CDEK: ``{"code", "message"}``).
    """

    exit_code = EXIT_API

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.errors = errors or []

    @property
    def codes(self) -> list[str]:
        return [str(e.get("code")) for e in self.errors if isinstance(e, dict) and e.get("code")]


class TransportError(OintError):
    """The exchange itself failed: DNS, refused connection, TLS, timeout, unreadable body."""

    exit_code = EXIT_TRANSPORT

    def __init__(self, message: str, *, host: str | None = None) -> None:
        super().__init__(message)
        self.host = host


class OutputError(OintError):
    """The call succeeded, but its result could not be written (standard output or
    ``--out``): a full disk, a closed pipe. Only the CLI raises it; ``errno`` is the
    failed write's (``errno.EPIPE`` for a reader that closed its end)."""

    exit_code = EXIT_TRANSPORT

    def __init__(self, message: str, *, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class PluginError(OintError):
    """A plugin could not be loaded or described itself wrongly."""

    exit_code = EXIT_API


class InternalError(OintError):
    """A method failed in a way its author did not foresee (a bug); the cause is chained."""

    exit_code = EXIT_API


def interrupted(error: BaseException) -> bool:
    """Whether ``error`` stands for a Ctrl-C: Python wraps one that lands while a class is
    being created during an import (``RuntimeError: Error calling __set_name__ …``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def one_line(text: str) -> str:
    """``text`` as the one line oint prints for an error: every run of whitespace (line
    breaks included) becomes one space."""
    return " ".join(text.split())
