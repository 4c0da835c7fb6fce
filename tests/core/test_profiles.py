"""Profiles: settings from config.toml, after the option and the environment, before defaults.

Every test here runs ``oint`` as a real process against a server on 127.0.0.1 (or a refusing
proxy there, to see which CDEK host a call aims at without anything leaving the machine), with
``OINT_CONFIG`` naming a file the test writes.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .conftest import oint_command

ORDER = "72753031-0a3b-4bd5-8b0a-1f4a4d2f3d4e"
GET_ORDER = ["cdek", "GetOrder", "--uuid", ORDER]
PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy")


def run(
    args: list[str], config: Path | None = None, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """``oint ARGS`` as a process; ``env`` entries set (or, given None, remove) variables."""
    environment = dict(os.environ)
    if config is not None:
        environment["OINT_CONFIG"] = str(config)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [*oint_command(), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def write_config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def cdek(httpserver: HTTPServer) -> HTTPServer:
    """A CDEK stand-in that answers GetOrder and records the bearer token each call sent."""
    httpserver.expect_request(f"/v2/orders/{ORDER}").respond_with_json({"entity": {"uuid": ORDER}})
    return httpserver


def bearers(server: HTTPServer) -> list[str]:
    return [request.headers.get("Authorization", "") for request, _ in server.log]


# -- precedence: option, then environment, then profile, then the built-in default ---------


@pytest.mark.parametrize(
    ("option", "environment", "expected"),
    [
        (None, None, "Bearer tok-profile"),
        (None, "tok-env", "Bearer tok-env"),
        ("tok-option", "tok-env", "Bearer tok-option"),
    ],
)
def test_a_token_comes_from_the_option_then_the_environment_then_the_profile(
    cdek: HTTPServer, tmp_path: Path, option: str | None, environment: str | None, expected: str
) -> None:
    config = write_config(
        tmp_path,
        f'default = "shop"\n[profile.shop.cdek]\ntoken = "tok-profile"\n'
        f'base_url = "{cdek.url_for("/v2")}"\n',
    )
    args = [*GET_ORDER, *(["--token", option] if option else [])]
    done = run(args, config, OINT_CDEK_TOKEN=environment, OINT_CDEK_BASE_URL=None)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"entity": {"uuid": ORDER}}
    assert bearers(cdek) == [expected]


def test_the_environments_base_url_beats_the_profiles(cdek: HTTPServer, tmp_path: Path) -> None:
    with HTTPServer(host="127.0.0.1") as other:
        config = write_config(
            tmp_path,
            f'[profile.shop.cdek]\ntoken = "tok"\nbase_url = "{other.url_for("/v2")}"\n',
        )
        done = run(
            [*GET_ORDER, "--profile", "shop"], config, OINT_CDEK_BASE_URL=cdek.url_for("/v2")
        )
        assert done.returncode == 0, done.stderr
        assert other.log == []
    assert bearers(cdek) == ["Bearer tok"]


@pytest.mark.parametrize("from_environment", [False, True])
def test_a_bad_base_url_is_named_where_it_was_set(tmp_path: Path, from_environment: bool) -> None:
    config = write_config(tmp_path, '[profile.shop.cdek]\ntoken = "tok"\nbase_url = "ftp://x"\n')
    env = {"OINT_CDEK_BASE_URL": "ftp://x" if from_environment else None}
    done = run([*GET_ORDER, "--profile", "shop"], config, **env)
    assert done.returncode == 2
    where = "OINT_CDEK_BASE_URL" if from_environment else f"base_url of profile shop in {config}"
    assert done.stderr.startswith(f"oint: usage error: {where}: 'ftp://x' is not an http")
    assert len(done.stderr.splitlines()) == 1


@pytest.fixture
def proxy(httpserver: HTTPServer) -> HTTPServer:
    """A 'proxy' on loopback that refuses every tunnel: it records which host a call aimed
    at (CDEK's test or production API), and nothing leaves the machine."""
    httpserver.no_handler_status_code = 502
    return httpserver


def aimed_at(proxy: HTTPServer, args: list[str], config: Path, **env: str | None) -> str:
    settings: dict[str, str | None] = {name: None for name in PROXY_NAMES}
    settings["HTTPS_PROXY"] = proxy.url_for("/")
    settings["OINT_CDEK_BASE_URL"] = None
    done = run([*args, "--retries", "0"], config, **{**settings, **env})
    assert done.returncode == 3, done.stderr  # the proxy refused the tunnel
    [(request, _)] = proxy.log
    proxy.clear_log()
    assert request.method == "CONNECT"
    return str(request.environ["REQUEST_URI"])


TEST_HOST, PRODUCTION_HOST = "api.edu.cdek.ru:443", "api.cdek.ru:443"


@pytest.mark.parametrize(
    ("profile", "environment", "option", "expected"),
    [
        (None, None, None, PRODUCTION_HOST),  # the built-in default: false
        ("true", None, None, TEST_HOST),
        ("true", "false", None, PRODUCTION_HOST),
        ("false", "true", None, TEST_HOST),
        ("false", "true", "false", PRODUCTION_HOST),
        (None, None, "true", TEST_HOST),
    ],
)
def test_testapi_comes_from_the_option_environment_profile_or_default(
    proxy: HTTPServer,
    tmp_path: Path,
    profile: str | None,
    environment: str | None,
    option: str | None,
    expected: str,
) -> None:
    setting = f"testapi = {profile}\n" if profile else ""
    config = write_config(tmp_path, f'default = "p"\n[profile.p.cdek]\ntoken = "t"\n{setting}')
    args = [*GET_ORDER, *(["--testapi", option] if option else [])]
    assert aimed_at(proxy, args, config, OINT_CDEK_TESTAPI=environment) == expected


def test_a_profiles_testapi_that_is_not_a_boolean_is_a_usage_error_naming_it(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, '[profile.p.cdek]\ntoken = "t"\ntestapi = "maybe"\n')
    done = run([*GET_ORDER, "--profile", "p"], config)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "testapi of profile p in" in done.stderr and "'maybe'" in done.stderr


# -- choosing the profile -------------------------------------------------------------------

TWO_SHOPS = """\
default = "one"

[profile.one.cdek]
token = "tok-one"
base_url = "{url}"

[profile.two.cdek]
token = "tok-two"
base_url = "{url}"
"""


@pytest.mark.parametrize(
    ("option", "environment", "expected"),
    [
        (None, None, "Bearer tok-one"),  # the file's default
        (None, "two", "Bearer tok-two"),  # OINT_PROFILE
        ("one", "two", "Bearer tok-one"),  # --profile beats OINT_PROFILE
        ("two", None, "Bearer tok-two"),
    ],
)
def test_the_profile_is_the_options_then_oint_profiles_then_the_files_default(
    cdek: HTTPServer, tmp_path: Path, option: str | None, environment: str | None, expected: str
) -> None:
    config = write_config(tmp_path, TWO_SHOPS.format(url=cdek.url_for("/v2")))
    args = [*GET_ORDER, *(["--profile", option] if option else [])]
    done = run(args, config, OINT_PROFILE=environment, OINT_CDEK_BASE_URL=None)
    assert done.returncode == 0, done.stderr
    assert bearers(cdek) == [expected]


def test_without_a_default_or_a_choice_no_profile_is_read(cdek: HTTPServer, tmp_path: Path) -> None:
    text = TWO_SHOPS.format(url="http://127.0.0.1:9/v2").replace('default = "one"\n', "")
    config = write_config(tmp_path, text)
    env = {"OINT_CDEK_BASE_URL": cdek.url_for("/v2"), "OINT_CDEK_TOKEN": "tok-env"}
    done = run(GET_ORDER, config, **env)
    assert done.returncode == 0, done.stderr
    assert bearers(cdek) == ["Bearer tok-env"]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unknown_profile_is_a_usage_error_naming_the_profiles(
    cdek: HTTPServer, tmp_path: Path, how: str
) -> None:
    config = write_config(tmp_path, TWO_SHOPS.format(url=cdek.url_for("/v2")))
    if how == "option":
        done = run([*GET_ORDER, "--profile", "three"], config)
    else:
        done = run(GET_ORDER, config, OINT_PROFILE="three")
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("oint: usage error: profile 'three'")
    assert "(profiles: one, two)" in line and str(config) in line
    assert cdek.log == []


def test_a_profile_asked_for_without_a_config_file_is_a_usage_error(tmp_path: Path) -> None:
    done = run([*GET_ORDER, "--profile", "shop"], tmp_path / "missing.toml")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "profile 'shop'" in line and "missing.toml" in line


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_profile_option_is_a_usage_error_not_the_default_profile(
    cdek: HTTPServer, tmp_path: Path, blank: str
) -> None:
    """``--profile "$SHOP"`` with SHOP unset must not run on the default (production) one."""
    config = write_config(tmp_path, TWO_SHOPS.format(url=cdek.url_for("/v2")))
    for args in ([*GET_ORDER, "--profile", blank], ["config", "--profile", blank]):
        done = run(args, config, OINT_PROFILE="two")
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        [line] = done.stderr.splitlines()
        assert line.startswith("oint: usage error: Invalid value for '--profile'")
        assert "blank" in line
    assert cdek.log == []


def test_dispatch_takes_a_profile(cdek: HTTPServer, tmp_path: Path, monkeypatch) -> None:
    import oint_core

    config = write_config(tmp_path, TWO_SHOPS.format(url=cdek.url_for("/v2")))
    monkeypatch.setenv("OINT_CONFIG", str(config))
    monkeypatch.delenv("OINT_CDEK_BASE_URL")
    assert oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, profile="two") == {
        "entity": {"uuid": ORDER}
    }
    assert oint_core.dispatch("cdek", "GetOrder", uuid=ORDER) == {"entity": {"uuid": ORDER}}
    assert bearers(cdek) == ["Bearer tok-two", "Bearer tok-one"]
    with pytest.raises(oint_core.UsageError, match=r"profile 'three' \(parameter profile\)"):
        oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, profile="three")
    with pytest.raises(oint_core.UsageError, match="not a profile name"):
        oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, profile=3)


# -- a malformed file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('default = "a"\n[profile.a.cdek\ntoken = "t"\n', 2, "Expected"),
        ('[profile.a.cdek]\naccount = "x"\ntoken = \n', 3, "Invalid value"),
        ('[profile.a.cdek]\naccount = "x"\ntoken = ["t"]\n', 3, "profile.a.cdek.token is a list"),
        ('[profile.a]\ncdek = "x"\n', 2, "profile.a.cdek must be a table of settings"),
        ('default = "b"\n\n[profile.a.cdek]\ntoken = "t"\n', 1, "names no profile"),
        ("[profile.a.cdek]\npassword = {keyring = 1}\n", 2, "keyring"),
        (b"[profile.a.cdek]\ntoken = '\xff'\n", 2, "not UTF-8"),
        # Names differing only in case would silently overwrite each other.
        (
            '[profile.a.CDEK]\nToken = "x"\n\n[profile.a.cdek]\ntoken = "y"\n',
            4,
            "profile.a.cdek is the same table as profile.a.CDEK",
        ),
        (
            '[profile.a.cdek]\nToken = "x"\ntoken = "y"\n',
            3,
            "profile.a.cdek.token is the same setting as profile.a.cdek.Token",
        ),
        # Names --profile cannot choose.
        ('[profile."".cdek]\ntoken = "x"\n', 1, 'profile."" is not a name --profile can'),
        ('[profile." a ".cdek]\ntoken = "x"\n', 1, 'profile." a " is not a name'),
        ('[profile.a.""]\ntoken = "x"\n', 1, 'profile.a."" names no provider'),
    ],
)
def test_a_malformed_file_is_one_usage_error_line_naming_the_file_and_line(
    tmp_path: Path, text: str | bytes, line: int, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    path.chmod(0o600)
    for args in (GET_ORDER, ["config"]):
        done = run([*args, "--token", "t"] if args is GET_ORDER else args, path)
        assert done.returncode == 2, done.stderr
        [message] = done.stderr.splitlines()
        assert message.startswith(f"oint: usage error: config file {path}, line {line}")
        assert words in message
        assert "Traceback" not in done.stderr


@pytest.mark.posix
def test_a_config_file_that_is_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer: every call would hang."""
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    for args in ([*GET_ORDER, "--token", "t"], ["config"]):
        done = subprocess.run(
            [*oint_command(), *args],
            capture_output=True,
            text=True,
            env={**os.environ, "OINT_CONFIG": str(path)},
            timeout=20,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            f"oint: usage error: config file {path}: is not a regular file"
            " (OINT_CONFIG names another file)"
        ]


def test_a_config_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    done = run(["config"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"oint: usage error: config file {tmp_path}: is a folder (OINT_CONFIG names another file)"
    ]


def test_help_never_reads_the_config_file(tmp_path: Path) -> None:
    """--help (and a bare group) must not pay for reading, or trip on, the config file."""
    config = write_config(tmp_path, "this is [ not toml\n")
    for args in (["--help"], ["cdek"], [*GET_ORDER, "--help"], ["config", "--help"]):
        done = run(args, config)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr == ""
    assert "--profile NAME" in run([*GET_ORDER, "--help"], config).stdout
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "oint", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "OINT_CONFIG": str(config)},
        check=True,
    )
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in importtime.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "oint_core.cli" in imported
    assert not imported & {"oint_core.profiles", "tomllib", "tomli", "keyring"}


# -- secrets in a file others can read ------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")
@pytest.mark.parametrize(
    ("mode", "settings", "warned"),
    [
        (0o644, 'token = "tok"', True),
        (0o640, 'password = "pw-secret"\naccount = "acc"', True),
        (0o600, 'token = "tok"', False),
        (0o644, 'testapi = false\naccount = "acc"', False),  # nothing secret in it
        (0o644, 'password = {keyring = "oint-test"}\ntoken = "tok"', True),
        (0o644, 'password = {keyring = "oint-test"}', False),  # the secret is not in the file
    ],
)
def test_secrets_in_a_file_others_can_read_give_one_warning_line(
    cdek: HTTPServer, tmp_path: Path, mode: int, settings: str, warned: bool
) -> None:
    config = write_config(tmp_path, f'default = "p"\n[profile.p.cdek]\n{settings}\n', mode)
    done = run([*GET_ORDER, "--token", "tok"], config, OINT_CDEK_BASE_URL=cdek.url_for("/v2"))
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "can be read by others" in line]
    assert len(warnings) == (1 if warned else 0), done.stderr
    if warned:
        assert warnings[0].startswith(f"oint: warning: config file {config} holds secrets")
        assert f"chmod 600 {config}" in warnings[0]
        assert "pw-secret" not in done.stderr and "tok)" not in done.stderr
    assert done.stderr.count("\n") == len(warnings)


# -- oint config ----------------------------------------------------------------------------


def config_report(config: Path, *args: str, **env: str | None) -> dict:
    done = run(["config", *args], config, **env)
    assert done.returncode == 0, done.stderr
    assert "s3cret" not in done.stdout + done.stderr
    report: dict = json.loads(done.stdout)
    return report


def test_oint_config_shows_each_setting_its_source_and_masks_secrets(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        'default = "shop"\n'
        "[profile.shop.cdek]\n"
        'account = "acc-1"\ntoken = "tok-s3cret"\ntestapi = true\n'
        'base_url = "http://127.0.0.1:9/v2"\n'
        "[profile.other.cdek]\n"
        'password = {keyring = "oint-cdek"}\n',
    )
    report = config_report(
        config,
        OINT_CDEK_PASSWORD="pw-s3cret",
        OINT_CDEK_ACCOUNT="acc-env",
        OINT_CDEK_BASE_URL=None,
    )
    assert report["config_file"] == str(config)
    assert report["exists"] is True
    assert report["profile"] == "shop"
    assert report["profile_from"] == f"default in {config}"
    assert report["profiles"] == ["other", "shop"]
    cdek = report["settings"]["cdek"]
    in_profile = f"profile shop in {config}"
    assert cdek["token"] == {"env": "OINT_CDEK_TOKEN", "value": "***", "from": in_profile}
    assert cdek["password"] == {"env": "OINT_CDEK_PASSWORD", "value": "***", "from": "environment"}
    assert cdek["account"] == {
        "env": "OINT_CDEK_ACCOUNT",
        "value": "acc-env",
        "from": "environment",
    }
    assert cdek["testapi"] == {"env": "OINT_CDEK_TESTAPI", "value": True, "from": in_profile}
    assert cdek["base_url"]["value"] == "http://127.0.0.1:9/v2"

    other = config_report(config, "--profile", "other", OINT_CDEK_BASE_URL=None)
    assert other["profile_from"] == "option --profile"
    cdek = other["settings"]["cdek"]
    assert cdek["password"] == {
        "env": "OINT_CDEK_PASSWORD",
        "value": "***",
        "from": f"keyring oint-cdek (user other), profile other in {config}",
    }
    assert cdek["testapi"] == {"env": "OINT_CDEK_TESTAPI", "value": False, "from": "default"}
    assert cdek["token"] == {"env": "OINT_CDEK_TOKEN", "value": None, "from": "unset"}
    assert "base_url" not in cdek

    chosen = config_report(config, "cdek", OINT_PROFILE="other", OINT_CDEK_BASE_URL=None)
    assert chosen["profile_from"] == "environment OINT_PROFILE"
    assert list(chosen["settings"]) == ["cdek"]


def test_oint_config_masks_credentials_inside_urls(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        '[profile.p.cdek]\nbase_url = "http://me:s3cret-in-file@127.0.0.1:9/v2"\n'
        'proxy_url = "socks5://s3cret-user@proxy.example:1080"\n',
    )
    report = config_report(
        config,
        "cdek",
        "--profile",
        "p",
        OINT_CDEK_BASE_URL="https://user:s3cretpass@host.example/v2",
    )
    cdek = report["settings"]["cdek"]
    assert cdek["base_url"]["value"] == "https://***@host.example/v2"
    assert cdek["proxy_url"]["value"] == "socks5://***@proxy.example:1080"
    in_file = config_report(config, "cdek", "--profile", "p", OINT_CDEK_BASE_URL=None)
    assert in_file["settings"]["cdek"]["base_url"]["value"] == "http://***@127.0.0.1:9/v2"


def test_the_documented_sample_profile_works_against_the_sandbox(tmp_path: Path) -> None:
    """docs/configuration.md's sandbox profile, as written (only its port is the test's)."""
    from oint_cdek.sandbox.server import start_sandbox

    page = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text("utf-8")
    [sample] = re.findall(r'```toml title="~/.config/oint/config.toml"\n(.*?)```', page, re.S)
    assert 'base_url = "http://127.0.0.1:8080/v2"' in sample
    with start_sandbox() as sandbox:
        config = write_config(
            tmp_path, sample.replace("http://127.0.0.1:8080/v2", sandbox.base_url)
        )
        done = run(
            ["cdek", "GetRegionsList", "--size", "1", "--profile", "sandbox"],
            config,
            OINT_CDEK_BASE_URL=None,
        )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 1


def test_oint_config_without_a_file_says_so(tmp_path: Path) -> None:
    report = config_report(tmp_path / "none.toml", OINT_CDEK_TOKEN="tok-s3cret")
    assert report["config_file"] == str(tmp_path / "none.toml")
    assert report["exists"] is False
    assert report["profile"] is None and report["profiles"] == []
    assert report["settings"]["cdek"]["token"] == {
        "env": "OINT_CDEK_TOKEN",
        "value": "***",
        "from": "environment",
    }


def test_the_config_file_is_in_the_users_config_folder(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG rule is Linux's")
    folder = tmp_path / "xdg"
    done = run(["config"], None, OINT_CONFIG=None, XDG_CONFIG_HOME=str(folder))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["config_file"] == str(folder / "oint" / "config.toml")


def test_user_config_dir_agrees_with_platformdirs(monkeypatch, tmp_path: Path) -> None:
    import platformdirs

    from oint_core import paths

    monkeypatch.setenv("HOME", str(tmp_path))
    for xdg in (str(tmp_path / "xdg"), None):
        if xdg is None:
            monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
        assert paths.user_config_dir() == platformdirs.user_config_dir("oint", appauthor=False)
    if sys.platform.startswith("linux"):
        # The XDG spec: a relative path is invalid and ignored (as for the cache folder).
        monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
        assert paths.user_config_dir() == str(tmp_path / ".config" / "oint")


def test_profile_is_a_reserved_option_and_keyword() -> None:
    from oint_core.metadata import RESERVED_KEYWORDS, RESERVED_OPTIONS

    assert "--profile" in RESERVED_OPTIONS and "profile" in RESERVED_KEYWORDS


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_files_mode_is_left_alone(cdek: HTTPServer, tmp_path: Path) -> None:
    """oint warns about a readable file; it never changes the user's file itself."""
    config = write_config(tmp_path, '[profile.p.cdek]\ntoken = "tok"\n', 0o644)
    run([*GET_ORDER, "--profile", "p"], config, OINT_CDEK_BASE_URL=cdek.url_for("/v2"))
    assert _mode(config) == 0o644
