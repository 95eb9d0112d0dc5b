"""fcm-recon generate: a deterministic landing area whose files meet every contract and whose answer key is right.

The answer key is checked against the files, not against the generator: the CASH and DCO_SETTLEMENT matching
conventions and the proof of cash are re-derived here from the bank files, the cash journal, the book balances and
the position reports, and must give exactly the breaks, decoys and pending cycles the key lists.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

import pytest

from recon import calendar
from recon.contracts.camt import read_camt
from recon.contracts.fixml import read_fixml
from recon.contracts.ledger import CASH_JOURNAL, DAY_CONTRACTS
from recon.contracts.reference import REFERENCE_CONTRACTS
from recon.contracts.tabular import read_table
from recon.domain import BankStatement
from recon.errors import ConfigError
from recon.generate import AnswerKey, GenerateOptions, generate

SMALL = GenerateOptions(start=date(2026, 11, 22), days=3, accounts=40, trades_per_day=200, seed=7)
CASH_TOLERANCE = Decimal("1.00")
DCO_TOLERANCE = Decimal("0.01")
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AnswerKey]:
    """A small generated landing area and its answer key."""
    root = tmp_path_factory.mktemp("landing")
    return root, generate(root, SMALL)


def digests(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def business_dates(root: Path) -> list[date]:
    """The run's business dates: the date folders that have a ledger."""
    return sorted(date.fromisoformat(p.parent.name) for p in root.glob("*/ledger"))


def rows(path: Path, root: Path, contract) -> list[dict]:  # noqa: ANN001 - a tabular Contract
    """A CSV's rows read through its contract (Decimals exact), with no problems."""
    read = read_table(path, path.relative_to(root).as_posix(), contract)
    assert read.problems == ()
    return read.frame.to_dicts()


def money(value: Decimal) -> str:
    """A difference as the answer key writes it."""
    return f"{value.quantize(CENT) + 0:.2f}"


# ---- determinism and options ----


def test_same_options_give_identical_bytes(landing: tuple[Path, AnswerKey], tmp_path: Path) -> None:
    """Generating twice with the same options writes the same files, byte for byte; another seed differs."""
    root, key = landing
    again = generate(tmp_path / "again", SMALL)
    assert digests(tmp_path / "again") == digests(root)
    assert again == key
    other = tmp_path / "other"
    generate(other, replace(SMALL, seed=8))
    assert digests(other) != digests(root)


def test_start_moves_to_the_first_business_day_and_t_minus_1_has_clearing_only(
        landing: tuple[Path, AnswerKey]) -> None:
    """A Sunday start runs from Monday (Thanksgiving skipped); T-1 has its clearing folder and nothing else."""
    root, _key = landing
    days = business_dates(root)
    assert days == calendar.business_days(date(2026, 11, 23), 3)
    assert date(2026, 11, 26) not in days
    previous = root / calendar.previous_business_day(days[0]).isoformat()
    assert sorted(p.name for p in previous.iterdir()) == ["clearing"]
    assert sorted(p.name for p in (previous / "clearing").iterdir()) == ["collateral.csv", "positions.xml",
                                                                         "trades.xml"]


@pytest.mark.parametrize("change", [{"days": 0}, {"accounts": 9}, {"trades_per_day": -1}])
def test_bad_options_are_refused(tmp_path: Path, change: dict) -> None:
    """Options the generator cannot honour raise ConfigError before anything is written."""
    with pytest.raises(ConfigError):
        generate(tmp_path / "out", replace(SMALL, **change))
    assert not (tmp_path / "out").exists()


# ---- every file meets its contract ----


def test_every_csv_meets_its_contract(landing: tuple[Path, AnswerKey]) -> None:
    """Every CSV the generator writes is read by the project's contract with zero problems."""
    root, _key = landing
    checked = 0
    for path in sorted(root.rglob("*.csv")):
        parts = path.relative_to(root).parts
        if parts[0] == "reference":
            contract = REFERENCE_CONTRACTS[path.stem][0]
        else:
            contract = DAY_CONTRACTS[f"src_{parts[1]}__{path.stem}"][1]
        read = read_table(path, path.relative_to(root).as_posix(), contract)
        assert read.problems == (), read.problems[:3]
        assert read.frame.height == read.rows_read > 0
        checked += 1
    assert checked == 5 + 3 * 10 + 1


def test_reference_data_has_the_classes_accounts_and_banks(landing: tuple[Path, AnswerKey]) -> None:
    """K customers ~80/10/10 SEG/SECURED/CLEARED_SWAPS plus 2 HOUSE; one bank account has no acknowledgment letter."""
    root, _key = landing
    accounts = rows(root / "reference" / "accounts.csv", root, REFERENCE_CONTRACTS["accounts"][0])
    classes = Counter(a["seg_class"] for a in accounts)
    assert classes == {"SEG": 32, "SECURED": 4, "CLEARED_SWAPS": 4, "HOUSE": 2}
    assert all(a["account_type"] == "PROPRIETARY" for a in accounts if a["seg_class"] == "HOUSE")
    assert any(a["beneficial_owner_id"] != a["account_id"] for a in accounts)
    banks = rows(root / "reference" / "bank_accounts.csv", root, REFERENCE_CONTRACTS["bank_accounts"][0])
    assert [b["bank_account_id"] for b in banks if b["acknowledgment_letter_date"] is None] == ["730000501"]
    assert all(b["bank_account_id"].isdigit() for b in banks)
    assert {(b["seg_class"], b["currency"]) for b in banks if b["statement_format"] == "CAMT053"} >= {
        ("SEG", "EUR"), ("SECURED", "EUR"), ("CLEARED_SWAPS", "EUR")}


def bank_statements(root: Path, day: date) -> list[BankStatement]:
    """Every statement of a day's BAI2 (strict trailers) and camt.053 (strict footing) files."""
    bai2 = pytest.importorskip("recon.contracts.bai2")
    statements: list[BankStatement] = []
    for path in sorted((root / day.isoformat() / "bank").iterdir()):
        source = path.relative_to(root).as_posix()
        if path.suffix == ".bai2":
            statements.extend(bai2.read_bai2(path, source, strict=True).statements)
        else:
            camt = read_camt(path, source, strict=True)
            assert (camt.message_type, camt.version) == ("camt.053", "001.08")
            statements.extend(camt.statements)
    return statements


def test_bank_files_prove_and_cover_every_account(landing: tuple[Path, AnswerKey]) -> None:
    """BAI2 trailers and camt footing pass in strict mode; every bank account has one final statement a day whose
    closing balance is its opening plus its entries, and tomorrow opens at today's close."""
    root, _key = landing
    banks = rows(root / "reference" / "bank_accounts.csv", root, REFERENCE_CONTRACTS["bank_accounts"][0])
    formats = {b["bank_account_id"]: b["statement_format"] for b in banks}
    closing: dict[str, Decimal] = {}
    for day in business_dates(root):
        statements = bank_statements(root, day)
        assert sorted(s.bank_account_id for s in statements) == sorted(formats)
        for statement in statements:
            assert statement.fmt == formats[statement.bank_account_id]
            assert (statement.as_of_date, statement.report_kind) == (day, "FINAL")
            balances = {b.balance_type: b.amount for b in statement.balances}
            assert balances["OPBD"] + sum(e.amount for e in statement.entries) == balances["CLBD"]
            assert balances["OPBD"] == closing.get(statement.bank_account_id, balances["OPBD"])
            closing[statement.bank_account_id] = balances["CLBD"]


def test_clearing_files_agree_with_the_ledger(landing: tuple[Path, AnswerKey]) -> None:
    """FIXML reads with no problem; ledger trades are the TrdCaptRpts; ledger positions sum through
    accounts.clearing_account to each EOD and ITD PosRpt's FIN; the collateral books equal the DCO's file."""
    root, _key = landing
    accounts = rows(root / "reference" / "accounts.csv", root, REFERENCE_CONTRACTS["accounts"][0])
    rolls_up = {a["account_id"]: a["clearing_account"] for a in accounts}
    for day in business_dates(root):
        folder = root / day.isoformat()
        trades, _none, summary = read_fixml(folder / "clearing" / "trades.xml", "trades.xml")
        assert summary.problems == () and len(trades) == SMALL.trades_per_day
        ledger_trades = [t for t in rows(folder / "ledger" / "trades.csv", root, DAY_CONTRACTS["src_ledger__trades"][1])
                         if t["trade_id"].split("-")[1].isdigit()]  # the TRADE plants are checked by the key
        assert sorted((t.trd_id, t.side, t.quantity, t.price, t.position_account) for t in trades) == sorted(
            (t["clearing_trade_id"], t["side"], t["quantity"], t["price"], rolls_up[t["account_id"]])
            for t in ledger_trades)
        _none, reports, summary = read_fixml(folder / "clearing" / "positions.xml", "positions.xml")
        assert summary.problems == ()
        # the planted quantity differences (a PRICE_MISMATCH grain's quantities agree)
        planted = {(b["account"], *b["reference"].split("|")[1:4:2]) for b in key_json(root)["breaks"]
                   if b["recon"] == "POSITION" and b["business_date"] == day.isoformat()
                   and not b["reference"].endswith("|PRICE")}
        ledger = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for row in rows(folder / "ledger" / "positions.csv", root, DAY_CONTRACTS["src_ledger__positions"][1]):
            key = (rolls_up[row["account_id"]], row["product_code"], row["contract_month"], row["put_call"],
                   row["strike"])
            ledger[key][0] += row["long_quantity"]
            ledger[key][1] += row["short_quantity"]
        for session in ("ITD", "EOD"):
            fin = {(r.position_account, r.product_code, r.contract_month, r.put_call, r.strike):
                   [q[1:] for q in r.quantities if q[0] == "FIN"][0] for r in reports if r.settl_session == session}
            differ = {k[:3] for k in set(fin) | set(ledger) if list(fin.get(k, ())) != ledger.get(k, [])}
            assert differ == planted  # only the planted POSITION grains disagree
        clearing_rows = (folder / "clearing" / "collateral.csv").read_text().splitlines()
        book_rows = (folder / "ledger" / "collateral_books.csv").read_text().splitlines()
        # the planted AMOUNT_MISMATCH, MISSING_LEDGER (a row left out) and MISSING_CLEARING (an EUR cash row added)
        assert len(set(clearing_rows) - set(book_rows)) == 2 and len(set(book_rows) - set(clearing_rows)) == 2
        assert len(clearing_rows) == len(book_rows) and book_rows[-1].split(",")[2:6] == ["CASH", "", "", "EUR"]


# ---- the answer key, re-derived from the files ----


class Item(NamedTuple):
    """A CASH candidate: side, account, currency, normalised reference, signed amount, date."""

    side: str
    account: str
    currency: str
    reference: str
    amount: Decimal
    day: date


class DayFiles(NamedTuple):
    """What one business day's files say, as the recons read them."""

    statements: list[BankStatement]
    journal: list[dict]
    purposes: dict[str, str]
    books: dict[tuple[str, str], Decimal]


def day_files(root: Path, day: date) -> DayFiles:
    """Read a day's bank files, cash journal, book balances and the bank accounts' purposes."""
    banks = rows(root / "reference" / "bank_accounts.csv", root, REFERENCE_CONTRACTS["bank_accounts"][0])
    ledger = root / day.isoformat() / "ledger"
    journal = rows(ledger / "cash_journal.csv", root, CASH_JOURNAL)
    books = {(r["bank_account_id"], r["currency"]): r["book_balance"]
             for r in rows(ledger / "bank_balances.csv", root, DAY_CONTRACTS["src_ledger__bank_balances"][1])}
    return DayFiles(bank_statements(root, day), journal, {b["bank_account_id"]: b["purpose"] for b in banks}, books)


def cash_items(files: DayFiles) -> list[Item]:
    """Bank entries on non-settlement accounts and journal entries that are not DCO settlements."""
    items = [Item("BANK", e.bank_account_id, e.currency, e.customer_reference.strip().upper(), e.amount,
                  e.value_date or e.as_of_date)
             for s in files.statements for e in s.entries if files.purposes[s.bank_account_id] != "SETTLEMENT"]
    items += [Item("LEDGER", r["bank_account_id"], r["currency"], r["reference"].strip().upper(), r["amount"],
                   r["value_date"]) for r in files.journal if r["entry_type"] != "DCO_SETTLEMENT"]
    return items


def cash_recon(items: list[Item]) -> tuple[list[tuple], set[tuple], dict[str, Decimal]]:
    """Exact pass, then the reference pass (1.00 tolerance, same-day window) in amount and date order. Returns the
    mismatches and leftovers as (kind, side, key, difference) with key (account, currency, reference, amount, day),
    the (side, account, currency, reference, amount) of every paired item, and per account the accepted differences."""
    pools: dict[str, Counter] = {"BANK": Counter(), "LEDGER": Counter()}
    for item in items:
        pools[item.side][item[1:]] += 1
    exact = pools["BANK"] & pools["LEDGER"]
    paired = {(side, *key[:4]) for key in exact for side in pools}
    by_reference: dict[tuple, dict[str, list[tuple]]] = defaultdict(lambda: {"BANK": [], "LEDGER": []})
    for side, pool in pools.items():
        for key in sorted((pool - exact).elements()):
            by_reference[key[:3]][side].append(key)
    found, accepted = [], defaultdict(Decimal)
    for legs in by_reference.values():
        for bank, ledger in zip(legs["BANK"], legs["LEDGER"]):
            paired |= {("BANK", *bank[:4]), ("LEDGER", *ledger[:4])}
            difference = bank[3] - ledger[3]
            if abs(difference) > CASH_TOLERANCE:
                found.append(("AMOUNT_MISMATCH", "BANK", bank, difference))
            elif bank[4] != ledger[4]:
                found.append(("DATE_MISMATCH", "BANK", bank, difference))
            else:
                accepted[bank[0]] += difference
        count = min(len(legs["BANK"]), len(legs["LEDGER"]))
        found += [("", "BANK", key, key[3]) for key in legs["BANK"][count:]]
        found += [("", "LEDGER", key, -key[3]) for key in legs["LEDGER"][count:]]
    return found, paired, accepted


SUBSET_MAX_CANDIDATES, SUBSET_MAX_SIZE = 12, 3


def subset_outcomes(missing: list[tuple[str, tuple]]) -> tuple[set[int], list[tuple]]:
    """The subset pass over the items with a missing leg, (side, key) by index: per block (account, currency, date)
    of at most 12 items a side, a single item equal to the sum of 2-3 items of the other side is a fit. A fit sharing
    no item with another fit matches; the block's other fits are one AMBIGUOUS break (bank - ledger of its items,
    referenced by its first single item, bank side first, in amount then reference order). Returns the indexes
    taken and the AMBIGUOUS breaks."""
    blocks: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: {"BANK": [], "LEDGER": []})
    for index, (side, key) in enumerate(missing):
        blocks[(key[0], key[1], key[4])][side].append(index)
    taken, ambiguous = set(), []
    for (account, currency, _day), sides in blocks.items():
        if max(len(sides["BANK"]), len(sides["LEDGER"])) > SUBSET_MAX_CANDIDATES:
            continue
        fits = [(single, parts) for side, other in (("BANK", "LEDGER"), ("LEDGER", "BANK")) for single in sides[side]
                for size in range(2, SUBSET_MAX_SIZE + 1) for parts in combinations(sides[other], size)
                if sum(missing[i][1][3] for i in parts) == missing[single][1][3]]
        used = Counter(i for single, parts in fits for i in (single, *parts))
        clean = [(single, parts) for single, parts in fits if all(used[i] == 1 for i in (single, *parts))]
        taken |= {i for single, parts in clean for i in (single, *parts)}
        rest = {i for single, parts in fits if (single, parts) not in clean for i in (single, *parts)}
        if rest:
            singles = sorted({single for single, parts in fits if (single, parts) not in clean},
                             key=lambda i: (missing[i][0] != "BANK", missing[i][1][3], missing[i][1][2]))
            difference = sum(missing[i][1][3] * (1 if missing[i][0] == "BANK" else -1) for i in rest)
            ambiguous.append(("AMBIGUOUS", account, currency, missing[singles[0]][1][2], difference))
            taken |= rest
    return taken, ambiguous


def cash_breaks(items: list[Item]) -> tuple[list[tuple], dict[str, Decimal]]:
    """CASH breaks as (type, account, currency, reference, difference); an unpaired item is a DUPLICATE when an
    identical item on its side was paired, else its other leg is missing unless the subset pass takes it."""
    found, paired, accepted = cash_recon(items)
    breaks, missing = [], []
    for kind, side, key, difference in found:
        if not kind and (side, *key[:4]) not in paired:
            missing.append((side, key))
            continue
        breaks.append((kind or "DUPLICATE", *key[:3], difference))
    taken, ambiguous = subset_outcomes(missing)
    breaks += [("MISSING_LEDGER" if side == "BANK" else "MISSING_BANK", *key[:3], key[3] if side == "BANK" else -key[3])
               for index, (side, key) in enumerate(missing) if index not in taken]
    return breaks + ambiguous, accepted


def _cycle_reports(root: Path, day: date, session: str) -> Iterable[tuple[str, tuple[str, str, str], Decimal]]:
    """The session's PosRpts of a day: record id, cycle (settlement bank account, currency, reference) and settlement
    amount, FMTM + PREM (+ PAA for CLEARED_SWAPS), the position account mapped through clearing_accounts.csv."""
    clearing = rows(root / "reference" / "clearing_accounts.csv", root, REFERENCE_CONTRACTS["clearing_accounts"][0])
    mapping = {(c["position_account"], c["currency"]): (c["settlement_bank_account_id"], c["seg_class"])
               for c in clearing}
    path = root / day.isoformat() / "clearing" / "positions.xml"
    _trades, reports, _summary = read_fixml(path, path.relative_to(root).as_posix())
    for report in reports:
        if report.settl_session != session:
            continue
        bank, seg_class = mapping[(report.position_account, report.currency)]
        types = ("FMTM", "PREM", "PAA") if seg_class == "CLEARED_SWAPS" else ("FMTM", "PREM")
        yield (report.record_id, (bank, report.currency, f"CME-{session}-{day:%Y%m%d}"),
               sum((amount for typ, amount, _ccy in report.amounts if typ in types), Decimal(0)))


def settlement_cycles(root: Path, day: date, session: str) -> dict[tuple[str, str, str], Decimal]:
    """A day's cycle amounts per (settlement bank account, currency, reference)."""
    cycles: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for _record, key, amount in _cycle_reports(root, day, session):
        cycles[key] += amount
    return dict(cycles)


def settlement_reports(root: Path, day: date) -> dict[str, tuple[str, str, str, Decimal]]:
    """The PosRpts a day settles (its intraday cycle, the previous business day's end of day) by record id: their
    settlement account, currency, cycle reference and settlement amount."""
    sessions = ((day, "ITD"), (calendar.previous_business_day(day), "EOD"))
    return {record: (*key, amount) for cycle_day, session in sessions
            for record, key, amount in _cycle_reports(root, cycle_day, session)}


def dco_breaks(root: Path, day: date, files: DayFiles
               ) -> tuple[list[tuple], dict[str, Decimal], dict[tuple[str, str, str], Decimal]]:
    """Three-way DCO_SETTLEMENT breaks, per account the bank-minus-ledger of items whose legs differ, and per
    broken grain its bank-minus-ledger (what the books carry while the break is open)."""
    clearing = settlement_cycles(root, day, "ITD")
    clearing.update(settlement_cycles(root, calendar.previous_business_day(day), "EOD"))
    bank = {(e.bank_account_id, e.currency, e.customer_reference): e.amount for s in files.statements
            for e in s.entries if files.purposes[s.bank_account_id] == "SETTLEMENT"}
    # a leg booked as several journal entries is their sum
    ledger: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in files.journal:
        if r["entry_type"] == "DCO_SETTLEMENT":
            ledger[(r["bank_account_id"], r["currency"], r["reference"])] += r["amount"]
    breaks, explained, gaps = [], defaultdict(Decimal), {}
    for key in sorted(set(clearing) | set(bank) | set(ledger)):
        legs = {"BANK": bank.get(key), "LEDGER": ledger.get(key)}
        gap = (legs["BANK"] or 0) - (legs["LEDGER"] or 0)
        if legs["BANK"] != legs["LEDGER"]:
            explained[key[0]] += gap
        found = len(breaks)
        if key not in clearing:
            breaks.append(("MISSING_CLEARING", *key, legs["BANK"] if legs["BANK"] is not None else legs["LEDGER"]))
        else:
            for side, amount in legs.items():
                if amount is None:
                    breaks.append((f"MISSING_{side}", *key, -clearing[key]))
                elif abs(amount - clearing[key]) > DCO_TOLERANCE:
                    breaks.append(("AMOUNT_MISMATCH", *key, amount - clearing[key]))
        if len(breaks) > found:
            gaps[key] = gap
    return breaks, explained, gaps


def derived_key(root: Path) -> tuple[set[tuple], list[tuple]]:
    """The breaks the conventions give from the files, and the pending EOD cycles. CASH and DCO breaks are carried
    from day to day (OPEN) until a later day's breaks at the same (recon, account, currency, reference) net them to
    zero; while open, the books differ from the bank by them (CASH: the difference; DCO: the grain's bank - ledger)."""
    found: set[tuple] = set()
    pending = []
    carried: dict[tuple, list[tuple[str, Decimal, Decimal]]] = {}
    for day in business_dates(root):
        files = day_files(root, day)
        cash, accepted = cash_breaks(cash_items(files))
        dco, dco_explained, gaps = dco_breaks(root, day, files)
        today: dict[tuple, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
        for kind, account, ccy, ref, diff in cash:
            today[("CASH", account, ccy, ref)].append((kind, diff, diff))
        for kind, account, ccy, ref, diff in dco:
            # a grain's gap counts once however many of its legs break
            first = not today[("DCO_SETTLEMENT", account, ccy, ref)]
            today[("DCO_SETTLEMENT", account, ccy, ref)].append((kind, diff, gaps[(account, ccy, ref)] if first else 0))
        explained = defaultdict(Decimal, accepted)
        for _kind, account, _ccy, _ref, difference in cash:
            explained[account] += difference
        for account, difference in dco_explained.items():
            explained[account] += difference
        for (_recon, account, _ccy, _ref), items in carried.items():
            explained[account] += sum(gap for _kind, _diff, gap in items)
        still_open = {}
        for grain in set(today) | set(carried):
            new, old = today.get(grain, []), carried.get(grain, [])
            if new and old and sum(diff for _kind, diff, _gap in new + old) == 0:
                continue
            found |= {(day.isoformat(), *grain[:1], kind, *grain[1:], money(diff)) for kind, diff, _gap in new + old}
            still_open[grain] = old + new
        carried = still_open
        for statement in files.statements:
            closing = next(b.amount for b in statement.balances if b.balance_type == "CLBD")
            unexplained = closing - files.books[(statement.bank_account_id, statement.currency)] - explained[
                statement.bank_account_id]
            if unexplained:
                found.add((day.isoformat(), "BANK_BALANCE", "BALANCE_MISMATCH", statement.bank_account_id,
                           statement.currency, None, money(unexplained)))
        expected = calendar.next_business_day(day).isoformat()
        pending += [(day.isoformat(), account, ccy, ref, money(amount), expected)
                    for (account, ccy, ref), amount in settlement_cycles(root, day, "EOD").items()]
    return found, sorted(pending)


def key_json(root: Path) -> dict:
    """answer_key.json as written."""
    return json.loads((root / "answer_key.json").read_text(encoding="utf-8"))


def test_answer_key_follows_from_the_files(landing: tuple[Path, AnswerKey]) -> None:
    """CASH and DCO matching and the proof of cash, re-derived from the files, give exactly the key's breaks
    (every account without a planted BALANCE_MISMATCH proves to zero) and its pending cycles."""
    root, _key = landing
    found, pending = derived_key(root)
    fields = ("business_date", "recon", "break_type", "bank_account_id", "currency", "reference", "difference")
    listed = {tuple(b[f] for f in fields) for b in key_json(root)["breaks"]
              if b["recon"] in ("CASH", "DCO_SETTLEMENT", "BANK_BALANCE")}
    assert sorted(found, key=str) == sorted(listed, key=str)
    pending_fields = ("business_date", "bank_account_id", "currency", "reference", "amount", "expected_date")
    assert pending == sorted(tuple(p[f] for f in pending_fields) for p in key_json(root)["pending"])


def test_decoys_sit_on_the_tolerance_boundary(landing: tuple[Path, AnswerKey]) -> None:
    """Each day has CASH decoys of 1.00 (match) and 1.01 (break) and DCO decoys of 0.01 (match) and 0.02 (break);
    a BREAK decoy is among the breaks, a MATCH decoy is not."""
    root, _key = landing
    document = key_json(root)
    breaks = {(b["business_date"], b["bank_account_id"], b["reference"], b["difference"]) for b in document["breaks"]}
    shapes = Counter()
    for decoy in document["decoys"]:
        shapes[(decoy["recon"], decoy["difference"].lstrip("-"), decoy["expect"])] += 1
        listed = (decoy["business_date"], decoy["bank_account_id"], decoy["reference"], decoy["difference"]) in breaks
        assert listed == (decoy["expect"] == "BREAK")
    days = SMALL.days
    assert shapes == {("CASH", "1.00", "MATCH"): days, ("CASH", "1.01", "BREAK"): days,
                      ("DCO_SETTLEMENT", "0.01", "MATCH"): days, ("DCO_SETTLEMENT", "0.02", "BREAK"): days}


def test_every_break_type_appears_at_least_three_times(landing: tuple[Path, AnswerKey]) -> None:
    """With three days, each planted (recon, break type) is in the key at least three times, once a day or more;
    amounts beyond float precision are among both matches and breaks."""
    root, key = landing
    counts = Counter((b.recon, b.break_type) for b in key.breaks)
    expected = [("CASH", t) for t in ("MISSING_BANK", "MISSING_LEDGER", "AMOUNT_MISMATCH", "DATE_MISMATCH",
                                      "DUPLICATE", "AMBIGUOUS")]
    expected += [("DCO_SETTLEMENT", t) for t in ("MISSING_BANK", "MISSING_LEDGER", "MISSING_CLEARING",
                                                 "AMOUNT_MISMATCH")]
    expected += [("BANK_BALANCE", "BALANCE_MISMATCH")]
    expected += [("POSITION", "QUANTITY_MISMATCH"), ("POSITION", "MISSING_LEDGER"), ("POSITION", "PRICE_MISMATCH"),
                 ("POSITION", "MISSING_CLEARING"), ("TRADE", "PRICE_MISMATCH"),
                 ("TRADE", "MISSING_CLEARING"), ("TRADE", "QUANTITY_MISMATCH"), ("TRADE", "MISSING_LEDGER"),
                 ("COLLATERAL", "AMOUNT_MISMATCH"), ("COLLATERAL", "MISSING_LEDGER"),
                 ("COLLATERAL", "MISSING_CLEARING")]
    assert all(counts[kind] >= 3 for kind in expected), counts
    assert set(counts) == set(expected)
    journal = (root / business_dates(root)[0].isoformat() / "ledger" / "cash_journal.csv").read_text()
    assert "12345678901234568.89" in journal and "90071992547409.93" in journal


def test_balances_include_deficits_offsets_and_undermargined_accounts(landing: tuple[Path, AnswerKey]) -> None:
    """balances.csv has every account, some liquidating to a deficit, one with offset securities, several
    undermargined, and some holding EUR as well as USD."""
    root, _key = landing
    day = business_dates(root)[-1]
    balances = rows(root / day.isoformat() / "ledger" / "balances.csv", root, DAY_CONTRACTS["src_ledger__balances"][1])
    nle = defaultdict(Decimal)
    margin = defaultdict(Decimal)
    for row in balances:
        nle[row["account_id"]] += (row["cash_balance"] + row["securities_value"] + row["open_trade_equity"]
                                   + row["long_option_value"] - row["short_option_value"])
        margin[row["account_id"]] += row["initial_margin_requirement"]
    assert len(nle) == SMALL.accounts + 2
    assert sum(1 for v in nle.values() if v < 0) >= 3
    assert sum(1 for a in nle if 0 <= nle[a] < margin[a]) >= 4
    assert sum(1 for r in balances if r["offset_securities_value"] > 0) == 1
    assert sum(1 for r in balances if r["currency"] == "EUR") >= 4


# ---- scale ----


def test_scale_smoke(tmp_path: Path) -> None:
    """2,000 accounts and 20,000 trades for one day generate in well under 30 seconds."""
    started = time.perf_counter()
    generate(tmp_path / "big", GenerateOptions(date(2026, 11, 24), 1, 2000, 20_000, 1))
    elapsed = time.perf_counter() - started
    print(f"generate accounts=2000 trades_per_day=20000 days=1: {elapsed:.2f} s")
    assert elapsed < 30
