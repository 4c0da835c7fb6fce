"""The ``cdek_sandbox`` fixture users get with oint: registered through the ``pytest11`` entry
point (this suite has no conftest for it: it is loaded here exactly as in a user's session),
light to import, pointing oint at a fresh sandbox and restoring the environment afterwards,
and the example of docs/sandbox.md running as written."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

import oint_core
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.testing import CdekSandbox

DOCS = Path(__file__).resolve().parents[2] / "docs"
ORDER = {
    "number": "plugin-1",
    "tariff_code": 138,
    "recipient": {"name": "Иванов Иван", "phones": [{"number": "+79134637228"}]},
    "from_location": {"code": 44, "address": "Москва, ул. Лесная, 1"},
    "delivery_point": "NSK27",
    "packages": [{"number": "box-1", "weight": 1200}],
}
PLUGIN_VARIABLES = (
    "OINT_CDEK_BASE_URL",
    "OINT_CDEK_ACCOUNT",
    "OINT_CDEK_PASSWORD",
    "OINT_CACHE_DIR",
    "OINT_CONFIG",
    "OINT_CDEK_TOKEN",
    "OINT_CDEK_TESTAPI",
    "OINT_PROFILE",
)


def run_pytest(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run pytest on ``folder`` in a subprocess, as a user would (no conftest of ours; the
    plugin comes from the installed entry point); its output, after checking it passed."""
    environment = {k: v for k, v in (env or os.environ).items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return done.stdout


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``oint ARGS`` of this Python in a subprocess, with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "oint", *args], capture_output=True, text=True, timeout=60
    )


# -- registration and weight ---------------------------------------------------------------------


def test_installing_oint_registers_the_plugin_with_pytest(pytestconfig: pytest.Config) -> None:
    declared = {
        (ep.name, ep.value)
        for ep in importlib.metadata.distribution("oint").entry_points
        if ep.group == "pytest11"
    }
    assert declared == {("oint_cdek", "oint_cdek.pytest_plugin")}
    # Loaded into this very session through that entry point: no conftest names it.
    plugin = pytestconfig.pluginmanager.get_plugin("oint_cdek")
    assert plugin is not None and plugin.__name__ == "oint_cdek.pytest_plugin"
    assert any(line.startswith("cdek_sandbox(") for line in pytestconfig.getini("markers"))


def test_importing_the_plugin_loads_nothing_but_itself() -> None:
    """pytest imports it in every session of every project once oint is installed."""
    probe = textwrap.dedent(
        """
        import sys, pytest
        before = set(sys.modules)
        import oint_cdek.pytest_plugin
        print(sorted(set(sys.modules) - before))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.replace("'", '"')) == ["oint_cdek", "oint_cdek.pytest_plugin"]


# -- the fixture in this suite (loaded from the entry point) -------------------------------------


@pytest.fixture
def a_token_of_yours(monkeypatch: pytest.MonkeyPatch) -> str:
    """A user's own token in the environment, set before the sandbox fixture starts."""
    monkeypatch.setenv("OINT_CDEK_TOKEN", "a-token-of-yours")
    return "a-token-of-yours"


def test_the_environment_points_oint_at_the_sandbox(
    a_token_of_yours: str, cdek_sandbox: CdekSandbox
) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v2", cdek_sandbox.base_url)
    assert (cdek_sandbox.account, cdek_sandbox.password) == (TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    assert os.environ["OINT_CDEK_BASE_URL"] == cdek_sandbox.base_url
    assert os.environ["OINT_CDEK_ACCOUNT"] == TEST_ACCOUNT
    assert os.environ["OINT_CDEK_PASSWORD"] == TEST_SECURE_PASSWORD
    assert os.environ["OINT_CACHE_DIR"] == str(cdek_sandbox.cache_dir)
    assert "OINT_CDEK_TOKEN" not in os.environ  # else oint would send it instead
    assert not Path(os.environ["OINT_CONFIG"]).exists()
    assert cdek_sandbox.env == {k: os.environ.get(k, "") for k in PLUGIN_VARIABLES}
    # In process: a token is fetched with the test account, kept in memory only.
    regions = cdek_sandbox.client().call("GetRegionsList", countries=["RU"])
    assert {"region": "Москва", "country_code": "RU"}.items() <= regions[0].items()
    log = cdek_sandbox.requests()
    assert [r["path"] for r in log] == ["/v2/oauth/token", "/v2/location/regions"]
    assert not (cdek_sandbox.cache_dir / "cdek").exists()  # no token file in process


def test_an_oint_subprocess_caches_its_token_in_the_private_folder(
    cdek_sandbox: CdekSandbox,
) -> None:
    users_cache = Path(os.environ["XDG_CACHE_HOME"])  # the suite's stand-in for ~/.cache
    for _ in range(2):
        done = cli("cdek", "GetRegionsList", "--countries", "RU")
        assert done.returncode == 0, done.stderr
        assert TEST_SECURE_PASSWORD not in done.stdout + done.stderr
    assert [r["path"] for r in cdek_sandbox.requests()].count("/v2/oauth/token") == 1
    assert len(list((cdek_sandbox.cache_dir / "cdek").glob("*.json"))) == 1
    assert not (users_cache / "oint" / "cdek").exists()


def test_an_order_travels_and_is_refused(cdek_sandbox: CdekSandbox) -> None:
    cdek = cdek_sandbox.client()
    order_uuid = cdek.call("CreateOrder", order_description=ORDER, online_store=True)["entity"][
        "uuid"
    ]
    with pytest.raises(ValueError, match="is not created"):
        cdek_sandbox.move_order(order_uuid, "ACCEPTED_AT_PICK_UP_POINT")  # not processed yet
    before = datetime.now().astimezone()
    assert cdek_sandbox.advance(5) > before
    moved = cdek_sandbox.move_order(order_uuid, "ACCEPTED_AT_PICK_UP_POINT")
    assert moved["entity"]["statuses"][0]["code"] == "ACCEPTED_AT_PICK_UP_POINT"
    with pytest.raises(ValueError, match="comes at or after CREATED"):
        cdek_sandbox.move_order(order_uuid, "CREATED")  # not ahead on its way
    with pytest.raises(LookupError, match="no order"):
        cdek_sandbox.move_order("00000000-0000-4000-8000-000000000000", "DELIVERED")

    cdek.call("CreateRefusal", uuid=order_uuid)
    cdek_sandbox.advance(5)
    latest = cdek.call("GetOrder", uuid=order_uuid)["entity"]["statuses"][0]
    assert (latest["code"], latest["reason_code"]) == ("NOT_DELIVERED", "11")


def test_a_pushed_status_and_a_reset(cdek_sandbox: CdekSandbox) -> None:
    cdek = cdek_sandbox.client()
    order_uuid = cdek.call("CreateOrder", order_description=ORDER, online_store=True)["entity"][
        "uuid"
    ]
    cdek_sandbox.advance(5)
    pushed = cdek_sandbox.push_status(order_uuid, "NOT_DELIVERED", reason_code=11)
    assert pushed["entity"]["statuses"][0]["reason_code"] == "11"
    assert cdek_sandbox.clear_requests() == 2  # the token, the order

    cdek_sandbox.reset()
    with pytest.raises(oint_core.ApiError) as refused:
        cdek.call("GetOrder", uuid=order_uuid)
    assert "v2_entity_not_found" in refused.value.codes
    # The forgotten token is not sent to the reset sandbox: a fresh one, no 401 first.
    assert [(r["path"], r["status"]) for r in cdek_sandbox.requests()] == [
        ("/v2/oauth/token", 200),
        (f"/v2/orders/{order_uuid}", 400),
    ]


def test_faults_are_injected_listed_and_used_up(cdek_sandbox: CdekSandbox) -> None:
    cdek = cdek_sandbox.client()
    queued = cdek_sandbox.inject_fault("http_503", path="/location/regions$", count=1)
    assert queued["kind"] == "http_503"
    assert [f["kind"] for f in cdek_sandbox.faults()] == ["http_503"]
    with pytest.raises(oint_core.OintError):
        cdek.call("GetRegionsList", countries=["RU"], retries=0)
    assert cdek_sandbox.faults() == []
    assert cdek.call("GetRegionsList", countries=["RU"], retries=0)
    faults = [(r["path"], r["fault"]) for r in cdek_sandbox.requests()]
    assert faults[-2:] == [("/v2/location/regions", "http_503"), ("/v2/location/regions", None)]

    cdek_sandbox.inject_fault("drop", count=2)
    assert cdek_sandbox.clear_faults() == 1
    with pytest.raises(ValueError, match="unknown fault kind"):
        cdek_sandbox.inject_fault("http_418")
    with pytest.raises(ValueError, match="count"):
        cdek_sandbox.inject_fault("http_500", count=0)


@pytest.mark.cdek_sandbox(processing_delay=0, accounts={"acme-shop": "acme-secret"})
def test_the_marker_configures_the_sandbox(cdek_sandbox: CdekSandbox) -> None:
    assert (cdek_sandbox.account, cdek_sandbox.password) == ("acme-shop", "acme-secret")
    assert os.environ["OINT_CDEK_ACCOUNT"] == "acme-shop"
    cdek = cdek_sandbox.client()
    order_uuid = cdek.call("CreateOrder", order_description=ORDER, online_store=True)["entity"][
        "uuid"
    ]
    # processing_delay=0: processed at once, no advance needed.
    latest = cdek.call("GetOrder", uuid=order_uuid)["entity"]["statuses"][0]
    assert latest["code"] == "CREATED"


def test_the_client_is_bound_to_its_sandbox_whatever_the_environment_says(
    cdek_sandbox: CdekSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client is a connected oint client: its address and account are its own, so a test
    that changes OINT_CDEK_BASE_URL (or sets a token) cannot send it to CDEK itself."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", "https://api.cdek.ru/v2")
    monkeypatch.setenv("OINT_CDEK_TOKEN", "a-production-token-0000")
    cdek = cdek_sandbox.client()
    assert cdek.get_regions_list(countries=["RU"], size=1)[0]["country_code"] == "RU"
    assert [r["path"] for r in cdek_sandbox.requests()] == [
        "/v2/oauth/token",
        "/v2/location/regions",
    ]
    cdek_sandbox.reset()  # the sandbox forgets the token: the client fetches a new one
    assert cdek.call("GetRegionsList", size=1)
    assert [(r["path"], r["status"]) for r in cdek_sandbox.requests()] == [
        ("/v2/oauth/token", 200),
        ("/v2/location/regions", 200),
    ]


# -- as a user runs it ----------------------------------------------------------------------------


def test_the_environment_is_restored_and_the_sandbox_stopped_after_the_test(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import os
            import socket
            from urllib.parse import urlsplit

            NAMES = __NAMES__
            BEFORE = {name: os.environ.get(name) for name in NAMES}
            SEEN = []

            def test_with_the_sandbox(cdek_sandbox):
                assert os.environ["OINT_CDEK_BASE_URL"] == cdek_sandbox.base_url
                assert "OINT_CDEK_TOKEN" not in os.environ
                SEEN.append(cdek_sandbox.base_url)

            def test_afterwards():
                assert {name: os.environ.get(name) for name in NAMES} == BEFORE
                address = urlsplit(SEEN[0])
                probe = socket.socket()
                try:
                    assert probe.connect_ex((address.hostname, address.port)) != 0
                finally:
                    probe.close()
            """
        ).replace("__NAMES__", repr(PLUGIN_VARIABLES)),
        encoding="utf-8",
    )
    env = {**os.environ, "OINT_CDEK_TOKEN": "a-token-of-yours"}
    env.pop("OINT_CACHE_DIR", None)
    output = run_pytest(tmp_path, "test_user.py", env=env)
    assert "2 passed" in output


USERS_CONFIG = """\
default = "prod"

[profile.prod.cdek]
token = "PRODUCTION-TOKEN-abcdef123456"
"""


@pytest.mark.parametrize("oint_profile", [None, "no-such-profile"])
def test_the_users_config_file_and_profile_never_reach_the_sandbox(
    tmp_path: Path, oint_profile: str | None
) -> None:
    """A user whose config.toml defaults to a production profile (or whose OINT_PROFILE names
    a profile it lacks): fixture tests still run on the sandbox's test account, in process
    and in a subprocess given ``cdek_sandbox.env``."""
    home = tmp_path / "home"
    (home / ".config" / "oint").mkdir(parents=True)
    users_config = home / ".config" / "oint" / "config.toml"
    users_config.write_text(USERS_CONFIG, encoding="utf-8")
    users_config.chmod(0o600)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env.pop("OINT_CONFIG", None)  # the suite's own shield
    env["OINT_CDEK_TESTAPI"] = "maybe"  # not a boolean: every call would be a usage error
    if oint_profile is not None:
        env["OINT_PROFILE"] = oint_profile
    # The premise: outside the fixture, oint does read that file and that profile.
    premise = subprocess.run(
        [sys.executable, "-m", "oint", "config", "cdek"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if oint_profile is None:
        assert json.loads(premise.stdout)["profile"] == "prod", premise.stderr
    else:
        assert premise.returncode == 2 and "no-such-profile" in premise.stderr

    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import os, subprocess, sys
            import oint_core

            USERS = dict(os.environ)  # before any fixture: the user's own environment

            def test_in_process(cdek_sandbox):
                assert len(oint_core.dispatch("cdek", "GetRegionsList", size=1)) == 1
                log = cdek_sandbox.requests()
                assert [r["path"] for r in log] == ["/v2/oauth/token", "/v2/location/regions"]
                assert {r["account"] for r in log} == {cdek_sandbox.account}

            def test_a_subprocess_given_the_env(cdek_sandbox):
                done = subprocess.run(
                    [sys.executable, "-m", "oint", "cdek", "GetRegionsList", "--size", "1"],
                    env={**USERS, **cdek_sandbox.env},
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                assert done.returncode == 0, done.stderr
                assert {r["account"] for r in cdek_sandbox.requests()} == {cdek_sandbox.account}
            """
        ),
        encoding="utf-8",
    )
    output = run_pytest(tmp_path, "test_user.py", env=env)
    assert "2 passed" in output
    assert "PRODUCTION-TOKEN" not in output


def documented_example() -> str:
    page = (DOCS / "sandbox.md").read_text(encoding="utf-8")
    [example] = re.findall(r'```python title="test_refusal\.py"\n(.*?)\n```', page, re.S)
    return example + "\n"


def test_the_documented_example_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "test_refusal.py").write_text(documented_example(), encoding="utf-8")
    users_cache = Path(os.environ["XDG_CACHE_HOME"])
    output = run_pytest(tmp_path, "-v", "test_refusal.py")
    assert "test_a_refused_parcel_ends_not_delivered PASSED" in output
    assert "test_the_cli_refuses_again_after_a_bad_gateway PASSED" in output
    assert "2 passed" in output
    assert not (users_cache / "oint" / "cdek").exists()  # the CLI's tokens went elsewhere
