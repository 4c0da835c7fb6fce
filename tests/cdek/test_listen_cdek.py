"""``oint listen cdek``: CDEK's events as the receiver takes them, and ``--subscribe`` against
the sandbox: the subscriptions it makes on start are CreateWebhook's, it removes exactly
those on exit, and it respects CDEK's limit of two per account, counting the ones the
account already holds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from oint_cdek.testing import CdekSandbox

pytestmark = pytest.mark.posix

SECRET = "listen-secret-for-the-tests"


def oint_command() -> list[str]:
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]


def start(sandbox: CdekSandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*oint_command(), "listen", "cdek", "--port", "0", "--secret", SECRET, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **sandbox.env},
    )


def hooks(sandbox: CdekSandbox) -> list[dict[str, Any]]:
    found = sandbox.client().call("GetWebhookList")
    assert isinstance(found, list)
    return found


def read_until(process: subprocess.Popen[str], count: int) -> list[str]:
    assert process.stderr is not None
    lines = []
    for _ in range(count):
        lines.append(process.stderr.readline().rstrip("\n"))
    return lines


def test_subscriptions_are_made_on_start_and_removed_on_exit(cdek_sandbox: CdekSandbox) -> None:
    kept = cdek_sandbox.client().call(
        "CreateWebhook", url="https://shop.example/cdek", type="DELIV_PROBLEM"
    )["entity"]["uuid"]
    process = start(cdek_sandbox, "--subscribe", "--type", "order_status")
    url, note, made = read_until(process, 3)
    assert note.startswith("oint: note: this URL is on loopback")
    assert url.endswith(f"/cdek?token={SECRET}")
    ours = [h for h in hooks(cdek_sandbox) if h["uuid"] != kept]
    assert [(h["type"], h["url"]) for h in ours] == [("ORDER_STATUS", url)]
    assert made == f"oint: subscribed to ORDER_STATUS (subscription {ours[0]['uuid']})"
    # The URL it subscribed is where events arrive.
    event = {
        "type": "PRINT_FORM",
        "date_time": "2024-08-19T10:02:15+0000",
        "uuid": "fc3ef89a-0727-4a26-8d07-81a0bfd11d22",
        "attributes": {"type": "WAYBILL", "url": "https://x/y.pdf"},
    }
    with requests.Session() as session:
        session.trust_env = False
        assert session.post(url, json=event, timeout=10).status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.splitlines() == [
        f"oint: unsubscribed from ORDER_STATUS (subscription {ours[0]['uuid']})"
    ]
    assert [h["uuid"] for h in hooks(cdek_sandbox)] == [kept]  # exactly ours removed
    assert [json.loads(line) for line in out.splitlines()] == [event]


def test_the_default_pair_on_sigterm(cdek_sandbox: CdekSandbox) -> None:
    process = start(cdek_sandbox, "--subscribe")
    lines = read_until(process, 4)
    assert [line.split(" (")[0] for line in lines[2:]] == [
        "oint: subscribed to ORDER_STATUS",
        "oint: subscribed to PRINT_FORM",
    ]
    assert sorted(h["type"] for h in hooks(cdek_sandbox)) == ["ORDER_STATUS", "PRINT_FORM"]
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert [line.split(" (")[0] for line in err.splitlines()] == [
        "oint: unsubscribed from ORDER_STATUS",
        "oint: unsubscribed from PRINT_FORM",
    ]
    assert hooks(cdek_sandbox) == []


def test_beyond_the_limit_nothing_is_created_and_nothing_listens(
    cdek_sandbox: CdekSandbox,
) -> None:
    held = cdek_sandbox.client().call(
        "CreateWebhook", url="https://shop.example/cdek", type="ORDER_STATUS"
    )["entity"]["uuid"]
    cdek_sandbox.clear_requests()
    done = subprocess.run(
        [*oint_command(), "listen", "cdek", "--port", "0", "--subscribe"],
        capture_output=True,
        text=True,
        env={**os.environ, **cdek_sandbox.env},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "oint: usage error: --subscribe: the account may hold 2 subscription(s); it holds 1"
        f" (ORDER_STATUS {held}) and 2 more were asked for (ORDER_STATUS, PRINT_FORM):"
        " remove some, or ask for fewer with --type"
    ]
    assert done.stdout == ""
    assert [h["uuid"] for h in hooks(cdek_sandbox)] == [held]
    sent = [(r["method"], r["path"]) for r in cdek_sandbox.requests()]
    assert ("POST", "/v2/webhooks") not in sent


def test_an_unknown_type_is_refused_before_anything_is_sent(cdek_sandbox: CdekSandbox) -> None:
    done = subprocess.run(
        [*oint_command(), "listen", "cdek", "--subscribe", "--type", "ORDER_STATUSS"],
        capture_output=True,
        text=True,
        env={**os.environ, **cdek_sandbox.env},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "oint: usage error: --type: 'ORDER_STATUSS' is not an event type of this provider"
    )
    assert cdek_sandbox.requests() == []


def test_subscribe_takes_its_settings_from_the_profile(
    cdek_sandbox: CdekSandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[profile.shop.cdek]\n"
        f'base_url = "{cdek_sandbox.base_url}"\n'
        f'account = "{cdek_sandbox.account}"\n'
        f'password = "{cdek_sandbox.password}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OINT_CDEK_")}
    env |= {"OINT_CONFIG": str(config), "OINT_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [*oint_command(), "listen", "cdek", "--port", "0", "--subscribe", "--profile", "shop"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "OINT_LISTEN_SECRET": SECRET},
    )
    lines = read_until(process, 5)
    # The URL line comes first, even before the warning about the config file's mode.
    assert lines[0].endswith(f"/cdek?token={SECRET}")
    assert lines[1].startswith(f"oint: warning: config file {config} holds secrets")
    assert lines[3].startswith("oint: subscribed to ORDER_STATUS"), lines
    assert len(hooks(cdek_sandbox)) == 2
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert hooks(cdek_sandbox) == []
    assert cdek_sandbox.password not in "\n".join(lines) + err


def test_an_event_whose_attributes_are_off_is_kept_with_a_warning(
    cdek_sandbox: CdekSandbox,
) -> None:
    """An event CDEK sent is never refused for a detail of its attributes (CDEK would retry,
    then drop the subscription); an envelope that is not CDEK's is."""
    process = start(cdek_sandbox)
    (url,) = read_until(process, 1)
    odd = {
        "type": "ORDER_STATUS",
        "date_time": "2024-08-19T10:02:15+0000",
        "uuid": "fc3ef89a-0727-4a26-8d07-81a0bfd11d22",
        "attributes": {"code": "DELIVERED", "is_return": "no"},
    }
    with requests.Session() as session:
        session.trust_env = False
        assert session.post(url, json=odd, timeout=10).status_code == 200
        assert session.post(url, json=odd | {"uuid": "x"}, timeout=10).status_code == 400
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert [json.loads(line) for line in out.splitlines()] == [odd]
    assert err.splitlines() == [
        "oint: warning: ORDER_STATUS event accepted as it came: attributes.is_return must be"
        ' true or false, not "no" (this is said once per type)'
    ]


STATUS_EVENT = (
    '{"type":"ORDER_STATUS","date_time":"2024-08-19T10:02:15+0000",'
    '"uuid":"fc3ef89a-0727-4a26-8d07-81a0bfd11d22","attributes":{"is_return":false,'
    '"cdek_number":"1106207236","status_code":"1","status_date_time":"2024-08-19T10:02:15+0000",'
    '"code":"CREATED","is_reverse":false,"is_client_return":false%s}}'
)


def deliver_and_stop(sandbox: CdekSandbox, bodies: list[bytes]) -> tuple[list[int], str, str]:
    """Deliver each body to a fresh ``oint listen cdek``; the statuses, its stdout, stderr."""
    process = start(sandbox)
    (url,) = read_until(process, 1)
    with requests.Session() as session:
        session.trust_env = False
        statuses = [session.post(url, data=body, timeout=10).status_code for body in bodies]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return statuses, out, err


def test_an_event_with_an_escaped_lone_surrogate_is_taken_once(cdek_sandbox: CdekSandbox) -> None:
    """``"\\ud800"`` is valid JSON text: the event is accepted (written with the escape), and
    its redelivery is a duplicate, not a 500 for ever."""
    body = (STATUS_EVENT % ',"city_name":"\\ud800"').encode("ascii")
    statuses, out, err = deliver_and_stop(cdek_sandbox, [body, body])
    assert statuses == [200, 200], err
    assert [json.loads(line)["attributes"]["city_name"] for line in out.splitlines()] == ["\ud800"]


def test_every_line_written_is_json_even_for_a_number_out_of_float_range(
    cdek_sandbox: CdekSandbox,
) -> None:
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    body = (STATUS_EVENT % ',"weight":1e400').encode("ascii")
    statuses, out, err = deliver_and_stop(cdek_sandbox, [body])
    assert statuses == [200], err
    (line,) = out.splitlines()
    event = json.loads(line, parse_constant=no_constant)  # what jq and other readers take
    assert event["uuid"] == "fc3ef89a-0727-4a26-8d07-81a0bfd11d22"


class LosingProxy:
    """A proxy on loopback in front of the sandbox that passes every request on, but for
    the ``lose``-th ``POST /v2/webhooks`` hangs up after the sandbox answered it: the
    subscription is made, its answer never arrives (a connection that broke on the way
    back)."""

    def __init__(self, sandbox: CdekSandbox, lose: int) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        upstream = sandbox.root_url.rstrip("/")
        proxy = self
        self.creates = 0

        class Handler(BaseHTTPRequestHandler):
            def _pass(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                with requests.Session() as session:
                    session.trust_env = False
                    answer = session.request(
                        self.command, upstream + self.path, data=body, headers=headers, timeout=30
                    )
                if self.command == "POST" and self.path.rstrip("/") == "/v2/webhooks":
                    proxy.creates += 1
                    if proxy.creates == lose:
                        self.close_connection = True
                        self.connection.shutdown(2)  # made at the sandbox; no answer comes
                        return
                self.send_response(answer.status_code)
                for name in ("Content-Type",):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_DELETE = _pass  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                return None

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return None

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v2"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_subscription_whose_answer_was_lost_is_removed_too(cdek_sandbox: CdekSandbox) -> None:
    """The second CreateWebhook is made at CDEK but its answer breaks on the way back; listen
    fails (transport), and on the way out leaves no subscription to its URL behind: after a
    write that may have been processed it looks for its own URL in the account's list."""
    proxy = LosingProxy(cdek_sandbox, lose=2)
    try:
        done = subprocess.run(
            [*oint_command(), "listen", "cdek", "--port", "0", "--secret", SECRET, "--subscribe"],
            capture_output=True,
            text=True,
            env={**os.environ, **cdek_sandbox.env, "OINT_CDEK_BASE_URL": proxy.base_url},
            timeout=120,
        )
    finally:
        proxy.close()
    assert proxy.creates == 2
    assert done.returncode == 3, done.stderr
    assert SECRET not in "\n".join(done.stderr.splitlines()[1:])
    left = [(h["type"], h["url"].partition("?")[0]) for h in hooks(cdek_sandbox)]
    assert left == [], done.stderr


def _order(number: str) -> dict[str, Any]:
    return {
        "number": number,
        "tariff_code": 139,
        "recipient": {"name": "Тест", "phones": [{"number": "+79990000000"}]},
        "from_location": {"code": 44},
        "to_location": {"code": 270},
        "packages": [{"number": "1", "weight": 500}],
    }


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_each_orders_photo_event_of_one_archive_is_written(cdek_sandbox: CdekSandbox) -> None:
    """One photo archive of two orders: CDEK (the sandbox) sends a DOWNLOAD_PHOTO per order,
    each with its own cdek_number; both are new events, both are written."""
    process = start(cdek_sandbox, "--subscribe", "--type", "DOWNLOAD_PHOTO")
    read_until(process, 3)
    client = cdek_sandbox.client()
    uuids = [
        client.call("CreateOrder", order_description=_order(f"photo-{n}"))["entity"]["uuid"]
        for n in (1, 2)
    ]
    cdek_sandbox.advance(5)
    client.call("GetOrdersWithPhotos", filter={"orders": [{"order_uuid": u} for u in uuids]})
    delivered = [a for a in cdek_sandbox.deliveries(wait=30) if a["outcome"] == "delivered"]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert len(delivered) == 2, delivered
    written = [json.loads(line)["attributes"]["cdek_number"] for line in out.splitlines()]
    assert len(set(written)) == 2, (written, err)
