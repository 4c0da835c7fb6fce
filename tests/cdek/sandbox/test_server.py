"""The sandbox as a process: a lazy werkzeug import, serve()'s URL, no access log, signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
import requests

from ..conftest import token_answer


def _subprocess_env() -> dict[str, str]:
    """The test's environment: the oint under test, installed or editable, never a path hack."""
    return dict(os.environ)


def test_importing_the_package_does_not_import_werkzeug() -> None:
    code = (
        "import sys, oint_cdek.sandbox as sandbox\n"
        "assert 'werkzeug' not in sys.modules, 'werkzeug imported eagerly'\n"
        "assert sandbox.SandboxConfig().token_ttl == 3599\n"
        "assert 'werkzeug' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.posix  # signals
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_announces_url_and_stops_on_signal(
    http: requests.Session, signum: signal.Signals
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from oint_cdek.sandbox.server import serve; serve(port=0)"],
        env=_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(30, process.kill)  # never hang the suite
    watchdog.start()
    try:
        first_line = process.stdout.readline().strip() if process.stdout else ""
        match = re.fullmatch(r"OINT_CDEK_BASE_URL=(http://127\.0\.0\.1:(\d+)/v2)", first_line)
        assert match, first_line
        base_url = match.group(1)
        assert int(match.group(2)) > 0
        answer = token_answer(http, base_url)
        assert answer.status_code == 200
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "POST /v2/oauth/token" not in stderr  # no access log
    with pytest.raises(requests.ConnectionError):
        http.get(f"{base_url}/orders", timeout=2)
