"""Many calls at once: ``oint batch`` (JSON Lines in and out) and ``oint_core.batch``.

One call per input line, ``{"id": "r1", "provider": "cdek", "method": "CreateRefusal",
"params": {"uuid": "…"}}``; one record per call out, ``{"id": …, "ok": true, "result": …}`` or
``{"id": …, "ok": false, "error": {…}, "sent": …}`` (``outcomes``). Every line is checked
with the dispatcher's own ``bind`` before anything is sent for it; a bad line becomes a usage
error record (``sent``: "no") and the batch goes on.

The calls run on ``concurrency`` threads sharing the process-wide session, its pool sized to
``concurrency`` connections, and the providers' process-wide token caches (one token fetch per
account). A shared pace starts at most ``rate`` calls a second across all threads. Input is
streamed: at most a window of calls is held between reading a line and writing its record,
so memory stays flat however long the input (the ids seen, kept to refuse a duplicate,
take 16 to 32 bytes each: ``Fingerprints``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from .context import CallOptions, check_retries, check_timeout
from .dispatcher import bind, call_method, check_profile
from .errors import InternalError, OintError, OutputError, PluginError, UsageError, interrupted
from .outcomes import failed, succeeded
from .output import printable

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .metadata import Method, Provider
    from .profiles import Settings
    from .registry import Registry

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 256
#: Calls started per second across all threads: below the 200 requests a second CDEK
#: guarantees to process, leaving room for token fetches and retries.
DEFAULT_RATE = 150.0
MAX_RATE = 100_000.0
#: One call a day: a slower pace is a mistake (and its wait would overflow a timer).
MIN_RATE = 1 / 86_400
#: The keys a line may have.
FIELDS = ("id", "provider", "method", "params")

#: An id as a key: ``1`` and ``"1"`` are different ids, as they are in JSON.
IdKey = tuple[bool, str | int]


def id_key(value: str | int) -> IdKey:
    return (isinstance(value, str), value)


def check_concurrency(value: Any, name: str = "concurrency") -> int:
    """``value`` as a number of threads: a whole number from 1 to ``MAX_CONCURRENCY``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise UsageError(f"{name}: {value!r} is not a whole number from 1 to {MAX_CONCURRENCY}")
    return value


def check_rate(value: Any, name: str = "rate") -> float | None:
    """``value`` as calls per second: a number from ``MIN_RATE`` (one call a day) to
    ``MAX_RATE``; 0 or None means no limit."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{name}: {value!r} is not a number of calls per second")
    if value == 0:
        return None
    if not MIN_RATE <= value <= MAX_RATE:  # also false for NaN
        raise UsageError(
            f"{name}: {value!r} is not a number of calls per second from {MIN_RATE:.6g}"
            f" (one a day) to {MAX_RATE:g} (0: no limit)"
        )
    return float(value)


class Fingerprints:
    """The ids seen so far, each kept as its 64-bit hash in one flat table (16 to 32 bytes
    an id, against some 150 for a set of Python strings), so that refusing a duplicate id
    keeps memory flat over a long input.

    Same id, same fingerprint: a duplicate is always found. Two different ids sharing a
    fingerprint would refuse the later line (nothing sent; never a call made twice): with
    Python's keyed 64-bit string hash, a chance of about 1 in 10**9 for 100,000 ids.
    """

    def __init__(self) -> None:
        from array import array

        self._table = array("Q", bytes(8 * 1024))
        self._mask = len(self._table) - 1
        self._count = 0

    def add(self, key: IdKey) -> bool:
        """Remember ``key``; False when it was seen before."""
        # The keyed string hash of its repr: hash() of an int is the int itself, modulo
        # 2**61 - 1 (and hash(-1) == hash(-2)), which would make such ids collide every time.
        print_ = hash(repr(key)) & 0xFFFF_FFFF_FFFF_FFFF or 1  # 0 marks an empty slot
        table, mask = self._table, self._mask
        slot = print_ & mask
        while table[slot]:
            if table[slot] == print_:
                return False
            slot = (slot + 1) & mask
        table[slot] = print_
        self._count += 1
        if 2 * self._count > len(table):
            self._grow()
        return True

    def _grow(self) -> None:
        from array import array

        old = self._table
        self._table = array("Q", bytes(16 * len(old)))
        self._mask = len(self._table) - 1
        self._count = 0
        for print_ in old:
            if print_:
                slot = print_ & self._mask
                while self._table[slot]:
                    slot = (slot + 1) & self._mask
                self._table[slot] = print_
                self._count += 1


class Job(NamedTuple):
    """One checked line: what to call and with what."""

    id: str | int
    provider: Provider
    method: Method
    given: dict[str, Any]
    settings: Settings
    #: ``call_digest`` of the line, written in its record as ``"call"`` (the command's)
    digest: str | None = None


def call_digest(provider: Any, method: Any, params: Any) -> str:
    """A short digest of what a line calls (provider, method and parameters, as given):
    ``--resume`` refuses an input whose line for an id is not the call its record was for."""
    import hashlib

    text = json.dumps(
        [provider, method, params],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _head(job: Job) -> dict[str, Any]:
    return {"id": job.id} if job.digest is None else {"id": job.id, "call": job.digest}


class BadLine(Exception):
    """A line that cannot be called: its record's id and the problem."""

    def __init__(self, record_id: str | int, message: str) -> None:
        super().__init__(message)
        self.record_id = record_id


def line_record(record_id: str | int, number: int, message: str) -> dict[str, Any]:
    """The record of a bad line: a usage error (nothing sent), with its line number."""
    return {"id": record_id, "line": number, **failed(UsageError(message))}


class Checker:
    """Turns lines into ``Job``s with the dispatcher's own checks; remembers the ids seen."""

    def __init__(
        self,
        registry: Registry,
        provider: str | None,
        profile: str | None,
        how: str,
        done: Mapping[IdKey, str | None] | None = None,
        digests: bool = False,
    ) -> None:
        self.registry = registry
        self.provider = provider
        self.profile = profile
        self.how = how
        self.done = done or {}
        self.digests = digests
        self.seen = Fingerprints()
        self._settings: dict[tuple[str, str], Settings] = {}

    def record_id(self, number: int, item: Any) -> str | int:
        """The line's id: its ``id``, else its number; ``BadLine`` for an unusable one."""
        if not isinstance(item, Mapping):
            raise BadLine(number, f"a line must be a JSON object, not {_json_type(item)}")
        value = item.get("id", number)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise BadLine(number, f"id: {json.dumps(value)} is not a string or a whole number")
        return value

    def skipped(self, record_id: str | int) -> bool:
        """Whether ``--resume`` found this id finished before (then it is not called). Only
        its first line is: a later line with the same id is refused by ``job`` as a
        duplicate, as on the first run."""
        key = id_key(record_id)
        return key in self.done and self.seen.add(key)

    def job(self, number: int, item: Any, record_id: str | int) -> Job:
        """The line as a ``Job``, or ``BadLine``: nothing is sent for a line refused here."""
        if not self.seen.add(id_key(record_id)):
            raise BadLine(record_id, f"id {record_id!r} is given twice (ids must be unique)")
        unknown = sorted(str(k) for k in item if k not in FIELDS)
        if unknown:
            raise BadLine(
                record_id,
                f"unknown key {', '.join(map(repr, unknown))} (keys: {', '.join(FIELDS)})",
            )
        provider_name = item.get("provider", self.provider)
        if provider_name is None:
            raise BadLine(record_id, 'no provider: give "provider" on the line, or --provider')
        if not isinstance(provider_name, str):
            raise BadLine(record_id, f"provider: {provider_name!r} is not a name")
        method_name = item.get("method")
        if not isinstance(method_name, str) or not method_name:
            raise BadLine(record_id, f"method: {method_name!r} is not a method's name")
        params = item.get("params", {})
        if not isinstance(params, Mapping):
            raise BadLine(record_id, f"params must be a JSON object, not {_json_type(params)}")
        try:
            method = self.registry.method(provider_name, method_name)
            provider = self.registry.provider(provider_name)
            settings = self._settings_of(provider, method)
            bind(method, params, "python", settings)
        except (UsageError, PluginError) as exc:  # a broken plugin fails its lines, not the batch
            raise BadLine(record_id, str(exc)) from None
        digest = call_digest(provider_name, method_name, params) if self.digests else None
        return Job(record_id, provider, method, dict(params), settings, digest)

    def _settings_of(self, provider: Provider, method: Method) -> Settings:
        key = (provider.name, method.name)
        found = self._settings.get(key)
        if found is None:
            from .profiles import settings_for

            found = self._settings[key] = settings_for(provider, method, self.profile, self.how)
        return found


def _json_type(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


class Pace:
    """At most ``rate`` starts a second across threads: each start takes the next slot,
    ``1 / rate`` seconds after the one before (no burst). None: no limit."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> bool:
        """Wait for this start's slot; False when ``stop`` was set first (then do not start)."""
        if self.interval:
            with self._lock:
                now = time.monotonic()
                slot = max(now, self._next)
                self._next = slot + self.interval
            if slot > now and stop.wait(slot - now):
                return False
        return not stop.is_set()


class InFlight:
    """The jobs whose call has started and not ended, so that abandoning them (a second
    Ctrl-C) can say which writes may have been processed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}

    def enter(self, job: Job) -> None:
        with self._lock:
            self._jobs[id(job)] = job

    def leave(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(id(job), None)

    def __contains__(self, job: Job) -> bool:
        with self._lock:
            return id(job) in self._jobs


def run_job(
    job: Job,
    options: CallOptions,
    pace: Pace,
    stop: threading.Event,
    flight: InFlight | None = None,
    ended: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any] | None:
    """Call one job (on a worker thread): its record, or None if stopped before it started.
    ``ended`` is given the record the moment the call ends (the command's journal)."""
    if not pace.wait(stop):
        return None
    if flight is not None:
        flight.enter(job)
    try:
        result = call_method(
            job.provider, job.method, job.given, options=options, settings=job.settings
        )
        record = {**_head(job), **succeeded(result)}
    except OintError as exc:
        record = {**_head(job), **failed(exc)}
    except Exception as exc:  # past the dispatcher's own guard: nothing of the method ran
        error = InternalError(f"{job.provider.name} {job.method.name} failed: {type(exc).__name__}")
        record = {**_head(job), **failed(error)}
    finally:
        if flight is not None:
            flight.leave(job)
    if ended is not None:
        ended(record)
    return record


def abandoned(job: Job) -> dict[str, Any]:
    """The record of a write abandoned in flight: it may have been processed."""
    from .errors import TransportError

    error = TransportError(
        f"{job.provider.name} {job.method.name} was abandoned in flight (interrupted twice):"
        " the write may have been processed; check before repeating it"
    )
    error.sent = "unknown"
    return {**_head(job), **failed(error)}


Item = Job | dict[str, Any]
Pending = tuple["Future[dict[str, Any] | None]", Job] | dict[str, Any]
#: How often a wait for a call looks whether the batch was abandoned (seconds).
POLL = 0.2


class Feed:
    """Items made on a thread of their own (reading the input) into a small queue that
    ``execute`` polls: while the input is idle (a pipe kept open, ``tail -f``), finished
    calls are still written and signals still handled. The thread ends with the items, or
    soon after ``close``; ``finish`` runs on it at the end (closing the input)."""

    def __init__(self, items: Iterable[Item], finish: Callable[[], None] | None = None) -> None:
        import queue

        self._queue: queue.Queue[Any] = queue.Queue(maxsize=64)
        self._full = queue.Full
        self._empty = queue.Empty
        self._closed = threading.Event()
        self._error: BaseException | None = None
        self.ended = False
        self._thread = threading.Thread(
            target=self._run, args=(items, finish), name="oint-batch-input", daemon=True
        )
        self._thread.start()

    def _put(self, entry: Any) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(entry, timeout=POLL)
                return True
            except self._full:
                continue
        return False

    def _run(self, items: Iterable[Item], finish: Callable[[], None] | None) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # said by the consuming thread
            self._error = exc
        finally:
            if finish is not None:
                with contextlib.suppress(Exception):
                    finish()
        self._put(_END)

    def get(self) -> Item | None:
        """The next item; None when none came within ``POLL`` seconds or the input ended
        (then ``ended``; an error of the input is raised)."""
        if self.ended:
            return None
        try:
            entry = self._queue.get(timeout=POLL)
        except self._empty:
            return None
        if entry is _END:
            self.ended = True
            if self._error is not None:
                raise self._error
            return None
        return entry  # type: ignore[no-any-return]

    def close(self) -> None:
        """Read no more: the thread ends at its next item (or read)."""
        self._closed.set()


_END = object()


def execute(
    items: Iterable[Item] | Feed,
    *,
    concurrency: int,
    rate: float | None,
    options: CallOptions,
    ordered: bool = True,
    stop: threading.Event | None = None,
    abort: threading.Event | None = None,
    ended: Callable[[dict[str, Any]], None] | None = None,
) -> Generator[dict[str, Any], None, None]:
    """Run the ``Job``s among ``items`` on ``concurrency`` threads and yield every record
    (a ``dict`` item is a record already: a bad line's). In input order when ``ordered``,
    else as calls finish. At most a window of ``4 * concurrency`` (at least 64) items wait
    between reading and yielding, so ``items`` is read as the calls go.

    Once ``stop`` is set, no call starts: the calls in flight finish and are yielded, the
    others are not. Once ``abort`` is set too, the calls in flight are abandoned: what has
    finished is yielded, then a record with ``sent`` "unknown" for each write in flight (a
    read in flight gets none: it changed nothing, and a resumed run makes it again); the
    abandoned threads are left to end on their own. ``ended`` is given each call's record
    the moment the call ends, on the call's thread, before it is yielded."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from .http import get_session

    stop = stop or threading.Event()
    abort = abort or threading.Event()
    pace = Pace(rate)
    flight = InFlight()
    window = max(4 * concurrency, 64)
    get_session(pool_size=concurrency)  # one pool, as many connections as threads
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="oint-batch")
    pending: deque[Pending] = deque()  # in input order
    clean = False

    def outcome(future: Future[dict[str, Any] | None]) -> dict[str, Any] | None:
        return None if future.cancelled() else future.result()

    def settle(block: bool) -> Iterator[dict[str, Any]]:
        """Yield what has finished: the finished head of ``pending`` (ordered), or every
        finished entry (unordered). With ``block``, first wait (looking at ``abort``)
        until the head (ordered) or any call (unordered) has finished."""
        if ordered:
            head = pending[0] if pending else None
            if block and head is not None and not isinstance(head, dict):
                while not abort.is_set() and not wait([head[0]], timeout=POLL).done:
                    pass
            while pending:
                entry = pending[0]
                if isinstance(entry, dict):
                    pending.popleft()
                    yield entry
                elif entry[0].done():
                    pending.popleft()
                    record = outcome(entry[0])
                    if record is not None:
                        yield record
                else:
                    return
            return
        futures = [entry[0] for entry in pending if not isinstance(entry, dict)]
        if block and futures:
            while not abort.is_set():
                if wait(futures, timeout=POLL, return_when=FIRST_COMPLETED).done:
                    break
        keep: list[Pending] = []
        finished: list[dict[str, Any]] = []
        for entry in pending:
            if isinstance(entry, dict):
                finished.append(entry)
            elif entry[0].done():
                record = outcome(entry[0])
                if record is not None:
                    finished.append(record)
            else:
                keep.append(entry)
        pending.clear()
        pending.extend(keep)
        yield from finished

    def left_behind() -> Iterator[dict[str, Any]]:
        """Abandoning: what has finished, and the writes in flight as unknown."""
        for entry in list(pending):
            if isinstance(entry, dict):
                yield entry
                continue
            future, job = entry
            future.cancel()
            if future.done() and not future.cancelled():
                record = future.result()
                if record is not None:
                    yield record
            elif job in flight and job.method.effect != "read":
                yield abandoned(job)
        pending.clear()

    feed = items if isinstance(items, Feed) else None
    iterator = None if isinstance(items, Feed) else iter(items)
    try:
        while not stop.is_set():
            if feed is not None:
                item = feed.get()
                if item is None:
                    if feed.ended:
                        break
                    yield from settle(block=False)  # the input is idle: write what ended
                    if abort.is_set():
                        break
                    continue
            else:
                assert iterator is not None
                item = next(iterator, None)
                if item is None:
                    break
            if isinstance(item, Job):
                pending.append(
                    (pool.submit(run_job, item, options, pace, stop, flight, ended), item)
                )
            else:
                pending.append(item)
            yield from settle(block=len(pending) >= window)
            if abort.is_set():
                break
        if stop.is_set():  # what has not started never will
            for entry in pending:
                if not isinstance(entry, dict):
                    entry[0].cancel()
        while pending and not abort.is_set():
            yield from settle(block=True)
        if abort.is_set():
            yield from left_behind()
        clean = not abort.is_set()
    finally:
        if not clean:  # abandoned, the consumer stopped early, or an error: start nothing more
            stop.set()
            for entry in pending:
                if not isinstance(entry, dict):
                    entry[0].cancel()
        pool.shutdown(wait=clean)


def call_options(timeout: Any, retries: Any) -> CallOptions:
    return CallOptions(
        timeout=None if timeout is None else check_timeout(timeout),
        retries=None if retries is None else check_retries(retries),
    )


def check_selected_profile(profile: str | None, how: str) -> None:
    """Refuse an unknown profile before the first line (a usage error of the batch)."""
    from .profiles import read_config, select

    select(read_config(), profile, how)


def batch(
    calls: Iterable[Mapping[str, Any]],
    *,
    provider: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = DEFAULT_RATE,
    profile: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    ordered: bool = True,
) -> Iterator[dict[str, Any]]:
    """Run many calls on ``concurrency`` threads; yield one record per call.

    >>> calls = ({"id": u, "method": "GetOrder", "params": {"uuid": u}} for u in uuids)
    >>> for record in oint_core.batch(calls, provider="cdek", concurrency=8):
    ...     print(record["id"], record["ok"])

    Each call is a mapping ``{"id", "provider", "method", "params"}``; ``provider`` may be
    given once for all, ``id`` defaults to the call's position (1, 2, … as an int) and must
    be unique. A record is ``{"id", "ok": True, "result"}`` or ``{"id", "ok": False,
    "error": {"kind", "message", "status", "codes"}, "sent"}`` (``sent``: "no", "yes" or
    "unknown": see ``oint_core.outcomes``); a call that cannot be made (unknown method, bad
    parameters, duplicate id) is a ``usage`` error, with ``"line"`` (its position), and is
    never sent. Records come in input order (``ordered``), else as calls finish. ``calls``
    is read as the calls go, so it may be a generator of any length.

    ``rate``: calls started per second across all threads (None or 0: no limit; default
    150, below CDEK's guaranteed 200 requests a second). ``profile``, ``timeout`` and
    ``retries`` are ``dispatch``'s, for every call. Raises ``UsageError`` for a bad option
    before the first call. Closing the iterator early starts no further call.
    """
    concurrency = check_concurrency(concurrency)
    rate = check_rate(rate)
    options = call_options(timeout, retries)
    profile = None if profile is None else check_profile(profile)
    how = "parameter profile of batch"
    check_selected_profile(profile, how)
    from .registry import default_registry

    checker = Checker(default_registry(), provider, profile, how)

    def items() -> Iterator[Item]:
        for number, item in enumerate(calls, 1):
            try:
                record_id = checker.record_id(number, item)
                yield checker.job(number, item, record_id)
            except BadLine as bad:
                yield line_record(bad.record_id, number, str(bad))

    return execute(items(), concurrency=concurrency, rate=rate, options=options, ordered=ordered)


# -- the command: files, resuming, signals, progress -------------------------------------------


def encode(record: Mapping[str, Any]) -> bytes:
    """One output line: compact JSON, UTF-8, a lone surrogate as its escape."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    return (printable(text) + "\n").encode("utf-8")


def parse_line(number: int, raw: bytes) -> Any:
    """A line's JSON value, or ``BadLine`` (not UTF-8, not JSON)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadLine(number, "the line is not UTF-8 text") from None
    if number == 1:
        text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except RecursionError:
        raise BadLine(number, "not JSON: nested too deeply") from None
    except ValueError as exc:
        raise BadLine(number, f"not JSON: {exc}") from None


def fd_lines(fd: int) -> Iterator[tuple[int, bytes]]:
    """``numbered_lines`` read straight from a file descriptor (``os.read``: a thread
    waiting in it holds no lock of the interpreter's buffered streams)."""
    buffer = bytearray()
    number = 0
    while True:
        block = os.read(fd, 1 << 16)
        if not block:
            break
        scan = len(buffer)
        buffer += block
        start = 0
        while (end := buffer.find(b"\n", scan)) >= 0:
            number += 1
            raw = bytes(buffer[start : end + 1])
            if raw.strip():
                yield number, raw
            start = scan = end + 1
        del buffer[:start]
    if buffer.strip():
        yield number + 1, bytes(buffer)


def numbered_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for every line that is not blank, as read."""
    for number, raw in enumerate(stream, 1):
        if raw.strip():
            yield number, raw


class Tally:
    """What the summary line says."""

    def __init__(self) -> None:
        self.ok = self.failed = self.unknown = 0
        self.skipped = 0
        self.started = time.monotonic()

    def add(self, record: Mapping[str, Any]) -> None:
        if record.get("ok"):
            self.ok += 1
        elif record.get("sent") == "unknown":
            self.unknown += 1
        else:
            self.failed += 1

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.unknown

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Resumed(NamedTuple):
    done: dict[IdKey, str | None]  # ids not to call again, with their record's "call"
    kept_unknown: int  # of them, calls whose outcome is unknown
    #: unknown records left in the file (--retry-unknown) until their call's new record
    #: follows them: a run stopped before repeating such a call keeps saying it is unknown
    retried_unknown: int = 0


#: Beside ``--out FILE``: ``FILE.journal`` holds every record the moment its call ends, so
#: that a killed run loses none of the records still waiting (in input order) for a slow call.
JOURNAL = ".journal"


def prepare_resume(
    path: str, retry_unknown: bool, lock: OutLock | None = None, compact: bool = False
) -> Resumed:
    """Read the ``--out`` file of an earlier run, and its journal (records of calls that had
    ended, not yet written to the file when that run was killed): the ids finished (ok, and
    unknown unless ``retry_unknown``) are not called again. The file is rewritten with the
    last record of each id (the journal's come after the file's), without the records of
    calls to repeat or a torn last line (a killed run), so that no id is in it twice; then
    the journal is removed. An unknown record to repeat (``retry_unknown``) stays until the
    new record of its call follows it (the last record of an id wins).

    ``compact``: only keep the last record of each id, and every bad line's record (at the
    end of a run that repeated unknown calls)."""
    done: dict[IdKey, str | None] = {}
    kept_unknown = retried_unknown = 0
    journal = path + JOURNAL
    has_journal = os.path.exists(journal)
    if not os.path.exists(path) and not has_journal:
        return Resumed(done, 0)
    real = os.path.realpath(path)  # a link's target is rewritten, not the link replaced
    last: dict[IdKey, int] = {}  # where each id's last record is
    changed = has_journal
    for index, (_, record) in enumerate(_saved_records(path, journal)):
        if record is None:  # a torn last line: that record never was whole
            changed = True
            continue
        if "line" in record:  # a bad line's record (never a call's): made again
            changed = changed or not compact
            continue
        key = id_key(record["id"])
        changed = changed or key in last
        last[key] = index
    folder = os.path.dirname(real)
    import tempfile

    handle, temp = tempfile.mkstemp(prefix=".oint-batch-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as new:
            for index, (raw, record) in enumerate(_saved_records(path, journal)):
                if record is None:
                    continue
                if "line" in record:
                    if compact:
                        new.write(raw)
                    continue
                key = id_key(record["id"])
                if last[key] != index:
                    continue
                unknown = not record["ok"] and record.get("sent") == "unknown"
                if compact or record["ok"] or (unknown and not retry_unknown):
                    new.write(raw)
                    call = record.get("call")
                    done[key] = call if isinstance(call, str) else None
                    kept_unknown += unknown
                elif unknown:  # stays until its call's new record follows it
                    new.write(raw)
                    retried_unknown += 1
                else:
                    changed = True
            new.flush()
            os.fsync(new.fileno())
        if changed:
            with contextlib.suppress(OSError):
                os.chmod(temp, os.stat(real).st_mode & 0o777)
            if lock is not None:
                lock.take(temp)
            os.replace(temp, real)
        if has_journal:
            os.unlink(journal)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return Resumed(done, kept_unknown, retried_unknown)


def _saved_records(path: str, journal: str) -> Iterator[tuple[bytes, dict[str, Any] | None]]:
    """``(line, record)`` for the records of the ``--out`` file, then of its journal; None
    for the file's torn last line. A journal line that is not a whole record (torn by a
    kill) is passed over."""
    if os.path.exists(path):
        with open(path, "rb") as old:
            for number, raw in enumerate(old, 1):
                if not raw.endswith(b"\n"):
                    yield raw, None
                    break
                if raw.strip():
                    yield raw, _old_record(path, number, raw)
    if os.path.exists(journal):
        with open(journal, "rb") as old:
            for number, raw in enumerate(old, 1):
                if raw.endswith(b"\n") and raw.strip():
                    with contextlib.suppress(UsageError):
                        yield raw, _old_record(journal, number, raw)


class Journal:
    """``FILE.journal``: each call's record appended, whole, the moment the call ends (on
    its thread), so that a kill loses no record of a call that ended; removed once the run
    has written every record to ``FILE``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.fd: int | None = os.open(path, _APPEND | os.O_TRUNC, 0o666)

    def note(self, record: Mapping[str, Any]) -> None:
        data = encode(record)
        with self._lock:
            if self.fd is None:
                return
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view) :]
            except OSError:  # a full disk: FILE's own write will say so
                os.close(self.fd)
                self.fd = None

    def close(self, remove: bool) -> None:
        with self._lock:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
        if remove:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


class OutLock:
    """An exclusive lock on ``--out`` for the whole run, ``--resume``'s rewrite included, so
    that a second run on the same file (an overlapping cron job) is refused instead of
    replacing the file the first one appends to. POSIX ``flock``; none on Windows, nor for
    what is not a regular file."""

    def __init__(self, path: str) -> None:
        self.fds: list[int] = []
        try:
            import fcntl
        except ImportError:  # Windows: no lock (said in the guide)
            return
        with contextlib.suppress(OSError):
            if not stat.S_ISREG(os.stat(path).st_mode):
                return
        while True:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
            except OSError:  # Output says what is wrong
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise UsageError(
                        f"--out: {path!r} is being written by another run of oint batch;"
                        " wait for it to end",
                        option="--out",
                    ) from None
                return  # a file system without locks
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except OSError:
                same = False
            if same:  # else --resume of the run before replaced it: lock the new file
                self.fds.append(fd)
                return
            os.close(fd)

    def take(self, temp: str) -> None:
        """Lock ``temp`` too, before it replaces the locked file (``--resume``'s rewrite)."""
        if self.fds:
            import fcntl

            fd = os.open(temp, os.O_RDONLY)
            self.fds.append(fd)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()


def _holds_records(path: str) -> bool:
    return os.path.exists(path) and os.path.getsize(path) > 0


def _old_record(path: str, number: int, raw: bytes) -> dict[str, Any]:
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        record = None
    if (
        not isinstance(record, dict)
        or isinstance(record.get("id"), bool)
        or not isinstance(record.get("id"), (str, int))
        or not isinstance(record.get("ok"), bool)
    ):
        raise UsageError(
            f"--resume: line {number} of {path!r} is not a record of oint batch; not resuming",
            option="--resume",
        )
    return record


class Output:
    """Where records go: standard output (flushed line by line), or a file appended to line
    by line, each line written whole by one ``write`` (a killed run leaves at most a torn
    last line)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.fd = None if path is None else os.open(path, _APPEND, 0o666)

    def write(self, data: bytes) -> None:
        try:
            if self.fd is None:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                return
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError as exc:
            where = "standard output" if self.path is None else repr(self.path)
            raise OutputError(
                f"cannot write the record to {where}: {exc.strerror}", errno=exc.errno
            ) from None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


_APPEND = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)


def count_lines(path: str) -> int:
    with open(path, "rb") as stream:
        return sum(1 for _ in numbered_lines(stream))


def run_command(
    source: str,
    *,
    provider: str | None,
    out: str | None,
    concurrency: int,
    rate: float | None,
    resume: bool,
    retry_unknown: bool,
    strict: bool,
    profile: str | None,
    timeout: float | None,
    retries: int | None,
    ordered: bool,
    show_progress: bool,
    say: Callable[[str], None],
) -> int:
    """``oint batch``: read ``source`` (a file, ``-``: standard input), write the records,
    say the summary; the exit code (0 all ok, 1 some failed, 130 interrupted). A usage error
    of the command itself is raised as ``UsageError`` before any call."""
    import signal
    import tempfile

    from . import progress

    if resume and out is None:
        raise UsageError("--resume needs --out FILE: the records of the run to continue")
    if retry_unknown and not resume:
        raise UsageError("--retry-unknown goes with --resume")
    if out is not None and not resume and (_holds_records(out) or _holds_records(out + JOURNAL)):
        raise UsageError(
            f"--out: {out!r} already holds records; give --resume to continue that run (or"
            " remove the file): a new run would lose which calls may have been processed"
        )
    options = call_options(timeout, retries)
    how = "option --profile"
    check_selected_profile(profile, how)
    from .registry import default_registry

    registry = default_registry()
    if provider is not None:
        registry.provider(provider)  # an unknown --provider is the command's usage error

    # A regular file is read twice (--strict) or counted first (the progress line's total);
    # standard input or a pipe (``<(command)``) is read once, spooled to a file for --strict.
    path: str | None = None
    once: IO[bytes] | None = None
    spool: IO[bytes] | None = None
    if source == "-":
        once = sys.stdin.buffer
    else:
        try:
            handle = open(source, "rb")  # noqa: SIM115 (closed below, or read as the input)
        except OSError as exc:
            raise UsageError(f"FILE: cannot read {source!r}: {exc.strerror}") from None
        if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            handle.close()
            path = source
        else:
            once = handle
    if (strict or resume) and once is not None:  # --resume reads it first to check it
        spool = tempfile.TemporaryFile(prefix="oint-batch-")  # noqa: SIM115 (closed below)
        for block in iter(lambda: once.read(1 << 16), b""):
            spool.write(block)
        if once is not sys.stdin.buffer:
            once.close()

    def opened() -> IO[bytes]:
        if spool is not None:
            spool.seek(0)
            return spool
        if once is not None:
            return once
        assert path is not None
        return open(path, "rb")

    total: int | None = None
    if strict:
        total = 0
        bad = 0
        checker = Checker(registry, provider, profile, how)
        stream = opened()
        try:
            for number, raw in numbered_lines(stream):
                total += 1
                try:
                    item = parse_line(number, raw)
                    checker.job(number, item, checker.record_id(number, item))
                except BadLine as exc:
                    bad += 1
                    say(f"oint: line {number}: {exc}")
        finally:
            if stream is not spool and stream is not sys.stdin.buffer:
                stream.close()
        if bad:
            raise UsageError(f"--strict: {bad} bad line(s) of {total}; nothing was sent")
    elif show_progress and path is not None:
        total = count_lines(path)

    lock = None if out is None else OutLock(out)
    try:
        resumed = (
            prepare_resume(out, retry_unknown, lock)
            if resume and out is not None
            else Resumed({}, 0)
        )
        if any(resumed.done.values()):
            stream = opened()
            try:
                _check_same_calls(stream, resumed.done, provider, out)
            finally:
                if stream is not spool and stream is not sys.stdin.buffer:
                    stream.close()
        checker = Checker(registry, provider, profile, how, resumed.done, digests=True)
        tally = Tally()

        def items(stream: IO[bytes]) -> Iterator[Item]:
            try:
                lines = fd_lines(stream.fileno())
            except (OSError, ValueError):  # a stream of no file (a test's standard input)
                lines = numbered_lines(stream)
            for number, raw in lines:
                try:
                    item = parse_line(number, raw)
                    record_id = checker.record_id(number, item)
                    if checker.skipped(record_id):
                        tally.skipped += 1
                        continue
                    yield checker.job(number, item, record_id)
                except BadLine as bad:
                    yield line_record(bad.record_id, number, str(bad))

        stop = threading.Event()
        status = progress.start() if show_progress else None

        abort = threading.Event()
        asked = threading.Event()  # stopped by a signal (not by a failed write)

        def stopping(signum: int, frame: Any) -> None:
            if status is not None:
                progress.clear()
            asked.set()
            if not stop.is_set():
                stop.set()
                say(
                    "oint: batch: stopping: no new calls; waiting for the calls in flight"
                    " (interrupt again to abandon them)"
                )
            elif not abort.is_set():
                abort.set()
                say("oint: batch: abandoning the calls in flight")

        output = Output(out)
        journal = None
        if out is not None and output.fd is not None and stat.S_ISREG(os.fstat(output.fd).st_mode):
            try:
                journal = Journal(out + JOURNAL)
            except OSError as exc:
                output.close()
                raise UsageError(
                    f"--out: cannot write the journal {out + JOURNAL!r}: {exc.strerror}",
                    option="--out",
                ) from None
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():  # only it may set handlers
            previous = {
                sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)
            }
        stream = opened()
        shown = 0.0

        def finish() -> None:  # on the input's thread: never closed under a read
            if stream is not sys.stdin.buffer:
                stream.close()

        feed = Feed(items(stream), finish)
        records = execute(
            feed,
            concurrency=concurrency,
            rate=rate,
            options=options,
            ordered=ordered,
            stop=stop,
            abort=abort,
            ended=None if journal is None else journal.note,
        )
        written = False
        failure: OutputError | None = None
        unrecorded = 0  # calls made whose record could not be written
        try:
            for record in records:
                tally.add(record)
                try:
                    output.write(encode(record))
                except OutputError as exc:
                    # Start no more calls; the calls in flight end and are counted, so
                    # that the summary still says what was done.
                    failure = failure or exc
                    stop.set()
                    unrecorded += record.get("ok") or record.get("sent") != "no"
                    continue
                if status is not None and time.monotonic() - shown >= 0.1:
                    shown = time.monotonic()
                    status.show(_progress_text(tally, total))
            written = failure is None
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) or interrupted(exc):
                asked.set()
                stop.set()
            raise
        finally:
            records.close()  # after a failed write: start no more calls
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            progress.stop()
            output.close()
            if journal is not None:  # every record is in FILE: the journal has done its work
                journal.close(remove=written)
            feed.close()
        if written and out is not None and resumed.retried_unknown:
            prepare_resume(out, False, lock, compact=True)  # each id once again
        summary = _summary(tally, resumed, asked.is_set())
        if unrecorded:
            summary += (
                f"; {unrecorded:,} call(s) made have no record (writes among them may have"
                " been processed: check before repeating them"
                + (f"; --resume reads them from {journal.path!r})" if journal else ")")
            )
        say(summary)
        if failure is not None:
            raise failure
        if abort.is_set():
            # The abandoned calls' threads would hold the interpreter's exit until they end:
            # everything is written, so end now.
            for flushed in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    flushed.flush()
            os._exit(130)
        if asked.is_set():
            return 130
        all_ok = tally.failed == tally.unknown == 0 and resumed.kept_unknown == 0
        return 0 if all_ok else 1
    finally:
        if lock is not None:
            lock.close()


def _check_same_calls(
    stream: IO[bytes], done: Mapping[IdKey, str | None], provider: str | None, out: Any
) -> None:
    """Refuse to resume when the first line of a finished id is not the call its record
    was for (a line added above lines without ids shifts their ids): it would skip that
    line, and make again the call the id was, maybe a write that succeeded."""
    seen = Fingerprints()
    for number, raw in numbered_lines(stream):
        try:
            item = parse_line(number, raw)
        except BadLine:
            continue
        if not isinstance(item, Mapping):
            continue
        record_id = item.get("id", number)
        if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
            continue
        key = id_key(record_id)
        stored = done.get(key)
        if stored is None or not seen.add(key):
            continue
        given = call_digest(
            item.get("provider", provider), item.get("method"), item.get("params", {})
        )
        if given != stored:
            raise UsageError(
                f"--resume: line {number}: id {record_id!r} was another call in {out!r} (the"
                " input changed since?); not resuming: give every line an id when the input"
                " may change between runs",
                option="--resume",
            )


def _progress_text(tally: Tally, total: int | None) -> str:
    elapsed = tally.elapsed()
    speed = tally.done / elapsed if elapsed > 0 else 0.0
    text = f"batch: {tally.done:,}" + (f"/{total - tally.skipped:,}" if total is not None else "")
    text += f" done, {tally.failed + tally.unknown:,} failed, {speed:,.0f}/s"
    if total is not None and speed > 0:
        left = max(total - tally.skipped - tally.done, 0) / speed
        text += f", ETA {_duration(left)}"
    return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _summary(tally: Tally, resumed: Resumed, stopped: bool) -> str:
    text = f"oint: batch: {tally.ok:,} ok, {tally.failed:,} failed, {tally.unknown:,} unknown"
    if tally.skipped:
        text += f", {tally.skipped:,} skipped (finished before"
        if resumed.kept_unknown:
            text += f"; {resumed.kept_unknown:,} of them unknown, not repeated"
        text += ")"
    text += f"; {_duration(tally.elapsed())}"
    if stopped:
        text += "; interrupted: run again with --resume to continue"
    return text
