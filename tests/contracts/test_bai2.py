"""Contract tests of the BAI2 reader: the public samples' known control totals, the bank variants, and bad input.

The samples and their known values are listed in ``../shared/samples/SOURCES.md``. The control totals and counts the
reader *computes* are read back by mutation: a trailer is overwritten with impossible values, the file is parsed in
lenient mode, and the Problem's ``expected`` is what the reader computed from the records.
"""

from __future__ import annotations

import gc
import random
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.contracts.bai2 import Bai2File, parse_bai2, read_bai2
from recon.errors import FileRejected, LandingError
from recon.money import currency_places

# ---------------------------------------------------------------------------------------------------------- helpers

_SENTINEL_TOTAL, _SENTINEL_COUNT = "999999999999999", "99999"
_TRAILER_FIELDS = {
    "49": ("account control total", "record count"),
    "98": ("group control total", "number of accounts", "record count"),
    "99": ("file control total", "number of groups", "record count"),
}


def _computed_trailer(text: str, code: str, index: int) -> tuple[int, ...]:
    """What the reader computes for the ``index``-th ``code`` trailer, read back from lenient-mode Problems."""
    matches = list(re.finditer(rf"(?m)(^|/ *){code},[^/\r\n]*(/|$)", text))  # SVB's 99 has no closing '/'
    match = matches[index]
    sentinels = [_SENTINEL_TOTAL] + [_SENTINEL_COUNT] * (len(_TRAILER_FIELDS[code]) - 1)
    mutated = f"{text[:match.start()]}{match.group(1)}{code},{','.join(sentinels)}/{text[match.end():]}"
    parsed = parse_bai2(mutated, "mutated.bai2", strict=False)
    expected = {p.field: p.expected for p in parsed.problems
                if p.field.startswith(code) and p.found in (_SENTINEL_TOTAL, _SENTINEL_COUNT)}
    return tuple(int(expected[f"{code} {name}"]) for name in _TRAILER_FIELDS[code])


def _file(*account_lines: str, total: int, group_currency: str = "USD", version: str = "2",
          modifier: str = "2", as_of: str = "240101") -> str:
    """A one-group, one-account BAI2 file around ``account_lines`` (the 03 and its 16/88 lines, one record a line).

    ``total`` is the control total the test's author computed by hand; it is written in the 49, 98 and 99.
    """
    count = len(account_lines) + 1  # the account's records and its 49
    return "\n".join([
        f"01,SENDER,RECEIVER,240102,0800,F1,,,{version}/",
        f"02,RECEIVER,SENDER,1,{as_of},2359,{group_currency},{modifier}/",
        *account_lines,
        f"49,{total},{count}/",
        f"98,{total},1,{count + 2}/",
        f"99,{total},1,{count + 4}/",
    ]) + "\n"


def _rejection(text: str) -> FileRejected:
    """The FileRejected a strict parse of ``text`` raises."""
    with pytest.raises(FileRejected) as caught:
        parse_bai2(text, "inline.bai2")
    return caught.value


def _raw(amount: Decimal, currency: str) -> int:
    """An amount back in BAI2's implied minor units."""
    return int(amount.scaleb(currency_places(currency)))


def _read(samples_dir: Path, name: str, *, strict: bool = True) -> Bai2File:
    """A sample file read by the reader."""
    return read_bai2(samples_dir / "bai2" / name, f"bai2/{name}", strict=strict)


# -------------------------------------------------------------------------------------------- the public samples


class Sample(NamedTuple):
    """A sample's known values (SOURCES.md). trailers_49: (index of the 49 in the file, total, count)."""

    file: str
    strict_ok: bool
    groups: int
    accounts: int
    trailers_49: tuple[tuple[int, int, int], ...]
    trailers_98: tuple[tuple[int, int, int], ...]
    trailer_99: tuple[int, int, int] | None
    variants: tuple[str, ...]


SAMPLES = (
    Sample("bai_spec_appendixD_sample.bai2", True, 4, 5,
           ((0, 9150000, 4), (1, 4000000, 5), (2, 180000000, 6), (3, 140500000, 3), (4, 11800000, 3)),
           ((13150000, 2, 11), (180000000, 1, 8), (140500000, 1, 5), (11800000, 1, 5)),
           (345450000, 4, 31), ()),
    # The first account's 49 counts a packed 16 and three 88s; the 8th account's counts a wrapped line as nothing.
    Sample("moov_sample3_packed_wrapped_messy.bai2", True, 1, 15, ((0, -1600, 11), (7, 2515864, 14)),
           ((2508440, 15, 72),), (2508440, 1, 74), ("PACKED_RECORDS", "WRAPPED_LINES")),
    # Negative: trailers wrong by design. The 2nd account holds 18 records (its 49 says 26) and sums to
    # 6865898 + 1912 + 60000 + 143500 + 928650 = 7999960 (its 49 says -1260161341762).
    Sample("moov_sample4_gs_88tags_bad_trailers.bai2", False, 1, 5, ((1, 7999960, 18),), (), None,
           ("NO_SLASH_16", "TAGGED_88")),
    Sample("moj_svb_us_example.bai2", True, 2, 2, ((0, 138884258, 7), (1, 143145938, 7)),
           ((138884258, 1, 9), (143145938, 1, 9)), (282030196, 2, 20), ()),
    Sample("moj_natwest_gbp_example.bai2", True, 1, 1, ((0, 143764, 14),), ((143764, 1, 16),), (143764, 1, 18), ()),
    Sample("moj_account_trailer_amount_blank.bai2", True, 1, 2, ((0, 0, 2), (1, 0, 2)), ((0, 2, 6),), (0, 1, 8),
           ("BLANK_49_AMOUNT",)),
    Sample("vh_eod_wire_88tags_crlf.bai2", True, 1, 1, ((0, 8325982, 13),), ((8325982, 1, 15),), (8325982, 1, 17),
           ("CRLF", "NO_SLASH_16", "TAGGED_88")),
    Sample("vh_eod_slash_in_text.bai2", True, 1, 1, ((0, 8325982, 14),), ((8325982, 1, 16),), (8325982, 1, 18),
           ("NO_SLASH_16", "TAGGED_88")),
)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.file)
def test_sample_strict_verdict_and_file_trailer(samples_dir: Path, sample: Sample) -> None:
    """Each sample is accepted in strict mode with its known 99, or (the negative sample) rejected."""
    if not sample.strict_ok:
        with pytest.raises(FileRejected):
            _read(samples_dir, sample.file)
        return
    parsed = _read(samples_dir, sample.file)
    assert parsed.problems == ()
    assert (int(parsed.control_total), parsed.group_count, parsed.record_count) == sample.trailer_99
    assert len(parsed.statements) == sample.accounts
    assert len({statement.statement_id for statement in parsed.statements}) == sample.accounts


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.file)
def test_sample_computed_trailers_are_the_known_values(samples_dir: Path, sample: Sample) -> None:
    """The 49, 98 and 99 totals and counts the reader computes from the records are the ones SOURCES.md lists."""
    text = (samples_dir / "bai2" / sample.file).read_bytes().decode("utf-8")
    for index, total, count in sample.trailers_49:
        assert _computed_trailer(text, "49", index) == (total, count), f"49 number {index + 1}"
    for index, known in enumerate(sample.trailers_98):
        assert _computed_trailer(text, "98", index) == known, f"98 number {index + 1}"
    if sample.trailer_99 is not None:
        assert _computed_trailer(text, "99", 0) == sample.trailer_99


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.file)
def test_sample_reports_the_bank_variants_it_uses(samples_dir: Path, sample: Sample) -> None:
    """The variants a sample uses are named, and no others: packed, wrapped, CRLF, no closing slash, tags, blank 49."""
    parsed = _read(samples_dir, sample.file, strict=False)
    assert parsed.variants == sample.variants
    assert parsed.group_count == sample.groups
    assert len(parsed.statements) == sample.accounts


def test_appendix_d_funds_types_and_split_type_code(samples_dir: Path) -> None:
    """Appendix D: funds type S and V details, and a 190 type code split from its amount across an 03 and an 88."""
    parsed = _read(samples_dir, "bai_spec_appendixD_sample.bai2")
    assert (parsed.sender, parsed.receiver, parsed.file_id, parsed.creation_date, parsed.version) == (
        "122099999", "123456789", "1", date(2004, 6, 21), "2")
    by_id = {statement.statement_id: statement for statement in parsed.statements}
    lock_box = by_id["1/1/1"].entries[0]
    assert (lock_box.type_code, lock_box.funds_type, lock_box.direction, lock_box.amount) == (
        "115", "S", "CREDIT", Decimal("4500.00"))
    split = by_id["1/1/2"]
    assert [(b.balance_type, b.amount) for b in split.balances] == [
        ("OPBD", Decimal("-5000.00")), ("BAI072", Decimal("5000.00")), ("BAI074", Decimal("5000.00")),
        ("OPAV", Decimal("-15000.00"))]  # the 040 after the 88; 190 (a summary) is no balance
    letter_of_credit = by_id["1/2/1"].entries[0]
    assert letter_of_credit.value_date == date(2004, 6, 22)
    assert (letter_of_credit.bank_reference, letter_of_credit.customer_reference) == ("SP4738", "YRC065321")
    assert letter_of_credit.text == "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
    assert letter_of_credit.location == "line 16"
    assert [(s.group_status, s.report_kind) for s in parsed.statements] == [("1", "FINAL")] * 4 + [("3", "FINAL")]


def test_svb_closing_ledger_balance(samples_dir: Path) -> None:
    """SVB: the first day's 015 closing ledger is 352171.75 USD, continued over 88s, and the 16 keeps its bank ref."""
    parsed = _read(samples_dir, "moj_svb_us_example.bai2")
    first = parsed.statements[0]
    assert (first.bank_account_id, first.currency, first.as_of_date) == ("1234567890", "USD", date(2022, 2, 1))
    balances = {balance.balance_type: balance.amount for balance in first.balances}
    assert balances["CLBD"] == Decimal("352171.75")
    assert balances["CLAV"] == Decimal("352171.75")  # 045, from the first 88
    entry = first.entries[0]
    assert (entry.amount, entry.bank_reference, entry.text) == (
        Decimal("4901.96"), "172629", "SOME PAYMENT ACH OFFSET")


def test_wire_text_keeps_its_tags_and_slashes(samples_dir: Path) -> None:
    """The Fedwire: one 195 credit of 83259.82 USD whose text holds the 88 tags, and '/' where the bank wrote it."""
    crlf = _read(samples_dir, "vh_eod_wire_88tags_crlf.bai2")
    slash = _read(samples_dir, "vh_eod_slash_in_text.bai2")
    for parsed in (crlf, slash):
        (statement,) = parsed.statements
        (wire,) = statement.entries
        assert (wire.type_code, wire.direction, wire.amount, wire.currency) == (
            "195", "CREDIT", Decimal("83259.82"), "USD")
        assert wire.text.startswith("FED NO: 20100831L1B77D1CDSDSDJSIO15608310954FT01 SENDER BNK:=ETRADE BANK")
        assert "OBI:=INVOICE 123456" in wire.text
        assert statement.report_kind == "INTERIM"  # as-of-date modifier 4: same-day, not the statement of record
    slashed = "ORG ADDRESS:=2/AV MAIN 2/AVENUE DE ANGELLIST 3/MX /MEXICO ; BNF ID:=3300333333"
    assert slashed in slash.statements[0].entries[0].text


def test_natwest_gbp_details_and_joined_text(samples_dir: Path) -> None:
    """NatWest: GBP amounts with 2 places, 699 debits negative, 399 credit, an 88 text continued by another 88."""
    parsed = _read(samples_dir, "moj_natwest_gbp_example.bai2")
    (statement,) = parsed.statements
    assert (statement.currency, statement.bank_account_id) == ("GBP", "88888888 600004")
    assert [(e.type_code, e.amount) for e in statement.entries] == [
        ("699", Decimal("-9.71")), ("699", Decimal("-1.00")), ("699", Decimal("-1.23")), ("699", Decimal("-15.71")),
        ("399", Decimal("0.89"))]
    assert statement.entries[-1].text.endswith("INTERNATIONAL-5373 CLIE NT SECCY AC TFR")


def test_packed_and_wrapped_records_become_entries(samples_dir: Path) -> None:
    """sample3: two 16s packed on one line are two entries of that line; a wrapped line joins its 16's text."""
    parsed = _read(samples_dir, "moov_sample3_packed_wrapped_messy.bai2")
    first = parsed.statements[0]
    assert [(e.location, e.amount, e.text) for e in first.entries[:2]] == [
        ("line 3", Decimal("25.00"), "TRANSFER   PAYPAL             PPD"),
        ("line 3", Decimal("5.00"), "TRANSFER   MSPBNA BANK        PPD")]
    wrapped = parsed.statements[7].entries[0]
    assert wrapped.location == "line 18"
    assert wrapped.text == "111111     ACH_SETL           1111111111 111111111111111 1111111111"


def test_bad_trailers_sample_strict_names_first_and_lenient_reports_all(samples_dir: Path) -> None:
    """sample4: strict rejects at its first bad trailer (expected and found); lenient returns statements and both."""
    with pytest.raises(FileRejected) as caught:
        _read(samples_dir, "moov_sample4_gs_88tags_bad_trailers.bai2")
    first = caught.value.problem
    assert (first.scope, first.location, first.field, first.code) == (
        "FILE", "line 22 (49)", "49 account control total", "TRAILER_TOTAL_MISMATCH")
    assert (first.expected, first.found) == ("7999960", "-1260161341762")
    assert "7999960" in str(caught.value) and "-1260161341762" in str(caught.value)

    parsed = _read(samples_dir, "moov_sample4_gs_88tags_bad_trailers.bai2", strict=False)
    found = {(p.location, p.field): (p.expected, p.found) for p in parsed.problems}
    assert found[("line 22 (49)", "49 record count")] == ("18", "26")
    assert found[("line 115 (98)", "98 number of accounts")] == ("5", "4")
    assert all(p.code in ("TRAILER_TOTAL_MISMATCH", "TRAILER_COUNT_MISMATCH") for p in parsed.problems)
    assert [s.bank_account_id for s in parsed.statements] == [
        "107049924", "107049932", "104108339", "260000033037", "280000010657"]
    assert sum(len(s.entries) for s in parsed.statements) == 17
    assert parsed.statements[1].entries[0].text.startswith("ACH Credit Payment,Entry Description: EXP; -, SEC: CCD")


# The PyPI ``bai2`` package (0.15.0) as a second opinion where it can read the file.
PYPI_ROWS = (
    ("moj_svb_us_example.bai2", ""),
    ("moj_natwest_gbp_example.bai2", ""),
    ("moj_account_trailer_amount_blank.bai2", ""),
    ("vh_eod_wire_88tags_crlf.bai2", ""),
    ("vh_eod_slash_in_text.bai2", ""),
    ("bai_spec_appendixD_sample.bai2", "bai2 0.15.0 refuses bank-defined type codes and misreads the 190 split "
                                       "across an 03 and an 88"),
    ("moov_sample3_packed_wrapped_messy.bai2", "bai2 0.15.0 cannot split packed records ('2/   02')"),
    ("moov_sample4_gs_88tags_bad_trailers.bai2", "the trailers are wrong by design: bai2 0.15.0 rejects it too"),
)


@pytest.mark.parametrize(("name", "skip_reason"), PYPI_ROWS, ids=[row[0] for row in PYPI_ROWS])
def test_cross_check_with_pypi_bai2(samples_dir: Path, name: str, skip_reason: str) -> None:
    """Where the PyPI bai2 package reads a sample, its accounts, details and verified 49s agree with ours."""
    if skip_reason:
        pytest.skip(skip_reason)
    from bai2 import bai2 as pypi_bai2

    text = (samples_dir / "bai2" / name).read_bytes().decode("utf-8")
    theirs = pypi_bai2.parse_from_string(text, check_integrity=True)
    ours = parse_bai2(text, name)
    their_accounts = [account for group in theirs.children for account in group.children]
    assert len(their_accounts) == len(ours.statements)
    assert int(ours.control_total) == theirs.trailer.file_control_total
    assert ours.record_count == theirs.trailer.number_of_records
    for index, (account, statement) in enumerate(zip(their_accounts, ours.statements)):
        assert statement.bank_account_id == account.header.customer_account_number
        assert _computed_trailer(text, "49", index) == (
            account.trailer.account_control_total, account.trailer.number_of_records)
        assert [(e.type_code, _raw(abs(e.amount), e.currency), e.text) for e in statement.entries] == [
            (d.type_code.code, d.amount, d.text or "") for d in account.children]
        their_balances = [(s.type_code.code, s.amount) for s in account.header.summary_items
                          if s.type_code is not None and int(s.type_code.code) < 100]
        assert [(b.type_code, _raw(b.amount, b.currency)) for b in statement.balances] == their_balances


# ---------------------------------------------------------------------------------------------- inline inputs

_ONE_WIRE = _file(
    "03,ACCT1,,010,100000,,,015,150000,,/",
    "16,195,50000,Z,BANKREF1,CUSTREF1,INCOMING WIRE/",
    total=300000)


def test_inline_file_reads_balances_and_entry() -> None:
    """A minimal file: 010/015 balances, one credit, the statement id, location and header values."""
    parsed = parse_bai2(_ONE_WIRE, "inline.bai2")
    (statement,) = parsed.statements
    assert (statement.statement_id, statement.fmt, statement.as_of_date, statement.currency) == (
        "F1/1/1", "BAI2", date(2024, 1, 1), "USD")
    assert [(b.balance_type, b.amount, b.location) for b in statement.balances] == [
        ("OPBD", Decimal("1000.00"), "line 3"), ("CLBD", Decimal("1500.00"), "line 3")]
    (entry,) = statement.entries
    assert entry[2:] == ("line 4", "ACCT1", "USD", date(2024, 1, 1), None, "195", "CREDIT", Decimal("500.00"),
                         "Z", "BANKREF1", "CUSTREF1", "INCOMING WIRE", "BOOK", False)
    assert (parsed.record_count, parsed.group_count, parsed.control_total) == (7, 1, Decimal(300000))


def test_wrong_49_total_is_rejected_with_expected_and_found() -> None:
    """A 49 total that disagrees with the amounts rejects the file, naming the line, the trailer, expected and found."""
    text = _ONE_WIRE.replace("49,300000,3/", "49,300001,3/")
    problem = _rejection(text).problem
    assert (problem.location, problem.field, problem.code, problem.expected, problem.found) == (
        "line 5 (49)", "49 account control total", "TRAILER_TOTAL_MISMATCH", "300000", "300001")
    assert "account ACCT1" in problem.message and "300001" in problem.message and "300000" in problem.message
    assert problem.record_id == "" and problem.scope == "FILE"


def test_wrong_99_count_is_rejected() -> None:
    """A 99 record count that is not the number of logical records rejects the file."""
    problem = _rejection(_ONE_WIRE.replace("99,300000,1,7/", "99,300000,1,8/")).problem
    assert (problem.location, problem.field, problem.code, problem.expected, problem.found) == (
        "line 7 (99)", "99 record count", "TRAILER_COUNT_MISMATCH", "7", "8")


def test_strict_raises_the_first_mismatch_lenient_collects_all() -> None:
    """With a bad 49 count and a bad 99 total, strict names the 49; lenient returns the statement and both problems."""
    text = _ONE_WIRE.replace("49,300000,3/", "49,300000,4/").replace("99,300000,1,7/", "99,300001,1,7/")
    assert _rejection(text).problem.field == "49 record count"
    parsed = parse_bai2(text, "inline.bai2", strict=False)
    assert [(p.field, p.expected, p.found) for p in parsed.problems] == [
        ("49 record count", "3", "4"), ("99 file control total", "300000", "300001")]
    assert len(parsed.statements[0].entries) == 1


def test_jpy_amounts_have_no_decimal_places() -> None:
    """JPY (0 places) from the 03 overrides the 02's USD: 250000 is 250000 yen, not 2500.00."""
    parsed = parse_bai2(_file("03,ACCT1,JPY,010,1500,,/", "16,195,250000,Z,REF1,,YEN WIRE/", total=251500),
                        "inline.bai2")
    (statement,) = parsed.statements
    assert statement.currency == "JPY"
    assert statement.balances[0].amount == Decimal("1500")
    (entry,) = statement.entries
    assert (entry.amount, entry.currency, entry.amount.as_tuple().exponent) == (Decimal("250000"), "JPY", 0)


def test_group_currency_applies_when_the_account_has_none() -> None:
    """A blank 03 currency takes the 02's (here KWD, 3 places)."""
    parsed = parse_bai2(_file("03,ACCT1,,010,1500,,/", total=1500, group_currency="KWD"), "inline.bai2")
    assert (parsed.statements[0].currency, parsed.statements[0].balances[0].amount) == ("KWD", Decimal("1.500"))


@pytest.mark.parametrize(("line", "field", "found"), [
    ("16,195,12A4,Z,REF1,,TEXT/", "16 amount", "12A4"),
    ("16,195,1.50,Z,REF1,,TEXT/", "16 amount", "1.50"),
    ("16,195, 150,Z,REF1,,TEXT/", "16 amount", " 150"),
    ("16,195,,Z,REF1,,TEXT/", "16 amount", ""),
    ("16,195,-150,Z,REF1,,TEXT/", "16 amount", "-150"),
    ("16,195,1" + "0" * 24 + ",Z,REF1,,TEXT/", "16 amount", "1" + "0" * 24),
])
def test_letters_in_an_amount_reject_the_file_naming_line_and_field(line: str, field: str, found: str) -> None:
    """A 16 amount that is not unsigned digits (or too long) rejects the file naming the line, field and value."""
    problem = _rejection(_file("03,ACCT1,,010,1500,,/", line, total=1650)).problem
    assert (problem.location, problem.field, problem.code, problem.found) == ("line 4 (16)", field, "BAD_AMOUNT", found)
    assert "line 4" in problem.message


@pytest.mark.parametrize(("account_line", "field", "found"), [
    ("03,ACCT1,,010,1O00,,/", "03 type 010 amount", "1O00"),
    ("03,ACCT1,,100,1000,X,,/", "03 type 100 item count", "X"),
    ("03,ACCT1,,10,1000,,/", "03 type code", "10"),
    ("03,ACCT1,,100,1000,1,S,1,A,3/", "03 funds type S availability amount", "A"),
    ("03,ACCT1,,100,1000,1,Q/", "03 funds type", "Q"),
    ("03,ACCT1,US,010,1000,,/", "03 currency", "US"),
])
def test_bad_03_fields_reject_the_file(account_line: str, field: str, found: str) -> None:
    """A bad 03 amount, item count, type code, funds type or currency rejects the file naming the field."""
    problem = _rejection(_file(account_line, total=1000)).problem
    assert (problem.location, problem.field, problem.found) == ("line 3 (03)", field, found)


def test_bad_49_total_text_is_rejected() -> None:
    """Letters in a 49 total reject the file (trailers are unprovable), naming the field and the value."""
    problem = _rejection(_ONE_WIRE.replace("49,300000,3/", "49,3000O0,3/")).problem
    assert (problem.field, problem.code, problem.found) == ("49 account control total", "BAD_AMOUNT", "3000O0")


def test_amount_beyond_float_precision_is_exact() -> None:
    """1234567890123456789 cents is Decimal('12345678901234567.89') exactly (a float would lose the cents)."""
    parsed = parse_bai2(_file("03,ACCT1,/", "16,195,1234567890123456789,Z,,,BIG/", total=1234567890123456789),
                        "inline.bai2")
    amount = parsed.statements[0].entries[0].amount
    assert amount == Decimal("12345678901234567.89")
    assert str(amount) == "12345678901234567.89"
    assert parsed.control_total == Decimal(1234567890123456789)


@pytest.mark.parametrize(("type_code", "direction", "status", "amount"), [
    ("195", "CREDIT", "BOOK", Decimal("5.00")),
    ("399", "CREDIT", "BOOK", Decimal("5.00")),
    ("495", "DEBIT", "BOOK", Decimal("-5.00")),
    ("699", "DEBIT", "BOOK", Decimal("-5.00")),
    ("950", "CREDIT", "BOOK", Decimal("5.00")),  # bank-defined, 920-959: credit
    ("975", "DEBIT", "BOOK", Decimal("-5.00")),  # bank-defined, 960-999: debit
    ("905", "CREDIT", "INFO", Decimal("5.00")),  # bank-defined status, 900-919: information, not money moved
    ("890", "CREDIT", "INFO", Decimal("5.00")),  # non-monetary
])
def test_detail_type_codes_are_classified_by_range(type_code: str, direction: str, status: str,
                                                   amount: Decimal) -> None:
    """A 16's type code gives its direction and sign; bank-defined 900-999 codes are accepted by range."""
    parsed = parse_bai2(_file("03,ACCT1,/", f"16,{type_code},500,,REF,,TEXT/", total=500), "inline.bai2")
    entry = parsed.statements[0].entries[0]
    assert (entry.direction, entry.status, entry.amount) == (direction, status, amount)


@pytest.mark.parametrize("type_code", ["015", "750", "000", "12", "ABC"])
def test_detail_type_codes_that_cannot_be_signed_are_rejected(type_code: str) -> None:
    """A 16 with a status code, an unclassified (loan or reserved) code or a malformed code rejects the file."""
    problem = _rejection(_file("03,ACCT1,/", f"16,{type_code},500,,REF,,TEXT/", total=500)).problem
    assert (problem.field, problem.code, problem.found) == ("16 type code", "UNKNOWN_TYPE_CODE", type_code)


def test_status_codes_become_balances_and_summaries_do_not() -> None:
    """03 status codes map to OPBD/CLBD/OPAV/CLAV or BAI<code>; credit and debit summaries are not balances."""
    parsed = parse_bai2(_file(
        "03,ACCT1,,010,1,,,015,2,,,040,3,,,045,4,,,060,5,,,905,6,,,100,7,1,,400,8,1,,750,9,,/", total=45),
        "inline.bai2")
    assert [(b.type_code, b.balance_type, b.amount) for b in parsed.statements[0].balances] == [
        ("010", "OPBD", Decimal("0.01")), ("015", "CLBD", Decimal("0.02")), ("040", "OPAV", Decimal("0.03")),
        ("045", "CLAV", Decimal("0.04")), ("060", "BAI060", Decimal("0.05")), ("905", "BAI905", Decimal("0.06"))]


@pytest.mark.parametrize(("modifier", "kind"), [("", "FINAL"), ("2", "FINAL"), ("1", "INTERIM"), ("3", "INTERIM"),
                                                 ("4", "INTERIM")])
def test_as_of_date_modifier_gives_report_kind(modifier: str, kind: str) -> None:
    """Only a final previous-day report (modifier 2 or blank) is FINAL, the statement of record."""
    parsed = parse_bai2(_file("03,ACCT1,/", total=0, modifier=modifier), "inline.bai2")
    assert parsed.statements[0].report_kind == kind
    assert parsed.statements[0].is_statement_of_record is (kind == "FINAL")


@pytest.mark.parametrize(("as_of", "expected"), [("691231", date(2069, 12, 31)), ("700101", date(1970, 1, 1)),
                                                 ("240229", date(2024, 2, 29))])
def test_two_digit_years(as_of: str, expected: date) -> None:
    """YYMMDD: 70-99 are 19xx, 00-69 are 20xx."""
    assert parse_bai2(_file("03,ACCT1,/", total=0, as_of=as_of), "x").statements[0].as_of_date == expected


@pytest.mark.parametrize("as_of", ["230229", "241301", "240100", "2401", "24O101", ""])
def test_impossible_dates_reject_the_file(as_of: str) -> None:
    """An impossible or malformed 02 as-of date rejects the file with BAD_DATE."""
    problem = _rejection(_file("03,ACCT1,/", total=0, as_of=as_of)).problem
    assert (problem.field, problem.code, problem.found, problem.location) == (
        "02 as-of date", "BAD_DATE", as_of, "line 2 (02)")


def test_value_date_and_availability_of_funds_types() -> None:
    """V gives the entry's value date; S and D availability amounts are read but never added to the 49 total."""
    parsed = parse_bai2(_file(
        "03,ACCT1,,100,500000,3,S,100000,200000,200000,400,70000,2,D,2,0,30000,1,40000/",
        "16,195,100000,V,240103,1200,REF1,,VALUE DATED/",
        "16,195,100000,D,2,0,60000,1,40000,REF2,,DISTRIBUTED/",
        "16,495,5000,S,1000,2000,2000,REF3,,AVAILABILITY/",
        total=775000), "inline.bai2")
    entries = parsed.statements[0].entries
    assert [e.value_date for e in entries] == [date(2024, 1, 3), None, None]
    assert [(e.funds_type, e.bank_reference, e.text) for e in entries] == [
        ("V", "REF1", "VALUE DATED"), ("D", "REF2", "DISTRIBUTED"), ("S", "REF3", "AVAILABILITY")]


def test_continuation_may_split_a_record_between_any_two_fields() -> None:
    """An 88 continues the 03 after an amount (before its item count) and a 16 after its type code."""
    parsed = parse_bai2(_file(
        "03,ACCT1,,010,1000/",
        "88,,,015,2000,,/",
        "16,195/",
        "88,300,Z,REF1,,SPLIT DETAIL/",
        "88,MORE TEXT/",
        total=3300), "inline.bai2")
    statement = parsed.statements[0]
    assert [(b.balance_type, b.amount) for b in statement.balances] == [
        ("OPBD", Decimal("10.00")), ("CLBD", Decimal("20.00"))]
    (entry,) = statement.entries
    assert (entry.amount, entry.bank_reference, entry.text, entry.location) == (
        Decimal("3.00"), "REF1", "SPLIT DETAIL MORE TEXT", "line 5")


def test_text_runs_to_the_end_of_the_record_with_commas_and_slashes() -> None:
    """A 16's text may hold ',' and '/'; an 88 that begins with '/' is more text; pieces join with one space."""
    parsed = parse_bai2(_file(
        "03,ACCT1,/",
        "16,195,100,,REF1,CUST1,PAID 1/2, SEE NOTE",
        "88,/MEXICO ;",
        "88,    PADDED    ",
        total=100), "inline.bai2")
    entry = parsed.statements[0].entries[0]
    assert entry.text == "PAID 1/2, SEE NOTE /MEXICO ; PADDED"
    assert "NO_SLASH_16" in parsed.variants


def test_packed_fixed_80_crlf_and_btrs_layouts_read_the_same() -> None:
    """Packing records on a line, 80-byte blank padding, CRLF and a version 3 header change no statement."""
    baseline = parse_bai2(_ONE_WIRE, "inline.bai2")
    lines = _ONE_WIRE.splitlines()
    layouts = {
        "PACKED_RECORDS": "\n".join(["   ".join(lines[:2]), " ".join(lines[2:5]), "".join(lines[5:])]),
        "FIXED_80": "\n".join(line.ljust(80) for line in lines) + "\n",
        "CRLF": _ONE_WIRE.replace("\n", "\r\n"),
        "BTRS_V3": _ONE_WIRE.replace(",,,2/", ",,,3/", 1),
    }
    for variant, text in layouts.items():
        parsed = parse_bai2(text, "inline.bai2")
        assert parsed.variants == (variant,), variant
        assert _without_locations(parsed) == _without_locations(baseline), variant
        assert parsed.record_count == baseline.record_count, variant
    assert [e.location for e in parse_bai2(layouts["PACKED_RECORDS"], "x").statements[0].entries] == ["line 2"]


def _without_locations(parsed: Bai2File) -> list[object]:
    """The statements with every balance and entry location blanked (packing moves records to other lines)."""
    return [statement._replace(balances=tuple(b._replace(location="") for b in statement.balances),
                               entries=tuple(e._replace(location="") for e in statement.entries))
            for statement in parsed.statements]


@pytest.mark.parametrize(("text", "code", "location"), [
    ("", "NOT_BAI2", ""),
    ("02,RECEIVER,SENDER,1,240101,2359,USD,2/\n", "NOT_BAI2", "line 1 (02)"),
    ("88,CONTINUES NOTHING/\n", "NOT_BAI2", "line 1 (88)"),
    (_ONE_WIRE.replace("99,300000,1,7/\n", ""), "MISSING_TRAILER", "line 6 (98)"),
    (_ONE_WIRE.replace("03,ACCT1,,010,100000,,,015,150000,,/\n", ""), "RECORD_OUT_OF_ORDER", "line 3 (16)"),
    (_ONE_WIRE.replace("16,195", "17,195"), "UNKNOWN_RECORD_CODE", "line 4 (17)"),
    (_ONE_WIRE + "02,RECEIVER,SENDER,1,240101,2359,USD,2/\n", "RECORD_OUT_OF_ORDER", "line 8 (02)"),
    (_ONE_WIRE.replace(",,,2/", ",,,1/", 1), "UNSUPPORTED_VERSION", "line 1 (01)"),
    (_ONE_WIRE.replace("2359,USD,2/", "2359,USD,9/"), "BAD_FIELD", "line 2 (02)"),
    (_ONE_WIRE.replace("1,240101,2359", "7,240101,2359"), "BAD_FIELD", "line 2 (02)"),
    (_ONE_WIRE.replace("50000,Z,", "50000,X,"), "BAD_FIELD", "line 4 (16)"),
])
def test_unreadable_structure_rejects_the_file(text: str, code: str, location: str) -> None:
    """No 01 first, no 99, records out of order, unknown record codes, versions or field values: rejected whole."""
    problem = _rejection(text).problem
    assert (problem.code, problem.location, problem.scope) == (code, location, "FILE")


def test_garbage_collector_is_restored_after_a_rejected_parse() -> None:
    """The reader pauses the cyclic garbage collector while it parses and restores it, even when it rejects."""
    assert gc.isenabled()
    _rejection(_ONE_WIRE.replace("49,300000,3/", "49,300001,3/"))
    assert gc.isenabled()


def test_duplicate_details_get_distinct_ids() -> None:
    """Two identical 16s (a bank's genuine duplicate) are two entries with two ids."""
    line = "16,195,100,Z,REF1,,SAME/"
    entries = parse_bai2(_file("03,ACCT1,/", line, line, total=200), "inline.bai2").statements[0].entries
    assert len({entry.record_id for entry in entries}) == 2


_DETAILS = st.lists(
    st.tuples(st.sampled_from(["142", "195", "451", "495", "950", "975"]), st.integers(0, 10**15),
              st.text(alphabet="ABC 12:", max_size=10), st.booleans()),
    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(details=_DETAILS, seed=st.integers(0, 2**32))
def test_shuffled_details_keep_their_ids_and_conserve_money(details: list[tuple[str, int, str, bool]],
                                                            seed: int) -> None:
    """Shuffling an account's 16s (with their 88s) changes no id, and credits minus debits is conserved."""
    blocks = [[f"16,{code},{amount},Z,REF{amount % 7},,{text}/"] + ([f"88,{text} MORE/"] if more else [])
              for code, amount, text, more in details]
    total = sum(amount for _, amount, _, _ in details)
    shuffled = blocks[:]
    random.Random(seed).shuffle(shuffled)
    results = []
    for order in (blocks, shuffled):
        lines = [line for block in order for line in block]
        parsed = parse_bai2(_file("03,ACCT1,/", *lines, total=total), "prop.bai2")
        results.append(parsed.statements[0].entries)
    original, reordered = results
    key = lambda entry: (entry.record_id, entry.type_code, entry.amount, entry.text)  # noqa: E731
    assert sorted(map(key, original)) == sorted(map(key, reordered))
    signed = sum((amount if code in ("142", "195", "950") else -amount) for code, amount, _, _ in details)
    assert sum(_raw(entry.amount, "USD") for entry in original) == signed


def test_read_bai2_reads_a_file_and_maps_read_errors(tmp_path: Path) -> None:
    """read_bai2 reads bytes (Latin-1 narratives accepted) and a missing file is a LandingError, not a rejection."""
    path = tmp_path / "latin1.bai2"
    path.write_bytes(_ONE_WIRE.replace("INCOMING WIRE", "CAFÉ PAYÉ").encode("latin-1"))
    parsed = read_bai2(path, "bank/latin1.bai2")
    assert parsed.source_file == "bank/latin1.bai2"
    assert parsed.statements[0].entries[0].text == "CAFÉ PAYÉ"
    with pytest.raises(LandingError):
        read_bai2(tmp_path / "missing.bai2", "bank/missing.bai2")
