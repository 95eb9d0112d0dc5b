"""The command line's promises that hold for every command (spec/product.md: every command has --help and --json)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from recon.cli import build_parser


def _commands() -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_and_json(name: str) -> None:
    options = {option for action in _commands()[name]._actions for option in action.option_strings}
    assert {"--help", "--json"} <= options, f"fcm-recon {name} lacks --json"


def test_statement_json_is_format_json_and_refuses_another_format(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from recon.cli import main

    assert main(["statement", "--date", "2026-11-23", "--class", "SEG", "--json", "--format", "html",
                 "--warehouse", str(tmp_path / "wh.duckdb")]) == 1
    assert "--json asks for JSON and --format asks for html: give one of them" in capsys.readouterr().err
