"""The typed client stub (oint_cdek/client.pyi): made from the metadata by
tools/client_stubs.py, current, and what mypy checks a user's calls against."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import oint_core
from oint_core import Kind, Param
from oint_core.registry import default_registry
from oint_core.stubs import python_type

REPO = Path(__file__).resolve().parents[2]
STUB = REPO / "plugins" / "cdek" / "oint_cdek" / "client.pyi"


def _tool() -> ModuleType:
    path = REPO / "tools" / "client_stubs.py"
    spec = importlib.util.spec_from_file_location("client_stubs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stub_is_what_the_metadata_makes() -> None:
    made = _tool().generated()
    assert list(made) == ["plugins/cdek/oint_cdek/client.pyi"]
    assert STUB.read_text(encoding="utf-8") == made["plugins/cdek/oint_cdek/client.pyi"], (
        "stale: run python tools/client_stubs.py"
    )
    assert _tool().main(["--check"]) == 0


@pytest.mark.parametrize(
    ("param", "annotation"),
    [
        (Param("A", "--a", Kind.STRING, ""), "str"),
        (Param("A", "--a", Kind.UUID, ""), "str"),
        (Param("A", "--a", Kind.INTEGER, ""), "int"),
        (Param("A", "--a", Kind.NUMBER, ""), "float"),
        (Param("A", "--a", Kind.BOOLEAN, ""), "bool"),
        (Param("A", "--a", Kind.DATE, ""), "datetime.date | str"),
        (Param("A", "--a", Kind.DATETIME, ""), "datetime.datetime | str"),
        (Param("A", "--a", Kind.CHOICE, "", choices=("x", 'y"')), 'Literal["x", "y\\""]'),
        (Param("A", "--a", Kind.OBJECT, ""), "dict[str, Any] | str"),
        (Param("A", "--a", Kind.LIST, ""), "list[Any] | str"),
        (Param("A", "--a", Kind.LIST, "", items=Kind.UUID), "list[str] | str"),
        (Param("A", "--a", Kind.LIST, "", items=Kind.DATE), "list[datetime.date] | str"),
    ],
)
def test_each_kind_has_its_python_type(param: Param, annotation: str) -> None:
    assert python_type(param) == annotation


def test_every_method_is_declared_with_its_own_parameters_only() -> None:
    """Keyword-only, required ones without a default; token and test_api are the client's."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    [cls] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    declared = {f.name: f.args for f in cls.body if isinstance(f, ast.FunctionDef)}
    registry = default_registry()
    methods = registry.methods("cdek")
    held = registry.provider("cdek").context_params
    assert held == {"token", "test_api"}
    assert set(declared) == {m.python_name for m in methods}
    for method in methods:
        args = declared[method.python_name]
        assert [a.arg for a in args.args] == ["self"] and not args.kwarg
        names = [a.arg for a in args.kwonlyargs]
        own = [p.keyword for p in method.params if p.keyword not in held]
        waits = ["wait"] if method.waits is not None else []
        assert names == [*own, *waits, "timeout", "retries"], method.name
        required = {p.keyword for p in method.params if p.required}
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            assert (default is None) == (arg.arg in required), (method.name, arg.arg)


def test_the_connect_overload_takes_cdeks_settings() -> None:
    """The hand-written ``connect`` overload for "cdek" lists exactly the keys a client
    takes (those of a ``[profile.NAME.cdek]`` table)."""
    from oint_core import client

    tree = ast.parse(Path(client.__file__).read_text(encoding="utf-8"))
    overloads = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and node.name == "connect"
        and "Literal" in ast.unparse(node.args.args[0].annotation or ast.Constant(None))
    ]
    [typed] = overloads
    keys = {a.arg for a in typed.args.kwonlyargs}
    connected = client.Client("cdek")
    assert (
        keys
        == connected._known_settings()
        == {
            "token",
            "account",
            "password",
            "base_url",
            "testapi",
        }
    )


#: A user's file; mypy must report exactly the lines marked ``# error``.
USER_CODE = """
from oint_core import connect

cdek = connect("cdek", account="shop", password="secret", testapi=True)
answer = cdek.create_refusal(uuid="f1799065-01de-448c-91cf-8afe7d4c0cfc", timeout=10.0)
cdek.get_order(uuid="f1799065-01de-448c-91cf-8afe7d4c0cfc")
cdek.create_barcode(uuid_array=["u"], format="A6", lang="ENG", retries=0)
cdek.call("CreateRefusal", uuid="u")
with connect("cdek", "work") as work:
    work.get_regions_list(countries=["RU"], size=10)
connect("other").any_method(x=1)  # another provider: untyped, accepted
connect("cdek", acount="shop")  # "cdek" is a str too: caught by connect at run time

cdek.create_refusl(uuid="u")  # error: misspelled method
cdek.create_refusal(uid="u")  # error: misspelled parameter
cdek.create_refusal(uuid="u", token="t")  # error: the client holds the token
cdek.create_barcode(uuid_array=["u"], format="A3")  # error: not one of the choices
cdek.create_refusal()  # error: uuid is required
cdek.get_regions_list(size="ten")  # error: an integer
"""


def test_mypy_checks_a_users_calls_against_the_stub(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    (tmp_path / "user.py").write_text(USER_CODE.lstrip(), encoding="utf-8")
    marked = [
        number
        for number, line in enumerate(USER_CODE.lstrip().splitlines(), 1)
        if "# error" in line
    ]
    # The editable install's import hook is invisible to mypy: point it at the sources. An
    # installed wheel is found in site-packages, py.typed and client.pyi included, as a user's
    # mypy finds it; its own code is then not reported (CI's lowest-versions run has older
    # stubs of oint's dependencies, which a user's check of their own file must not see).
    env = dict(os.environ)
    if Path(oint_core.__file__).resolve().parent.parent == REPO.resolve():
        env["MYPYPATH"] = os.pathsep.join([str(REPO), str(REPO / "plugins" / "cdek")])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "--no-error-summary",
            "--hide-error-context",
            "user.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert all(line.startswith("user.py:") for line in errors), done.stdout + done.stderr
    assert sorted({int(line.split(":")[1]) for line in errors}) == marked, done.stdout
    text = "\n".join(errors)
    assert '"CdekClient" has no attribute "create_refusl"' in text
    assert 'Unexpected keyword argument "uid"' in text
    assert 'Unexpected keyword argument "token"' in text
    assert 'Missing named argument "uuid"' in text
