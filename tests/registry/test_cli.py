"""`snds-algos list` and `snds-algos show`."""

from __future__ import annotations

import json

import pytest

from snds_algos.cli import main
from snds_algos.registry import discovery, example_algorithm


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> discovery.Registry:
    reg = discovery.Registry()
    reg.add(example_algorithm("demo"))
    monkeypatch.setitem(discovery._CACHE, "default", reg)
    return reg


def test_list(registry: discovery.Registry, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["ID", "VERSION", "STATUS", "TITLE"]
    assert lines[1].split()[:3] == ["demo", "0.1.0", "draft"]
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0] == {
        "id": "demo",
        "version": "0.1.0",
        "status": "draft",
        "title": "Demo",
        "source": "example",
    }


def test_list_empty(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(discovery._CACHE, "default", discovery.Registry())
    assert main(["list"]) == 0
    assert "no algorithm registered" in capsys.readouterr().out


def test_show(registry: discovery.Registry, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("demo 0.1.0 (draft): Demo")
    for part in (
        "authors:",
        "definition:",
        "parameters:",
        "min_events = 1",
        "code lists:",
        "history:",
    ):
        assert part in out
    assert main(["show", "demo", "--markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Demo (demo)")


def test_show_unknown(registry: discovery.Registry, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "nope"]) == 2
    assert "no algorithm 'nope'; registered: demo" in capsys.readouterr().err
    assert main(["show", "demo", "--version", "9.9.9"]) == 2


def test_release_refuses_drafts(
    registry: discovery.Registry, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    assert main(["release", "demo", "--released", str(tmp_path / "r.json")]) == 2
    assert "comes from example" in capsys.readouterr().err
