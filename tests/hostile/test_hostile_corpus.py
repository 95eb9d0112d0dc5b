"""The hostile and broken input corpus: every variant is rejected or quarantined with its code, in time, unleaked.

The variants are built at test time from the public samples (``../shared/samples``) by :mod:`tests.hostile.mutator`;
nothing derived from the samples is committed.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from recon.contracts.bai2 import read_bai2
from recon.contracts.camt import read_camt
from recon.contracts.fixml import read_fixml
from recon.contracts.ledger import CASH_JOURNAL
from recon.contracts.tabular import read_table
from recon.domain import Problem
from recon.errors import FileRejected
from tests.hostile.mutator import (BILLION_LAUGHS, CSV_BASE, CSV_ROWS, ING, POS_BATCH, SECRET_TOKEN, TRADE,
                                   VARIANTS, Variant, build, csv_base, xml_doctype)

TIME_BOX_SECONDS = 20.0
MIN_VARIANTS = 60


def _read(reader: str, path: Path) -> tuple[tuple[Problem, ...], int]:
    """Run one reader on ``path``: its ROW problems and how many records it kept (FileRejected propagates)."""
    name = path.name
    if reader == "bai2":
        parsed = read_bai2(path, name)
        return parsed.problems, sum(len(s.entries) for s in parsed.statements)
    if reader == "camt":
        camt = read_camt(path, name)
        return camt.problems, sum(len(s.entries) for s in camt.statements)
    if reader == "fixml":
        trades, positions, summary = read_fixml(path, name)
        return summary.problems, len(trades) + len(positions)
    if reader == "csv":
        table = read_table(path, name, CASH_JOURNAL)
        return table.problems, table.frame.height
    raise AssertionError(f"unknown reader {reader}")


def _time_boxed(reader: str, path: Path) -> tuple[object, BaseException | None]:
    """Run the reader in a daemon thread; fail the test if it does not finish within the time box."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = _read(reader, path)
        except BaseException as error:  # noqa: BLE001 - the test classifies every outcome
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name=f"hostile-{path.name}")
    worker.start()
    worker.join(TIME_BOX_SECONDS)
    if worker.is_alive():
        pytest.fail(f"{reader} reader did not finish {path.name} within {TIME_BOX_SECONDS} s")
    return outcome.get("result"), outcome.get("error")  # type: ignore[return-value]


def _param(variant: Variant) -> object:
    """The variant as a pytest param named by its id."""
    return pytest.param(variant, id=variant.id)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local secret file an XXE variant tries to read."""
    path = tmp_path / "secret.txt"
    path.write_bytes(SECRET_TOKEN + b"\n")
    return path


def test_corpus_has_at_least_60_variants() -> None:
    """The corpus holds >= 60 distinct variants, covering all four reader families."""
    ids = [variant.id for variant in VARIANTS]
    assert len(ids) == len(set(ids)), "variant ids must be unique"
    assert len(ids) >= MIN_VARIANTS
    assert set(Counter(variant.reader for variant in VARIANTS)) == {"bai2", "camt", "fixml", "csv"}


def test_one_50mb_variant_per_reader_family() -> None:
    """The slow 50 MB single-line variant appears once per reader family (keeps the corpus run short)."""
    big = Counter(variant.reader for variant in VARIANTS if "50mb" in variant.id)
    assert big == {"bai2": 1, "camt": 1, "fixml": 1, "csv": 1}


@pytest.mark.parametrize("variant", [_param(v) for v in VARIANTS])
def test_hostile_variant(variant: Variant, samples_dir: Path, tmp_path: Path, secret: Path,
                         capfd: pytest.CaptureFixture[str]) -> None:
    """The reader meets the variant with exactly the expected FILE rejection or ROW quarantine, never a crash."""
    path = build(variant, samples_dir, tmp_path, secret)
    result, error = _time_boxed(variant.reader, path)
    if variant.scope == "FILE":
        assert isinstance(error, FileRejected), f"expected FileRejected {variant.code}, got {error!r} / {result!r}"
        problem = error.problem
        assert (problem.scope, problem.code) == ("FILE", variant.code), problem.describe()
        problems = [problem]
    else:
        assert error is None, f"expected a ROW {variant.code} quarantine, got {error!r}"
        problems, kept = result  # type: ignore[misc]
        assert problems and {(p.scope, p.code) for p in problems} == {("ROW", variant.code)}, problems
        assert all(p.location for p in problems), "a quarantined row names where it is"
        _assert_rest_kept(variant, kept, len(problems))
    _assert_no_secret(problems, error, capfd)


def _assert_rest_kept(variant: Variant, kept: int, quarantined: int) -> None:
    """A ROW quarantine keeps the file's other rows (only the bad ones, both of a duplicate pair, are set aside)."""
    expected = {"DUPLICATE_KEY": 2}.get(variant.code, 1)
    assert quarantined == expected
    if variant.reader == "csv":
        assert kept == len(CSV_ROWS) - quarantined


def _assert_no_secret(problems: list[Problem], error: BaseException | None, capfd: pytest.CaptureFixture[str]
                      ) -> None:
    """Neither the problems, the error text nor anything printed contains the secret file's content."""
    token = SECRET_TOKEN.decode()
    captured = capfd.readouterr()
    texts = [repr(p) for p in problems] + [str(error or ""), captured.out, captured.err]
    assert not any(token in text for text in texts), "the secret leaked into the output"


def test_csv_base_is_valid(tmp_path: Path) -> None:
    """The synthetic CSV base the CSV variants start from meets the cash_journal contract (0 problems)."""
    path = tmp_path / "cash_journal.csv"
    path.write_bytes(csv_base())
    assert _read("csv", path) == ((), len(CSV_ROWS))


@pytest.mark.parametrize("base", sorted({v.base for v in VARIANTS if v.base != CSV_BASE}))
def test_every_base_sample_is_accepted_unmutated(base: str, samples_dir: Path, tmp_path: Path) -> None:
    """Each base sample reads cleanly before mutation, so a variant's failure is the mutation's doing."""
    reader = {"bai2": "bai2", "camt": "camt", "fixml": "fixml"}[base.split("/")[0]]
    problems, kept = _read(reader, samples_dir / base)
    assert problems == () and kept >= 0


_XXE_FOO = b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "{secret}">]>'
_XXE_FOO_PARAMETER = b'<!DOCTYPE foo [<!ENTITY % ext SYSTEM "{secret}"> %ext;]>'


@pytest.mark.parametrize(("variant", "declared"), [
    pytest.param(Variant("camt-xxe-foo", ING, xml_doctype(_XXE_FOO, b"<MsgId>", b"&xxe;"), "camt", "FILE",
                         "XML_DTD_FORBIDDEN"), "foo", id="camt-xxe-foo"),
    pytest.param(Variant("camt-lolz", ING, xml_doctype(BILLION_LAUGHS, b"<MsgId>", b"&lol9;"), "camt", "FILE",
                         "XML_DTD_FORBIDDEN"), "lolz", id="camt-lolz"),
    pytest.param(Variant("fixml-xxe-foo", TRADE, xml_doctype(_XXE_FOO_PARAMETER, b"<Batch>", b""), "fixml", "FILE",
                         "XML_DTD_FORBIDDEN"), "foo", id="fixml-xxe-foo"),
    pytest.param(Variant("fixml-lolz", POS_BATCH, xml_doctype(BILLION_LAUGHS, b"<Batch", b""), "fixml", "FILE",
                         "XML_DTD_FORBIDDEN"), "lolz", id="fixml-lolz"),
])
def test_dtd_rejection_quotes_the_declared_doctype(variant: Variant, declared: str, samples_dir: Path,
                                                   tmp_path: Path, secret: Path,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    """The XML_DTD_FORBIDDEN problem quotes the name the file's DOCTYPE declares (not the root element's name:
    ``Document`` or ``FIXML``), in the reader and in ``inspect``, and still shows nothing the DTD points at."""
    from recon.inspect import inspect_file

    path = build(variant, samples_dir, tmp_path, secret)
    result, error = _time_boxed(variant.reader, path)
    assert isinstance(error, FileRejected), f"expected FileRejected, got {error!r} / {result!r}"
    assert (error.problem.code, error.problem.found) == ("XML_DTD_FORBIDDEN", f"<!DOCTYPE {declared} ...>")
    (problem,) = inspect_file(path)["problems"]
    assert (problem["code"], problem["found"]) == ("XML_DTD_FORBIDDEN", f"<!DOCTYPE {declared} ...>")
    _assert_no_secret([error.problem], error, capfd)
