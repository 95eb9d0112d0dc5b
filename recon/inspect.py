"""``fcm-recon inspect FILE``: what an input file is and what it holds, problems included, never a traceback.

:func:`inspect_file` detects the format from the content (not the name): BAI2 (starts with ``01,``), ISO 20022 camt
(a ``Document`` holding ``BkToCstmrStmt``, ``BkToCstmrAcctRpt`` or ``BkToCstmrDbtCdtNtfctn``), CME FIXML (a
``FIXML`` root), or a CSV whose header matches a ledger or reference contract. It reads the file with the project's
own readers and reports the version, header facts, counts, control totals, balances per statement and every problem
with its location. In strict mode a rejection is shown as the file's first problem; the file is then read again
leniently (BAI2, camt) so that every trailer and footing problem is listed, not only the first. In lenient mode
(``strict=False``) a file the lenient readers parse is ``ACCEPTED_WITH_PROBLEMS`` with its trailer and footing
problems, as a lenient run would take it; only a file they refuse is ``REJECTED``.

The report is a JSON-able dict (dates, decimals as strings); :func:`render_text` prints it for a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon.contracts.bai2 import read_bai2
from recon.contracts.camt import read_camt
from recon.contracts.fixml import read_fixml
from recon.contracts.ledger import DAY_CONTRACTS
from recon.contracts.reference import REFERENCE_CONTRACTS
from recon.contracts.tabular import Contract, read_table
from recon.contracts.xmlsafe import root_name
from recon.domain import BankBalance, BankStatement, Problem
from recon.errors import FcmReconError, FileRejected

__all__ = ["inspect_file", "render_text"]

_HEAD_BYTES = 64 * 1024
_CAMT_ROOTS = {"BkToCstmrStmt": "camt.053", "BkToCstmrAcctRpt": "camt.052", "BkToCstmrDbtCdtNtfctn": "camt.054"}
_CAMT_ROOT = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)[\s>]")
_FIXML_VERSION = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?FIXML\b[^>]*?\sv=\"([^\"]*)\"")
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


def inspect_file(path: Path, *, strict: bool = True) -> dict:
    """Detect ``path``'s format and report what it holds; every problem is in ``problems``, nothing is raised."""
    path = Path(path)
    report: dict = {"file": str(path), "format": "UNKNOWN", "strict": strict, "verdict": "ACCEPTED",
                    "problems": []}
    try:
        head = _head(path)
        fmt, detail = _detect(path, head)
    except FileRejected as rejected:  # an XML prolog refused (DTD) or not well-formed
        fmt, detail = "XML", ""
        report["problems"].append(_problem(rejected.problem))
    except OSError as error:
        report["problems"].append(_note("UNREADABLE_FILE", "a readable file", str(error), "cannot read the file"))
        fmt, detail = "UNKNOWN", ""
    report["format"] = fmt
    inspector = _INSPECTORS.get(fmt)
    if inspector is None:
        if not report["problems"]:
            report["problems"].append(_note("UNKNOWN_FORMAT", "BAI2, camt.05x, FIXML or a contract CSV", detail,
                                            f"the format cannot be recognised: {detail}"))
        report["verdict"] = "REJECTED"
        return _jsonable(report)
    try:
        inspector(path, head, detail, strict, report)
    except FcmReconError as error:  # a file that cannot be read at all (LandingError)
        report["problems"].append(_note("UNREADABLE_FILE", "a readable file", str(error), "cannot read the file"))
        report["verdict"] = "REJECTED"
    if report["verdict"] == "ACCEPTED" and report["problems"]:
        # A reader that refuses the file has set REJECTED. What is left are problems of a file that was read: ROW
        # problems, and in lenient mode the trailer and footing (FILE) problems the lenient readers report instead
        # of rejecting, as a lenient run does: the file is accepted with them.
        rejected = strict and any(p["scope"] == "FILE" for p in report["problems"])
        report["verdict"] = "REJECTED" if rejected else "ACCEPTED_WITH_PROBLEMS"
    return _jsonable(report)


def _head(path: Path) -> bytes:
    """The first bytes of the file, without a UTF-8 byte-order mark and leading blanks."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _detect(path: Path, head: bytes) -> tuple[str, str]:
    """(format, detail): BAI2, CAMT (detail: message type), FIXML, CSV (detail: contract name) or UNKNOWN (why)."""
    if not head:
        return "UNKNOWN", "the file is empty"
    if head.startswith(b"01,"):
        return "BAI2", ""
    if head.startswith(b"<"):
        root = root_name(path, path.name)
        match = _CAMT_ROOT.search(head)
        if root == "Document" and match is not None:
            return "CAMT", _CAMT_ROOTS[match.group(1).decode()]
        if root == "FIXML":
            return "FIXML", ""
        return "UNKNOWN", f"XML root element {root!r} is neither a camt Document nor FIXML"
    contract = _csv_contract(head)
    if contract is not None:
        return "CSV", contract.name
    first = head.split(b"\n", 1)[0][:80].decode("utf-8", "replace")
    return "UNKNOWN", f"the first line {first!r} is not a BAI2 01 record, XML, or a known CSV header"


def _csv_contract(head: bytes) -> Contract | None:
    """The ledger or reference contract whose columns the header line carries (all required, no unknown ones)."""
    try:
        header = head.split(b"\n", 1)[0].decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    columns = {column.strip().strip('"') for column in header.split(",")}
    candidates = [contract for _folder, contract in DAY_CONTRACTS.values()]
    candidates += [contract for contract, _entity in REFERENCE_CONTRACTS.values()]
    for contract in candidates:
        names = {field.name for field in contract.fields}
        required = {field.name for field in contract.fields if field.required}
        if required <= columns <= names:
            return contract
    return None


def _read_both(read: Callable[[bool], object], strict: bool, report: dict) -> object | None:
    """Read strictly (a rejection becomes the first problem), then leniently to list every trailer/footing problem."""
    result = None
    if strict:
        try:
            result = read(True)
        except FileRejected as rejected:
            report["verdict"] = "REJECTED"
            report["problems"].append(_problem(rejected.problem))
    if result is None:
        try:
            result = read(False)
        except FileRejected as rejected:
            if not strict:
                report["problems"].append(_problem(rejected.problem))
            report["verdict"] = "REJECTED"
            return None
    known = {(p["code"], p["location"], p["field"]) for p in report["problems"]}
    for problem in result.problems:  # type: ignore[attr-defined]
        if (problem.code, problem.location, problem.field) not in known:
            report["problems"].append(_problem(problem))
    return result


def _inspect_bai2(path: Path, head: bytes, detail: str, strict: bool, report: dict) -> None:
    """BAI2: 01 header facts, variants, counts, the 99 control total as read vs computed, balances per account."""
    parsed = _read_both(lambda s: read_bai2(path, path.name, strict=s), strict, report)
    if parsed is None:
        return
    report["version"] = parsed.version
    report["header"] = {"sender": parsed.sender, "receiver": parsed.receiver, "file_id": parsed.file_id,
                        "creation_date": parsed.creation_date, "variants": list(parsed.variants)}
    report["counts"] = _statement_counts(parsed.statements) | {"groups": parsed.group_count,
                                                               "records": parsed.record_count}
    totals = {"99 file control total": parsed.control_total, "99 number of groups": parsed.group_count,
              "99 record count": parsed.record_count}  # the total as written; the counts as counted
    control = {field: {"read": str(value), "computed": str(value)} for field, value in totals.items()}
    for problem in report["problems"]:
        if problem["field"] in control and problem["code"].startswith("TRAILER_"):
            control[problem["field"]] = {"read": problem["found"], "computed": problem["expected"]}
    report["control_totals"] = control | {
        "all trailers agree": not any(p["code"].startswith("TRAILER_") for p in report["problems"])}
    report["statements"] = [_statement(s) for s in parsed.statements]


def _inspect_camt(path: Path, head: bytes, detail: str, strict: bool, report: dict) -> None:
    """camt.05x: message type and version, message id, statements with opening/closing balances and footing."""
    report["message_type"] = detail
    camt = _read_both(lambda s: read_camt(path, path.name, strict=s), strict, report)
    if camt is None:
        return
    report["version"] = camt.version
    report["header"] = {"message_id": camt.message_id, "message_type": camt.message_type}
    report["counts"] = _statement_counts(camt.statements)
    footings = camt.footing_amounts or (None,) * len(camt.statements)
    report["statements"] = [_statement(s, f) for s, f in zip(camt.statements, footings, strict=True)]
    if camt.message_type == "camt.053":
        failing = {p["location"] for p in report["problems"] if p["code"].startswith("CAMT_")}
        for index, statement in enumerate(report["statements"], start=1):
            statement["foots"] = f"Stmt[{index}]" not in failing


def _inspect_fixml(path: Path, head: bytes, detail: str, strict: bool, report: dict) -> None:
    """FIXML: the v attribute, messages by type, batch TotMsg declared vs found, records and quarantined messages."""
    match = _FIXML_VERSION.search(head)
    report["version"] = match.group(1).decode("utf-8", "replace") if match else ""
    try:
        trades, positions, summary = read_fixml(path, path.name)
    except FileRejected as rejected:
        report["verdict"] = "REJECTED"
        report["problems"].append(_problem(rejected.problem))
        return
    messages = sum(summary.message_counts.values())
    report["header"] = {"batch_total_declared": summary.batch_total_declared}
    report["counts"] = {"messages": messages, "messages_by_type": dict(sorted(summary.message_counts.items())),
                        "trade_reports": len(trades), "position_reports": len(positions),
                        "quarantined": len(summary.problems)}
    report["control_totals"] = {"batch_messages": {"read": summary.batch_total_declared, "computed": messages}}
    report["problems"].extend(_problem(p) for p in summary.problems)


def _inspect_csv(path: Path, head: bytes, detail: str, strict: bool, report: dict) -> None:
    """CSV: the contract the header matched, rows read, kept and quarantined, with each row problem."""
    contract = _csv_contract(head)
    report["version"] = ""
    report["header"] = {"contract": detail, "columns": [f.name for f in contract.fields]}  # type: ignore[union-attr]
    try:
        table = read_table(path, path.name, contract)  # type: ignore[arg-type]
    except FileRejected as rejected:
        report["verdict"] = "REJECTED"
        report["problems"].append(_problem(rejected.problem))
        return
    report["counts"] = {"rows": table.rows_read, "rows_kept": table.frame.height,
                        "rows_quarantined": table.rows_read - table.frame.height}
    report["problems"].extend(_problem(p) for p in table.problems)


_INSPECTORS = {"BAI2": _inspect_bai2, "CAMT": _inspect_camt, "FIXML": _inspect_fixml, "CSV": _inspect_csv}


def _statement_counts(statements: tuple[BankStatement, ...]) -> dict:
    """Statements (accounts), entries and balances of a bank file."""
    return {"statements": len(statements), "entries": sum(len(s.entries) for s in statements),
            "balances": sum(len(s.balances) for s in statements)}


def _statement(statement: BankStatement, footing: tuple[Decimal | None, ...] | None = None) -> dict:
    """One statement: account, currency, as-of date, kind, opening and closing balances, entries and their net.

    Amounts of different currencies are never added. ``booked_net`` is the booked entries' net in the statement's
    currency as the camt footing counts it (``footing``: an entry booked in another currency through its AmtDtls
    equivalent), None when an entry has no such equivalent; ``booked_by_currency`` nets the entries per their own
    currency, with that currency's net in the statement's currency. A balance in another currency than the
    statement's is named in ``balance_currencies``.
    """
    currency = statement.currency
    first: dict[str, BankBalance] = {}
    for balance in statement.balances:
        first.setdefault(balance.balance_type, balance)
    by_type = {code: balance.amount for code, balance in first.items()}
    if footing is None:
        footing = tuple(e.amount if e.currency == currency else None for e in statement.entries)
    by_currency: dict[str, dict] = {}
    for entry, amount in sorted(zip(statement.entries, footing, strict=True), key=lambda p: p[0].currency != currency):
        if entry.status != "BOOK":
            continue
        row = by_currency.setdefault(entry.currency, {"entries": 0, "net": Decimal(0),
                                                      "in_statement_currency": Decimal(0)})
        row["entries"] += 1
        row["net"] += entry.amount
        if row["in_statement_currency"] is not None:
            row["in_statement_currency"] = None if amount is None else row["in_statement_currency"] + amount
    equivalents = [row["in_statement_currency"] for row in by_currency.values()]
    return {
        "statement_id": statement.statement_id, "account": statement.bank_account_id,
        "currency": currency, "as_of_date": statement.as_of_date, "report_kind": statement.report_kind,
        "opening": next((by_type[t] for t in _OPENING if t in by_type), None),
        "closing": next((by_type[t] for t in _CLOSING if t in by_type), None),
        "balances": by_type,
        "balance_currencies": {code: b.currency for code, b in first.items() if b.currency != currency},
        "entries": len(statement.entries),
        "booked_net": None if None in equivalents else sum(equivalents, Decimal(0)),
        "booked_by_currency": by_currency,
    }


def _problem(problem: Problem) -> dict:
    """A Problem as a plain dict."""
    return dict(problem._asdict())


def _note(code: str, expected: str, found: str, message: str) -> dict:
    """A FILE problem found by inspect itself (the format cannot be recognised, the file cannot be read)."""
    return _problem(Problem("FILE", "", "", "", "", code, expected, found, message))


def _jsonable(value: object) -> object:
    """``value`` with dates and decimals as strings, tuples as lists, all the way down."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def render_text(report: dict) -> str:
    """The report for a person: format and verdict, header facts, counts, totals, statements, then problems."""
    lines = [f"{report['file']}: {report['format']}"
             + (f" {report['message_type']}" if report.get("message_type") else "")
             + (f" version {report['version']}" if report.get("version") else "")
             + f" ({report['verdict']}{', strict' if report['strict'] else ', lenient'})"]
    for section in ("header", "counts", "control_totals"):
        for key, value in (report.get(section) or {}).items():
            lines.append(f"  {key}: {_flat(value)}")
    for statement in report.get("statements", []):
        others = statement["balance_currencies"]
        opening = _balance_text(statement["opening"], next((others[t] for t in _OPENING if t in others), ""))
        closing = _balance_text(statement["closing"], others.get("CLBD", ""))
        lines.append(f"  statement {statement['statement_id']} account {statement['account']} "
                     f"{statement['currency']} {statement['as_of_date']} {statement['report_kind']}: opening "
                     f"{opening}, closing {closing}, {statement['entries']} entries ({_booked_text(statement)})"
                     + ("" if statement.get("foots", True) else ", DOES NOT FOOT"))
    problems = report["problems"]
    lines.append(f"  problems: {len(problems)}")
    for problem in problems:
        where = ", ".join(part for part in (problem["location"], problem["field"]) if part)
        lines.append(f"    {problem['scope']} {problem['code']}{f' at {where}' if where else ''}: "
                     f"{problem['message']} (expected {problem['expected']}, found {problem['found']})")
    return "\n".join(lines) + "\n"


def _balance_text(amount: str | None, currency: str) -> str:
    """A balance amount, with its currency when that is not the statement's."""
    return f"{amount} {currency}" if currency and amount is not None else str(amount)


def _booked_text(statement: dict) -> str:
    """The booked net in the statement's currency; per currency when entries are booked in another currency."""
    currency, by_currency = statement["currency"], statement["booked_by_currency"]
    net = statement["booked_net"] if statement["booked_net"] is not None else "n/a"
    if set(by_currency) <= {currency}:
        return f"booked net {net}"
    parts = []
    for code, row in by_currency.items():
        part = f"{code} {row['net']} in {row['entries']} {'entry' if row['entries'] == 1 else 'entries'}"
        if code != currency:
            equivalent = row["in_statement_currency"]
            part += f" = {currency} {equivalent}" if equivalent is not None else f", no {currency} equivalent"
        parts.append(part)
    return f"booked net {net}{' in' if statement['booked_net'] is None else ''} {currency}: " + "; ".join(parts)


def _flat(value: object) -> str:
    """A header, count or total value on one line."""
    if isinstance(value, dict):
        return ", ".join(f"{key} {_flat(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)
