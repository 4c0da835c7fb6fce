"""Profiles: named sets of settings in the user's config file, ``config.toml``.

The file lives in oint's folder of the user's config directory (``paths.user_config_dir``:
``$XDG_CONFIG_HOME/oint`` or ``~/.config/oint`` on Linux), or wherever ``OINT_CONFIG`` says::

    default = "shop1"

    [profile.shop1.cdek]
    account = "..."
    password = { keyring = "oint-cdek" }   # the system keyring, user "shop1"
    testapi = true

A profile's table for a provider holds that provider's settings, named as its environment
variables without the ``OINT_<PROVIDER>_`` prefix: ``[profile.shop1.cdek] base_url`` is the
value of ``OINT_CDEK_BASE_URL`` when the environment does not set it. So the core knows no
provider's settings: a provider reads every setting the same way (``Param.env`` through
``bind``, anything else through ``CallContext.env``), and the order is always: the option,
the environment, the selected profile, the built-in default.

The profile is the one ``--profile`` (``dispatch(profile=…)``) names, else ``OINT_PROFILE``,
else the file's ``default``; none of them: no profile. The file is read only when a method
runs or ``oint config`` does, never for ``--help``, and only once while it is unchanged.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from . import notices, paths
from .errors import UsageError
from .metadata import _Frozen

if TYPE_CHECKING:
    from .metadata import Method, Param, Provider
    from .registry import Registry

CONFIG_ENV = "OINT_CONFIG"
PROFILE_ENV = "OINT_PROFILE"
FILE_NAME = "config.toml"
MAX_CONFIG_BYTES = 1 << 20  # a config file is a few lines; a larger one is a mistake
KEYRING_EXTRA = "pip install 'oint[keyring]'"
# Patterns as text, compiled (and cached by ``re``) on first use: compiling them when the
# module loads cost more than a millisecond on every call of oint.
_KEY = r"[A-Za-z][A-Za-z0-9_]*"
_BARE = r"[A-Za-z0-9_-]+"  # a TOML key written without quotes
# Undeclared keys that look like secrets are masked by ``oint config`` all the same.
_SECRET_LOOKING = r"(?i)token|pass|secret|key"
# Credentials inside a URL (``https://user:pass@host``): ``oint config`` shows ``scheme://***@``.
_USERINFO = r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@"


def environ(name: str) -> str | None:
    """An environment variable, with empty treated as unset."""
    value = os.environ.get(name, "").strip()
    return value or None


# Frozen records like the metadata's rather than NamedTuples: this module loads on every call
# of oint, and creating a NamedTuple class costs about 0.2 ms.


class KeyringRef(_Frozen):
    """A setting kept in the system keyring: ``{keyring = "SERVICE", username = "USER"}``
    (the user defaults to the profile's name)."""

    __match_args__ = ("service", "username")
    _FIELDS = __match_args__
    __slots__ = _FIELDS
    service: str
    username: str

    def __init__(self, service: str, username: str) -> None:
        self._init(service=service, username=username)


Value: TypeAlias = str | bool | int | float | KeyringRef


class Config(_Frozen):
    """The config file as read: its path, whether it exists, its ``default`` and profiles
    (profile -> provider -> key -> value)."""

    __match_args__ = ("path", "exists", "default", "profiles", "mode")
    _FIELDS = __match_args__
    __slots__ = _FIELDS
    path: str | None
    exists: bool
    default: str | None
    profiles: Mapping[str, Mapping[str, Mapping[str, Value]]]
    mode: int

    def __init__(
        self,
        path: str | None,
        exists: bool,
        default: str | None,
        profiles: Mapping[str, Mapping[str, Mapping[str, Value]]],
        mode: int = 0,
    ) -> None:
        self._init(path=path, exists=exists, default=default, profiles=profiles, mode=mode)

    def where(self) -> str:
        return self.path or "(no config file: no home folder; set OINT_CONFIG)"


def config_path() -> str | None:
    """``OINT_CONFIG``, else ``config.toml`` in oint's user config folder (None without a
    home folder)."""
    given = environ(CONFIG_ENV)
    if given:
        return os.path.abspath(os.path.expanduser(given))
    folder = paths.user_config_dir()
    return None if folder is None else os.path.join(folder, FILE_NAME)


_cache: dict[str, tuple[tuple[int, ...], Config]] = {}


def read_config(path: str | None = None) -> Config:
    """The config file at ``path`` (default: ``config_path()``), parsed and checked whole.

    A missing file is an empty config; an unreadable or malformed one is a ``UsageError``
    naming the file (and the line, where there is one). Parsed once while it is unchanged.
    """
    path = path if path is not None else config_path()
    if path is None:
        return Config(None, False, None, {})
    try:
        status = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return Config(path, False, None, {})
    except OSError as exc:
        raise UsageError(f"config file {path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        # Never opened: opening a FIFO waits for a writer, so every call would hang.
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise UsageError(f"config file {path}: is {kind} (OINT_CONFIG names another file)")
    signature = (
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_size,
        status.st_ino,
        status.st_mode,
    )
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        # O_NONBLOCK: should a FIFO replace the file after the check, opening it still returns.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UsageError(f"config file {path}: is not a regular file")
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"config file {path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"config file {path}: larger than {MAX_CONFIG_BYTES} bytes")
    config = parse(path, data, status.st_mode)
    _cache[path] = (signature, config)
    return config


def parse(path: str, data: bytes, mode: int = 0) -> Config:
    """``data`` (the file at ``path``) as a ``Config``; a ``UsageError`` naming the line of
    the first problem."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the backport on Python 3.10
        import tomli as tomllib

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"config file {path}, line {line}: not UTF-8 text") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = " ".join(str(exc).split())
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if found:
            message = f"line {found[1]}, column {found[2]}: {message[: found.start()]}"
        raise UsageError(f"config file {path}, {message}") from None
    return Config(path, True, *_checked(path, text, document), mode=mode)


def _checked(
    path: str, text: str, document: dict[str, Any]
) -> tuple[str | None, dict[str, dict[str, dict[str, Value]]]]:
    def fail(keys: tuple[str, ...], problem: str) -> UsageError:
        line = _line_of(text, keys)
        where = f"config file {path}" + (f", line {line}" if line else "")
        shown = ".".join(k if re.fullmatch(_BARE, k) else json.dumps(k) for k in keys)
        return UsageError(f"{where}: {shown} {problem}")

    profiles: dict[str, dict[str, dict[str, Value]]] = {}
    tables = document.get("profile", {})
    if not isinstance(tables, dict):
        raise fail(("profile",), "must be a table: [profile.NAME.PROVIDER]")
    for name, providers in tables.items():
        if not name.strip() or name != name.strip():
            # --profile and dispatch(profile=) take names without space around them
            raise fail(
                ("profile", name), "is not a name --profile can choose (blank, or space around it)"
            )
        if not isinstance(providers, dict):
            raise fail(("profile", name), "must be a table of providers: [profile.NAME.PROVIDER]")
        profiles[name] = {}
        spelled: dict[str, str] = {}  # provider, lowercased -> as written
        for provider, settings in providers.items():
            keys = ("profile", name, provider)
            if not provider.strip():
                raise fail(keys, "names no provider: [profile.NAME.PROVIDER]")
            if provider.lower() in spelled:
                raise fail(keys, _twice("table", f"{name}.{spelled[provider.lower()]}"))
            spelled[provider.lower()] = provider
            if not isinstance(settings, dict):
                raise fail(keys, "must be a table of settings: [profile.NAME.PROVIDER]")
            checked: dict[str, Value] = {}
            written: dict[str, str] = {}  # key, lowercased -> as written
            for key, value in settings.items():
                if not re.fullmatch(_KEY, key):
                    raise fail((*keys, key), "is not a setting name (letters, digits, _)")
                if key.lower() in written:
                    first = f"{name}.{provider}.{written[key.lower()]}"
                    raise fail((*keys, key), _twice("setting", first))
                written[key.lower()] = key
                checked[key.lower()] = _value(value, name, (*keys, key), fail)
            profiles[name][provider.lower()] = checked
    default = document.get("default")
    if default is not None and not isinstance(default, str):
        raise fail(("default",), "must be a profile's name in quotes")
    if default is not None and default not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise fail(("default",), f"names no profile of this file (profiles: {known})")
    return default, profiles


def _twice(kind: str, first: str) -> str:
    """The problem of a table or setting whose name differs from ``first``'s only in case."""
    return f"is the same {kind} as profile.{first} (names are not case-sensitive): keep one"


def _value(
    value: Any,
    profile: str,
    keys: tuple[str, ...],
    fail: Callable[[tuple[str, ...], str], UsageError],
) -> Value:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict) and "keyring" in value:
        service, username = value.get("keyring"), value.get("username", profile)
        extra = set(value) - {"keyring", "username"}
        if extra or not isinstance(service, str) or not isinstance(username, str):
            raise fail(keys, 'must be {keyring = "SERVICE"}, optionally with username = "USER"')
        return KeyringRef(service, username)
    kind = "table" if isinstance(value, dict) else type(value).__name__
    raise fail(keys, f'is a {kind}: give text, a number, true/false or {{keyring = "SERVICE"}}')


def _line_of(text: str, keys: Iterable[str]) -> int | None:
    """Best effort: the line where the last of ``keys`` is written, searching for each key
    from the line of the one before it."""
    lines = text.splitlines()
    start = 0
    for key in keys:
        pattern = re.compile(r"(^|[\s.\[\"'{,])" + re.escape(key) + r"[\"']?\s*([=.\]]|$)")
        for number in range(start, len(lines)):
            if pattern.search(lines[number]):
                start = number
                break
        else:
            return None
    return start + 1


def env_name(provider: str, key: str) -> str:
    """The environment variable a profile's ``key`` stands for: ``OINT_CDEK_BASE_URL``."""
    return f"OINT_{re.sub(r'[^A-Za-z0-9]', '_', provider).upper()}_{key.upper()}"


def _text(value: str | bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


class Selection(_Frozen):
    __match_args__ = ("name", "how")
    _FIELDS = __match_args__
    __slots__ = _FIELDS
    name: str
    how: str  # "option --profile", "environment OINT_PROFILE", "default in FILE"

    def __init__(self, name: str, how: str) -> None:
        self._init(name=name, how=how)


def select(
    config: Config, requested: str | None, how: str = "option --profile"
) -> Selection | None:
    """The profile a call uses: ``requested``, else ``OINT_PROFILE``, else the file's
    ``default``, else none. An unknown name is a ``UsageError`` naming those that exist."""
    if requested is not None:
        if not requested.strip():  # given blank: never "no choice", which would be the default
            raise UsageError(f"profile {requested!r} ({how}): a blank name; give a profile's name")
        chosen = Selection(requested, how)
    elif environ(PROFILE_ENV):
        chosen = Selection(str(environ(PROFILE_ENV)), f"environment {PROFILE_ENV}")
    elif config.default:
        return Selection(config.default, f"default in {config.path}")
    else:
        return None
    if not config.exists:
        raise UsageError(
            f"profile {chosen.name!r} ({chosen.how}): there is no config file"
            f" {config.where()} (OINT_CONFIG names another)"
        )
    if chosen.name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise UsageError(
            f"profile {chosen.name!r} ({chosen.how}) is not in {config.path} (profiles: {known})"
        )
    return chosen


class Settings:
    """What a call reads besides its options, by environment-variable name: the environment
    (empty is unset), then the selected profile's value for the provider."""

    def __init__(
        self,
        provider: str | None = None,
        selection: Selection | None = None,
        table: Mapping[str, Value] | None = None,
        path: str | None = None,
    ) -> None:
        self.provider = provider
        self.selection = selection
        self.path = path
        self.table: Mapping[str, Value] = table or {}
        self._keys = {env_name(provider, key): key for key in self.table} if provider else {}
        self._from_keyring: dict[str, str] = {}

    def env(self, name: str) -> str | None:
        found = environ(name)
        return found if found is not None else self.profile_value(name)

    def key(self, name: str) -> str | None:
        """The profile's key for the variable ``name``, when the profile sets it."""
        return self._keys.get(name)

    def profile_value(self, name: str) -> str | None:
        key = self._keys.get(name)
        if key is None:
            return None
        value = self.table[key]
        if isinstance(value, KeyringRef):
            if key not in self._from_keyring:
                self._from_keyring[key] = self._keyring(key, value)
            return self._from_keyring[key]
        return _text(value) or None

    def profile_label(self) -> str:
        """``profile NAME in FILE``, where this profile's values come from."""
        name = self.selection.name if self.selection else "(none)"
        return f"profile {name} in {self.path}"

    def label(self, name: str) -> str:
        """Where the value of ``name`` comes from, for messages about it."""
        key = self._keys.get(name)
        if environ(name) is not None or key is None:
            return name
        return f"{key} of {self.profile_label()}"

    def _keyring(self, key: str, ref: KeyringRef) -> str:
        where = f"{key} of {self.profile_label()}"
        try:
            import keyring
        except ImportError:
            raise UsageError(
                f"{where} is in the system keyring, but the keyring package is not installed:"
                f" {KEYRING_EXTRA}"
            ) from None
        try:
            secret = keyring.get_password(ref.service, ref.username)
        except Exception as exc:  # keyring.errors.KeyringError and backends' own errors
            raise UsageError(
                f"{where}: the system keyring cannot be read: {type(exc).__name__}:"
                f" {' '.join(str(exc).split())}"
            ) from None
        if not secret:
            raise UsageError(
                f"{where}: the keyring has no password for service {ref.service!r}, user"
                f" {ref.username!r} (store one with: keyring set {ref.service} {ref.username})"
            )
        return secret


#: No profile: the environment only.
ENVIRONMENT = Settings()


def settings_for(
    provider: Provider, method: Method | None, requested: str | None, how: str = "option --profile"
) -> Settings:
    """The settings of one call of ``provider``'s ``method``, with the profile ``requested``
    (or ``OINT_PROFILE``'s, or the file's default). Warns once when the file holds the
    provider's secrets and others can read it."""
    config = read_config()
    selection = select(config, requested, how)
    if config.exists:
        warn_if_readable(config, provider, method)
    if selection is None:
        return ENVIRONMENT
    table = config.profiles[selection.name].get(provider.name, {})
    return Settings(provider.name, selection, table, config.path)


def secret_variables(params: Iterable[Param]) -> set[str]:
    """The environment names of the secret parameters among ``params``."""
    return {p.env for p in params if p.secret and p.env}


def _all_params(provider: Provider, method: Method | None) -> list[Param]:
    params = list(method.params) if method is not None else []
    try:
        for other in provider.load_methods():
            params.extend(other.params)
    except Exception:  # a provider that cannot list its methods says so when they are used
        pass
    return params


_warned: set[tuple[str, int, str]] = set()


def warn_if_readable(config: Config, provider: Provider, method: Method | None) -> None:
    """One warning line when the file holds a secret of ``provider`` in plain text and its
    group or others may read it (POSIX only: Windows has no such mode bits)."""
    if os.name != "posix" or not config.mode & 0o044 or config.path is None:
        return
    plain = [
        (profile, key)
        for profile, providers in config.profiles.items()
        for key, value in providers.get(provider.name, {}).items()
        if not isinstance(value, KeyringRef)
    ]
    if not plain or (config.path, config.mode, provider.name) in _warned:
        return
    secret = secret_variables(_all_params(provider, method))
    found = [
        f"profile.{profile}.{provider.name}.{key}"
        for profile, key in plain
        if env_name(provider.name, key) in secret
    ]
    if found:
        _warned.add((config.path, config.mode, provider.name))
        notices.warn(
            f"config file {config.path} holds secrets ({', '.join(found)}) and can be read"
            f" by others (mode {config.mode & 0o777:o}); run: chmod 600 {config.path}"
        )


# -- oint config ----------------------------------------------------------------------------


def report(registry: Registry, requested: str | None, only: str | None = None) -> dict[str, Any]:
    """What ``oint config`` prints: the file, the profile and how it was chosen, and per
    provider every setting it reads with its value (secrets as ``***``) and its source."""
    from .redact import MASK

    config = read_config()
    selection = select(config, requested)
    names = [registry.provider(only).name] if only else registry.provider_names
    providers: dict[str, Any] = {}
    for name in names:
        provider = registry.provider(name)
        try:
            params = [p for m in registry.methods(name) for p in m.params if p.env]
        except Exception:  # a provider whose methods cannot load: its settings are unknown
            params = []
        if config.exists:
            warn_if_readable(config, provider, None)
        table = config.profiles[selection.name].get(name, {}) if selection else {}
        settings = Settings(name, selection, table, config.path)
        prefix = env_name(name, "")
        declared: dict[str, Param] = {}
        for p in params:
            declared.setdefault(p.env or "", p)
        variables = set(declared) | {env_name(name, key) for key in table}
        variables |= {v for v in os.environ if v.startswith(prefix) and environ(v) is not None}
        secret = secret_variables(params)
        shown: dict[str, Any] = {}
        for variable in sorted(variables):
            key = variable[len(prefix) :].lower() if variable.startswith(prefix) else variable
            masked = variable in secret or (
                variable not in declared and bool(re.search(_SECRET_LOOKING, key))
            )
            shown[key] = _setting(variable, settings, declared.get(variable), masked, MASK)
        providers[name] = shown
    return {
        "config_file": config.where(),
        "exists": config.exists,
        "profile": selection.name if selection else None,
        "profile_from": selection.how if selection else None,
        "profiles": sorted(config.profiles),
        "settings": providers,
    }


def _setting(
    variable: str, settings: Settings, param: Param | None, masked: bool, mask: str
) -> dict[str, Any]:
    def shown(value: Any) -> Any:
        if masked and value not in (None, ""):
            return mask
        return (
            re.sub(_USERINFO, lambda m: f"{m[1]}{mask}@", value)
            if isinstance(value, str)
            else value
        )

    found = environ(variable)
    if found is not None:
        return {"env": variable, "value": shown(found), "from": "environment"}
    key = settings.key(variable)
    if key is not None:
        value = settings.table[key]
        source = settings.profile_label()
        if isinstance(value, KeyringRef):
            source = f"keyring {value.service} (user {value.username}), {source}"
            return {"env": variable, "value": mask, "from": source}
        return {"env": variable, "value": shown(value), "from": source}
    if param is not None and param.default is not None:
        return {"env": variable, "value": shown(param.default), "from": "default"}
    return {"env": variable, "value": None, "from": "unset"}
