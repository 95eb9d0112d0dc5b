"""`make bench`: the ingest readers at scale (BAI2, FIXML PosRpt, ledger CSV) against bare baselines.

Not part of `make test` (marked slow). Generates the inputs into build/bench/ingest (kept between runs: a file of the
right size is reused), times each reader and its baseline in a child process of its own (one core: Polars is held to
one thread; peak resident memory from the child's rusage), prints a table with the sizes beside every figure and
writes build/bench/ingest.json. Targets are printed PASS/MISS, never asserted: performance is measured here, and
this 2-core machine is often loaded by other work, which is why every baseline runs in the same bench.

Sizes from the environment: BENCH_BAI2_DETAILS (default 1_000_000 16 records, a tenth of them continued by an 88),
BENCH_FIXML_MESSAGES (default 1_000_000 PosRpt; memory is compared with a file of half as many),
BENCH_LEDGER_ROWS (default 1_000_000 cash_journal rows), BENCH_REPEATS (default 2: the best run counts; the ledger
reader and raw Polars run in turn, at least five times each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

INGEST_DIR = REPO_ROOT / "build" / "bench" / "ingest"
BAI2_DETAILS = int(os.environ.get("BENCH_BAI2_DETAILS", "1000000"))
FIXML_MESSAGES = int(os.environ.get("BENCH_FIXML_MESSAGES", "1000000"))
LEDGER_ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "2"))
LEDGER_REPEATS = max(REPEATS, 5)  # a read takes a second: five pairs, alternated, cost little and steady the ratio
DETAILS_PER_ACCOUNT = 100
BUSINESS_DATE = date(2026, 11, 20)

# Targets: (name, what, minimum). bai2/fixml in records per second; ledger as a fraction of raw Polars.
BAI2_TARGET = 200_000
FIXML_TARGET = 50_000
LEDGER_TARGET = 0.5

# The child measures one thing and prints one JSON line: seconds, records, peak RSS.
# Peak RSS is the child's VmHWM: ru_maxrss would carry the parent's (pytest's) high-water mark across exec.
CHILD = (
    "import json, sys\n"
    "from tests.bench.test_ingest_bench import measure\n"
    "result = measure(sys.argv[1], sys.argv[2])\n"
    "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
    "result['maxrss_kib'] = int(status)\n"
    "print(json.dumps(result))\n"
)


# ---- inputs ----


def write_bai2_file(path: Path, details: int) -> int:
    """A BAI2 file of ``details`` 16 records (every tenth continued by an 88), 100 per account; its logical records."""
    accounts = max(1, (details + DETAILS_PER_ACCOUNT - 1) // DETAILS_PER_ACCOUNT)
    lines = [f"01,BANKA,FCM,{BUSINESS_DATE:%y%m%d},0600,BENCH1,,,2/",
             f"02,FCM,BANKA,1,{BUSINESS_DATE:%y%m%d},2400,USD,2/"]
    group_total = 0
    written = 0
    group_records = 1
    for account in range(accounts):
        opening = 1_000_000 + account
        records = [f"03,ACCT{account:08d},USD,010,{opening},,,015,{opening + 5},,/"]
        total = 2 * opening + 5
        for n in range(min(DETAILS_PER_ACCOUNT, details - written)):
            number = written + n
            type_code = "195" if number % 3 else "495"
            cents = 100 + (number * 7919) % 10_000_000
            total += cents
            records.append(f"16,{type_code},{cents},0,BR{number:010d},CR{number % 5000:06d},WIRE TRANSFER {number}/")
            if number % 10 == 0:
                records.append(f"88,ORIGINATOR CUSTOMER {number % 997} REF {number:08d}/")
        written += min(DETAILS_PER_ACCOUNT, details - written)
        records.append(f"49,{total},{len(records) + 1}/")
        lines.extend(records)
        group_total += total
        group_records += len(records)
    lines.append(f"98,{group_total},{accounts},{group_records + 1}/")
    lines.append(f"99,{group_total},1,{len(lines) + 1}/")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def write_fixml_file(path: Path, messages: int) -> None:
    """A FIXML batch of ``messages`` PosRpt through recon.contracts.fixml_writer (ITD and EOD, 200 instruments)."""
    from recon.contracts.fixml_writer import BatchWriter, FixmlInstrument, instrument_element, position_report

    instruments = [instrument_element(FixmlInstrument(f"P{n % 40:02d}", f"P{n % 40:02d}{'FGHJKMNQUVXZ'[n % 12]}6",
                                                      "FUT", f"2026{1 + n % 12:02d}", "CME", "1000"))
                   for n in range(200)]
    with path.open("w", encoding="utf-8") as handle, BatchWriter(handle, messages) as batch:
        for number in range(messages):
            session = "EOD" if number % 2 else "ITD"
            batch.write(position_report(
                f"POS{number:09d}", BUSINESS_DATE, session, "USD", f"{70 + number % 300}.{number % 100:02d}", "CME",
                "560", f"ACC{number % 50_000:06d}", "C1" if number % 4 else "H", instruments[number % 200],
                [("FIN", number % 500, (number * 3) % 200)],
                [("FMTM", Decimal(f"{(number * 37) % 100000 - 50000}.{number % 100:02d}"))]))


def write_ledger_file(path: Path, rows: int) -> None:
    """cash_journal.csv with ``rows`` rows, all meeting the contract, written by Polars."""
    import polars as pl

    from recon.domain import ENTRY_TYPES, SEG_CLASSES

    index = pl.int_range(0, rows, eager=True).alias("i")
    frame = pl.DataFrame(index).select(
        pl.format("JE{}", pl.col("i").cast(pl.String).str.zfill(9)).alias("entry_id"),
        pl.lit(BUSINESS_DATE.isoformat()).alias("value_date"),
        pl.format("ACC{}", (pl.col("i") % 50_000).cast(pl.String).str.zfill(6)).alias("account_id"),
        pl.format("BA{}", (pl.col("i") % 40).cast(pl.String).str.zfill(3)).alias("bank_account_id"),
        pl.lit(pl.Series(SEG_CLASSES)).gather(pl.col("i") % len(SEG_CLASSES)).alias("seg_class"),
        pl.lit(pl.Series(ENTRY_TYPES)).gather(pl.col("i") % len(ENTRY_TYPES)).alias("entry_type"),
        pl.format("CPTY{}", (pl.col("i") % 300).cast(pl.String)).alias("counterparty"),
        pl.lit("USD").alias("currency"),
        pl.format("{}.{}", (pl.col("i") * 7919) % 2_000_000 - 1_000_000,
                  (pl.col("i") % 100).cast(pl.String).str.zfill(2)).alias("amount"),
        pl.format("REF{}", pl.col("i").cast(pl.String).str.zfill(9)).alias("reference"),
        pl.format("journal entry {}", pl.col("i")).alias("description"),
    )
    frame.write_csv(path)


def _ensure(path: Path, size: int, writer) -> Path:
    """Write ``path`` unless a file of the same size was written before (a .size stamp beside it)."""
    stamp = path.with_suffix(path.suffix + ".size")
    if not (path.exists() and stamp.exists() and stamp.read_text() == str(size)):
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path, size)
        stamp.write_text(str(size))
    return path


# ---- the measurements (run in a child process) ----


def measure(kind: str, path_text: str) -> dict:
    """Run one reader or baseline over ``path``: seconds and what it counted."""
    path = Path(path_text)
    import lxml.etree  # noqa: F401  (imports are not timed)
    import polars  # noqa: F401

    import recon.contracts.bai2  # noqa: F401
    import recon.contracts.fixml  # noqa: F401
    import recon.contracts.ledger  # noqa: F401
    import recon.ingest  # noqa: F401
    started = time.perf_counter()
    counts = _MEASURES[kind](path)
    seconds = time.perf_counter() - started
    return {"kind": kind, "seconds": seconds, **counts}


def _bai2_ours(path: Path) -> dict:
    from recon.contracts.bai2 import read_bai2

    result = read_bai2(path, "bank/bench.bai")
    entries = sum(len(statement.entries) for statement in result.statements)
    return {"records": result.record_count, "entries": entries}


def _bai2_table(path: Path) -> dict:
    """read_bai2 and the parse stage's hand-off of its entries to the canonical Arrow table (src_bank__entries)."""
    from recon.contracts.bai2 import read_bai2
    from recon.ingest import _bank_entries_table

    result = read_bai2(path, "bank/bench.bai")
    return {"records": result.record_count, "entries": _bank_entries_table(result.statements).num_rows}


def _bai2_bare(path: Path) -> dict:
    """The floor: decode, split lines and fields, a Decimal per 16 amount; no checks, no ids, no objects."""
    text = path.read_bytes().decode("utf-8")
    records = entries = 0
    for line in text.split("\n"):
        if not line:
            continue
        fields = line.split(",")
        records += 1
        if fields[0] == "16":
            Decimal(fields[2]).scaleb(-2)
            entries += 1
    return {"records": records, "entries": entries}


def _fixml_ours(path: Path) -> dict:
    from recon.contracts.fixml import FixmlReader

    reader = FixmlReader(path, "clearing/bench.xml")
    records = sum(1 for _record in reader)
    return {"records": records, "messages": sum(reader.summary.message_counts.values())}


def _fixml_bare(path: Path) -> dict:
    """The floor: lxml iterparse of every PosRpt, each freed with its earlier siblings; no values read."""
    from lxml import etree

    messages = 0
    for _event, element in etree.iterparse(str(path), events=("end",), tag="PosRpt", resolve_entities=False,
                                           no_network=True, load_dtd=False):
        messages += 1
        element.clear(keep_tail=False)
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]
    return {"records": messages, "messages": messages}


def _ledger_ours(path: Path) -> dict:
    from recon.contracts.ledger import CASH_JOURNAL
    from recon.contracts.tabular import read_table

    result = read_table(path, "ledger/cash_journal.csv", CASH_JOURNAL)
    return {"records": result.frame.height, "problems": len(result.problems)}


def _ledger_raw(path: Path) -> dict:
    import polars as pl

    return {"records": pl.read_csv(path, infer_schema=False).height}


_MEASURES = {"bai2": _bai2_ours, "bai2_table": _bai2_table, "bai2_bare": _bai2_bare, "fixml": _fixml_ours,
             "fixml_bare": _fixml_bare, "ledger": _ledger_ours, "ledger_raw": _ledger_raw}


def _run(kind: str, path: Path, repeats: int = 1) -> dict:
    """The best of ``repeats`` child runs (fastest), with its peak RSS in MiB."""
    return _alternated((kind,), path, repeats)[kind]


def _alternated(kinds: tuple[str, ...], path: Path, repeats: int) -> dict[str, dict]:
    """The best of ``repeats`` child runs of each of ``kinds``, taken in turn (ours, baseline, ours, ...), so that a
    load that comes and goes on the machine weighs on both sides of a ratio alike."""
    environment = {**os.environ, "POLARS_MAX_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    best: dict[str, dict] = {}
    for _ in range(repeats):
        for kind in kinds:
            completed = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], capture_output=True, text=True,
                                       check=False, cwd=REPO_ROOT, env=environment)
            assert completed.returncode == 0, completed.stderr[-4000:]
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            if kind not in best or result["seconds"] < best[kind]["seconds"]:
                best[kind] = result
    return {kind: _figures(result) for kind, result in best.items()}


def _figures(best: dict) -> dict:
    """A child's best run with its peak RSS in MiB and its rate."""
    best["peak_rss_mib"] = round(best.pop("maxrss_kib") / 1024, 1)
    best["per_second"] = int(best["records"] / best["seconds"])
    best["seconds"] = round(best["seconds"], 3)
    return best


def _mib(path: Path) -> float:
    return round(path.stat().st_size / 2**20, 1)


@pytest.mark.slow
def test_ingest_readers_at_scale() -> None:
    """Times the BAI2, FIXML and ledger CSV readers beside their bare baselines; prints PASS/MISS per target."""
    started = time.perf_counter()
    bai2 = _ensure(INGEST_DIR / f"bench_{BAI2_DETAILS}.bai", BAI2_DETAILS, write_bai2_file)
    fixml = _ensure(INGEST_DIR / f"posrpt_{FIXML_MESSAGES}.xml", FIXML_MESSAGES, write_fixml_file)
    fixml_half = _ensure(INGEST_DIR / f"posrpt_{FIXML_MESSAGES // 2}.xml", FIXML_MESSAGES // 2, write_fixml_file)
    ledger = _ensure(INGEST_DIR / f"cash_journal_{LEDGER_ROWS}.csv", LEDGER_ROWS, write_ledger_file)
    generate_seconds = round(time.perf_counter() - started, 1)

    results = {
        "bai2": _run("bai2", bai2, REPEATS), "bai2_table": _run("bai2_table", bai2, REPEATS),
        "bai2_bare": _run("bai2_bare", bai2, REPEATS),
        "fixml": _run("fixml", fixml), "fixml_half": _run("fixml", fixml_half),
        "fixml_bare": _run("fixml_bare", fixml),
        **_alternated(("ledger", "ledger_raw"), ledger, LEDGER_REPEATS),
    }
    sizes = {"bai2": _mib(bai2), "fixml": _mib(fixml), "fixml_half": _mib(fixml_half), "ledger": _mib(ledger)}
    for name in ("bai2", "fixml", "ledger"):
        assert results[name]["records"] > 0
    assert {results[kind]["entries"] for kind in ("bai2", "bai2_table", "bai2_bare")} == {BAI2_DETAILS}
    assert results["fixml"]["records"] == results["fixml_bare"]["records"] == FIXML_MESSAGES
    assert results["ledger"]["records"] == results["ledger_raw"]["records"] == LEDGER_ROWS

    ledger_ratio = results["ledger_raw"]["seconds"] / results["ledger"]["seconds"]
    memory_growth = results["fixml"]["peak_rss_mib"] - results["fixml_half"]["peak_rss_mib"]
    targets = [
        ("BAI2 logical records/s", results["bai2"]["per_second"], f">= {BAI2_TARGET:,}",
         results["bai2"]["per_second"] >= BAI2_TARGET),
        ("FIXML PosRpt messages/s", results["fixml"]["per_second"], f">= {FIXML_TARGET:,}",
         results["fixml"]["per_second"] >= FIXML_TARGET),
        ("FIXML peak RSS growth 0.5x->1x (MiB)", round(memory_growth, 1),
         f"flat (< 10% of {results['fixml_half']['peak_rss_mib']} MiB)",
         memory_growth < 0.1 * results["fixml_half"]["peak_rss_mib"]),
        ("ledger CSV speed vs raw Polars", round(ledger_ratio, 2), f">= {LEDGER_TARGET}",
         ledger_ratio >= LEDGER_TARGET),
    ]

    print(f"\ningest bench (one core; inputs generated or reused in {generate_seconds} s, in {INGEST_DIR})")
    print(f"{'measure':<22}{'input':>26}{'records':>11}{'seconds':>9}{'records/s':>11}{'peak MiB':>10}")
    labels = {"bai2": ("BAI2 read_bai2", "bai2"), "bai2_table": ("BAI2 read + Arrow", "bai2"),
              "bai2_bare": ("BAI2 bare split+Decimal", "bai2"),
              "fixml": ("FIXML iter_fixml", "fixml"), "fixml_half": ("FIXML iter_fixml (half)", "fixml_half"),
              "fixml_bare": ("FIXML bare iterparse", "fixml"), "ledger": ("ledger read_table", "ledger"),
              "ledger_raw": ("ledger pl.read_csv", "ledger")}
    for key, (label, file_key) in labels.items():
        row = results[key]
        size = f"{row['records']:,} rec / {sizes[file_key]} MiB"
        print(f"{label:<22}{size:>26}{row['records']:>11,}{row['seconds']:>9}{row['per_second']:>11,}"
              f"{row['peak_rss_mib']:>10}")
    print(f"ratios: BAI2 ours/bare {results['bai2']['per_second'] / results['bai2_bare']['per_second']:.2f}, "
          f"FIXML ours/bare {results['fixml']['per_second'] / results['fixml_bare']['per_second']:.2f}, "
          f"ledger ours/raw {ledger_ratio:.2f}")
    for name, value, wanted, passed in targets:
        print(f"{'PASS' if passed else 'MISS'}  {name}: {value} (target {wanted})")

    INGEST_DIR.mkdir(parents=True, exist_ok=True)
    (INGEST_DIR.parent / "ingest.json").write_text(json.dumps({
        "sizes_mib": sizes, "results": results,
        "targets": [{"name": n, "value": v, "target": w, "pass": p} for n, v, w, p in targets],
    }, indent=1))
