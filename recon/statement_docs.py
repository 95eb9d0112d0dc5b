"""The segregation statements as documents for people: text, JSON, HTML and PDF, from what a run published.

:func:`statement_document` gathers one class's statement of a business date from the warehouse: every line with its
number, label and USD amount; the per-currency section (Reg 1.32(a)); residual interest (UM_TOTAL, the projected
shortfall and the undermargined accounts); the excess with and without the class's open breaks (their
``seg_impact_usd``; unknown on a line that is unknown); the alerts; the run id and manifest hash; and, once the
statement is marked filed, the filing and every figure that differs from it. A withdrawal check's pro-forma statement
(built by ``segregation.withdrawal``) is passed in as plain data and rendered in the same layout.

The renderers lay that out the way the statement is read: line numbers, labels, amounts rounded half-even to the cent
(presentation only), negative amounts in parentheses, and a sign-off block. A document carries the business date and
nothing of the time it was made (the PDF's dates are the business date too), so a re-run gives the same bytes.
"""

from __future__ import annotations

import html
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from recon import run_scope
from recon.errors import RunNotFound
from recon.money import round_cents
from recon.trust import stale_days, tampered_tables
from recon.trust import warnings as trust_warnings
from recon.targets import WarehouseTarget, open_warehouse
from segregation.compute import additive_lines
from segregation.filings import latest_filings
from segregation.lines import load_lines

CLASSES = ("SEG", "SECURED", "CLEARED_SWAPS")
FORMATS = ("text", "json", "html", "pdf")
SUFFIX = {"text": "txt", "json": "json", "html": "html", "pdf": "pdf"}
TITLES = {
    "SEG": "Statement of Segregation Requirements and Funds in Segregation for Customers Trading on U.S. Commodity "
           "Exchanges (Section 4d(a)(2))",
    "SECURED": "Statement of Secured Amounts and Funds Held in Separate Accounts for Foreign Futures and Foreign "
               "Options Customers (Regulation 30.7)",
    "CLEARED_SWAPS": "Statement of Cleared Swaps Customer Segregation Requirements and Funds in Cleared Swaps "
                     "Customer Accounts (Section 4d(f))",
}
OPEN_STATUSES = ("NEW", "OPEN")
LABEL_WIDTH = 78


def money(value: Decimal | None) -> str:
    """USD or currency amount for people: half-even to the cent, thousands separated, negative in parentheses."""
    if value is None:
        return "n/a"
    text = f"{round_cents(value):,.2f}"
    return f"({text[1:]})" if text.startswith("-") else text


def _shown(text: str | None) -> str:
    """An exact amount as ``money`` shows it; "unknown" for a line that could not be computed (an input is missing)."""
    return "unknown" if text is None else money(Decimal(text))


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _line_rows(rows: list[dict]) -> list[dict]:
    return [{"line": r["line"], "label": r["label"], "role": r["role"], "amount": _exact(r["amount"]),
             "amount_usd": _exact(r["amount_usd"])} for r in sorted(rows, key=lambda r: r["line_order"])]


def _with_unknown_lines(seg_class: str, rows: list[dict]) -> list[dict]:
    """The class's USD lines, with a row of no amount for each line the run could not compute (not published: a
    bank balance it adds up is missing; an INCOMPLETE_INPUTS alert names the account)."""
    present = {r["line"] for r in rows}
    return rows + [{"line_order": line.line_order, "line": line.line, "label": line.label, "role": line.role,
                    "amount": None, "amount_usd": None}
                   for line in load_lines() if line.seg_class == seg_class and line.line not in present]


def _currency_sections(seg_class: str, lines: list[dict]) -> dict[str, list[dict]]:
    """Per currency in use, the class's additive lines in that currency, with a row of no amount for each one the run
    could not compute (not published: a bank balance in that currency is missing), as in the USD section."""
    currencies = sorted({r["currency"] for r in lines} - {"ALL"})
    additive = additive_lines(seg_class, {}).keys()
    sections = {}
    for currency in currencies:
        rows = [r for r in lines if r["currency"] == currency]
        present = {r["line"] for r in rows}
        sections[currency] = _line_rows(rows + [
            {"line_order": line.line_order, "line": line.line, "label": line.label, "role": line.role, "amount": None,
             "amount_usd": None}
            for line in load_lines()
            if line.seg_class == seg_class and line.line in additive and line.line not in present])
    return sections


def _role_amount(lines: list[dict], role: str) -> Decimal | None:
    """The class's line of ``role`` in USD; None when it is unknown (not published: an input is missing)."""
    return next((r["amount_usd"] for r in lines if r["currency"] == "ALL" and r["role"] == role), None)


def _residual_interest(lines: list[dict], accounts: list[dict]) -> dict:
    um_total = sum((a["um_adj_usd"] for a in accounts), Decimal(0))
    excess = _role_amount(lines, "EXCESS")
    listed = sorted((a for a in accounts if a["um_adj_usd"] > 0 or a["def_usd"] > 0), key=lambda a: a["unit_id"])
    return {
        "um_total_usd": _exact(um_total), "residual_interest_usd": _exact(excess),
        "projected_shortfall_usd": None if excess is None else _exact(max(Decimal(0), um_total - excess)),
        "accounts": [{"unit_id": a["unit_id"], "nle_usd": _exact(a["nle_usd"]), "im_usd": _exact(a["im_usd"]),
                      "def_usd": _exact(a["def_usd"]), "offset_usd": _exact(a["offset_usd"]),
                      "um_usd": _exact(a["um_usd"]), "um_adj_usd": _exact(a["um_adj_usd"])} for a in listed],
    }


def _open_breaks(seg_class: str, lines: list[dict], breaks: list[dict]) -> dict:
    """The open breaks' impact per line and on the excess. A break on a line that is unknown (not published: a bank
    balance it adds up is missing) has no impact figure on it: resolving it against a line nobody computed means
    nothing, so that line's impact is None (unknown) and the break is counted in ``breaks_on_unknown_lines``."""
    known = {r["line"] for r in lines if r["currency"] == "ALL"}
    unknown = {line.line for line in load_lines() if line.seg_class == seg_class and line.line not in known}
    mapped = [b for b in breaks if b["status"] in OPEN_STATUSES and b["seg_impact_usd"] is not None]
    on_unknown = [b for b in mapped if b["seg_line"] in unknown]
    by_line: dict[str, Decimal | None] = {b["seg_line"]: None for b in on_unknown}
    for b in mapped:
        if b["seg_line"] not in unknown:
            by_line[b["seg_line"]] = by_line.get(b["seg_line"], Decimal(0)) + b["seg_impact_usd"]
    excess = _role_amount(lines, "EXCESS")
    impact = sum((amount for amount in by_line.values() if amount is not None), Decimal(0))
    return {
        "open_breaks": sum(1 for b in breaks if b["status"] in OPEN_STATUSES),
        "breaks_with_impact": len(mapped),
        "breaks_on_unknown_lines": len(on_unknown),
        "impact_by_line_usd": {line: _exact(amount) for line, amount in sorted(by_line.items())},
        "breaks_impact_unknown": sum(1 for b in breaks if b["status"] in OPEN_STATUSES and b["seg_line"]
                                     and b["seg_impact_usd"] is None),
        "excess_usd": _exact(excess),
        "excess_with_open_breaks_resolved_usd": None if excess is None or on_unknown else _exact(excess + impact),
    }


def _breaks_heading(brk: dict) -> str:
    unknown = (f", {brk['breaks_on_unknown_lines']} of them on lines that are unknown: impact not computed"
               if brk["breaks_on_unknown_lines"] else "")
    return f"Open breaks: {brk['open_breaks']} ({brk['breaks_with_impact']} with a seg impact{unknown})"


def _filed(filing: dict | None, lines: list[dict]) -> dict | None:
    if filing is None:
        return None
    filed = {(r["line"], r["currency"]): r for r in json.loads(filing["lines"])}
    current = {(r["line"], r["currency"]): r for r in lines}
    differences = []
    for key in sorted(filed.keys() | current.keys(), key=lambda k: (
            (current.get(k) or filed[k])["line_order"], k[1])):
        was, now = filed.get(key), current.get(key)
        if was is None or now is None or (Decimal(was["amount"]), Decimal(was["amount_usd"])) != (
                now["amount"], now["amount_usd"]):
            differences.append({"line": key[0], "currency": key[1],
                                "filed_amount": was and was["amount"], "current_amount": now and _exact(now["amount"])})
    return {"filed_by": filing["filed_by"], "filed_at": filing["filed_at"].isoformat(sep=" "),
            "run_id": filing["run_id"], "manifest_hash": filing["manifest_hash"], "differences": differences}


# the published tables a statement document shows
DOCUMENT_TABLES = ("seg_statement_lines", "seg_alerts", "seg_account_figures", "recon_breaks")


def _warnings(doc: dict) -> list[str]:
    """What a reader must know before the figures (:func:`recon.trust.warnings`)."""
    return trust_warnings(date.fromisoformat(doc["business_date"]),
                          date.fromisoformat(doc["stale_since"]) if doc["stale_since"] else None, doc["tampered"])


def statement_document(warehouse: WarehouseTarget, day: date, seg_class: str, withdrawal: dict | None = None) -> dict:
    """One class's statement of ``day`` as published, as a JSON-able document (see the module docstring)."""
    return statement_documents(warehouse, day, (seg_class,), withdrawal)[seg_class]


def statement_documents(warehouse: WarehouseTarget, day: date, classes: tuple[str, ...] | None,
                        withdrawal: dict | None = None) -> dict[str, dict]:
    """The statements of ``classes`` for ``day``, by class, from one read of the warehouse: the day's partitions,
    whether it is stale and whether its partitions still hash to its run's record are read once for all classes."""
    with open_warehouse(warehouse) as target:
        runs = target.runs(day)
        published = {name: target.read_partition(name, day) for name in DOCUMENT_TABLES}
        filings = latest_filings(target, day)
        stale_since = stale_days(target).get(day)
        tampered = tampered_tables(target, day, DOCUMENT_TABLES)
    documents = {}
    scope = run_scope.day_classes(runs)
    classes = classes or scope or CLASSES  # None: every class the day's run computed
    for seg_class in classes:
        of_class = {name: [r for r in rows if r["seg_class"] == seg_class] for name, rows in published.items()}
        if scope is not None and seg_class not in scope:
            raise RunNotFound(f"{day} ({day:%A}) is not a CME business day: its run computed the "
                              f"{', '.join(scope)} statement only, there is no {seg_class} statement of {day}")
        if not runs or not of_class["seg_statement_lines"]:
            raise RunNotFound(f"no {seg_class} statement of {day} in {warehouse}: run the day first")
        documents[seg_class] = _document(day, seg_class, runs[-1], of_class, filings.get(seg_class), withdrawal,
                                         stale_since, tampered)
    return documents


def _document(day: date, seg_class: str, run: dict, published: dict[str, list[dict]], filing: dict | None,
              withdrawal: dict | None, stale_since: date | None, tampered: list[str]) -> dict:
    lines, alerts = published["seg_statement_lines"], published["seg_alerts"]
    shown = withdrawal["proforma_lines"] if withdrawal else lines
    return {
        "business_date": day.isoformat(), "seg_class": seg_class, "title": TITLES[seg_class],
        "statement_status": shown[0]["statement_status"],
        "stale_since": None if stale_since is None else stale_since.isoformat(),
        "tampered": tampered,
        "run": {"run_id": run["run_id"], "manifest_hash": run["manifest_hash"], "sequence": run["sequence"]},
        "lines": _line_rows(_with_unknown_lines(seg_class, [r for r in shown if r["currency"] == "ALL"])),
        "currencies": _currency_sections(seg_class, shown),
        "residual_interest": _residual_interest(lines, published["seg_account_figures"]),
        "breaks": _open_breaks(seg_class, lines, published["recon_breaks"]),
        "alerts": [{"code": a["code"], "severity": a["severity"], "currency": a["currency"],
                    "amount_usd": _exact(a["amount_usd"]), "subject": a["subject"], "message": a["message"]}
                   for a in sorted(alerts, key=lambda a: (a["code"], a["subject"] or "", a["alert_id"]))],
        "filed": _filed(filing, lines),
        "withdrawal": None if withdrawal is None else {k: v for k, v in withdrawal.items() if k != "proforma_lines"},
    }


# ---------------------------------------------------------------------------------------------------- text


def _text_lines(rows: list[dict], amount_key: str = "amount_usd") -> list[str]:
    out = []
    for r in rows:
        label = r["label"] if len(r["label"]) <= LABEL_WIDTH else r["label"][:LABEL_WIDTH - 3] + "..."
        out.append(f"  {r['line']:>8}  {label:<{LABEL_WIDTH}} {_shown(r[amount_key]):>22}")
    return out


def _text_row(label: str, amount: str | None, indent: int = 2) -> str:
    return f"{' ' * indent}{label:<{LABEL_WIDTH + 12 - indent}} {_shown(amount):>22}"


def _text_sections(doc: dict) -> list[str]:
    ri, brk = doc["residual_interest"], doc["breaks"]
    out = ["", "Residual interest (Reg 1.22, 1.23)",
           _text_row("Undermargined amounts, net of debits on line 5 (UM_TOTAL)", ri["um_total_usd"]),
           _text_row("Residual interest (the excess line)", ri["residual_interest_usd"]),
           _text_row("Projected shortfall to cover by the deadline", ri["projected_shortfall_usd"])]
    out += [_text_row(f"{a['unit_id']}: UM {money(Decimal(a['um_usd']))}, UM_ADJ", a["um_adj_usd"], 4)
            for a in ri["accounts"]]
    out += ["", _breaks_heading(brk),
            _text_row("Excess as computed", brk["excess_usd"]),
            _text_row("Excess with every open break resolved against the statement",
                      brk["excess_with_open_breaks_resolved_usd"])]
    out += [_text_row(f"impact on line {line}", amount, 4) for line, amount in brk["impact_by_line_usd"].items()]
    for currency, rows in doc["currencies"].items():
        out += ["", f"Currency {currency} (amounts in {currency})", *_text_lines(rows, "amount")]
    out += ["", "Alerts"] + ([f"  {a['severity']:<8} {a['code']}: {a['message']}" for a in doc["alerts"]] or ["  none"])
    return out


def _text_filed_and_withdrawal(doc: dict) -> list[str]:
    out = []
    if doc["filed"]:
        f = doc["filed"]
        out += ["", f"Filed by {f['filed_by']} at {f['filed_at']} from run {f['run_id']} (manifest {f['manifest_hash']})"]
        out += [f"  CHANGED {d['line']} {d['currency']}: filed {d['filed_amount']} -> now {d['current_amount']}"
                for d in f["differences"]] or ["  the current statement is the filed one"]
    if doc["withdrawal"]:
        w = doc["withdrawal"]
        out += ["", f"Withdrawal check: USD {money(Decimal(w['amount_usd']))} -> {w['decision']}",
                f"  deciding test: {w['deciding_test']}"]
    return out


def render_text(doc: dict) -> str:
    """The statement as plain text."""
    warnings = _warnings(doc)
    head = [*warnings, *([""] if warnings else []), doc["title"], f"{doc['seg_class']} statement as of the close of {doc['business_date']}  "
            f"status {doc['statement_status']}",
            f"run {doc['run']['run_id']}  manifest {doc['run']['manifest_hash']}", "",
            f"  {'Line':>8}  {'Description':<{LABEL_WIDTH}} {'Amount (USD)':>22}"]
    sign_off = ["", "Sign-off", "  Prepared by: ______________________   Date: ____________",
                "  Approved by (CFO / CCO): __________   Date: ____________"]
    return "\n".join(head + _text_lines(doc["lines"]) + _text_sections(doc) + _text_filed_and_withdrawal(doc)
                     + sign_off) + "\n"


# ---------------------------------------------------------------------------------------------------- HTML and PDF

CSS = """
@page { size: letter; margin: 14mm 12mm; @bottom-right { content: "page " counter(page) " of " counter(pages);
  font-size: 7pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; }
h1 { font-size: 11pt; margin: 0 0 2mm 0; } h2 { font-size: 9pt; margin: 4mm 0 1mm 0; break-after: avoid; }
.meta { color: #333; margin-bottom: 3mm; } table { border-collapse: collapse; width: 100%; }
td, th { padding: 0.6mm 1.5mm; border-bottom: 0.2pt solid #bbb; vertical-align: top; }
th { text-align: left; background: #eee; } td.no { width: 12mm; font-weight: bold; }
td.amt, th.amt { text-align: right; white-space: nowrap; width: 34mm; font-family: "DejaVu Sans Mono", monospace; }
tr.role td { font-weight: bold; } .status-NOT_FILEABLE, .CRITICAL { color: #a00; } .HIGH { color: #a50; }
.signoff td { height: 10mm; border-bottom: 0.5pt solid #000; }
"""


def _h(text: object) -> str:
    return html.escape(str(text))


def _html_table(rows: list[dict], amount_key: str, header: str) -> str:
    body = "".join(
        f'<tr class="{"role" if r["role"] else ""}"><td class="no">{_h(r["line"])}</td><td>{_h(r["label"])}</td>'
        f'<td class="amt">{_shown(r[amount_key])}</td></tr>' for r in rows)
    return f'<table><tr><th>Line</th><th>Description</th><th class="amt">{header}</th></tr>{body}</table>'


def _html_sections(doc: dict) -> str:
    ri, brk = doc["residual_interest"], doc["breaks"]
    parts = ["<h2>Residual interest (Reg 1.22, 1.23)</h2><table>",
             f'<tr><td>Undermargined amounts, net of debits on line 5 (UM_TOTAL)</td><td class="amt">{money(Decimal(ri["um_total_usd"]))}</td></tr>',
             f'<tr><td>Residual interest (excess line)</td><td class="amt">{_shown(ri["residual_interest_usd"])}</td></tr>',
             f'<tr><td>Projected shortfall to cover by the deadline</td><td class="amt">{_shown(ri["projected_shortfall_usd"])}</td></tr>']
    parts += [f'<tr><td>&nbsp;&nbsp;{_h(a["unit_id"])}: UM {money(Decimal(a["um_usd"]))}, UM_ADJ</td>'
              f'<td class="amt">{money(Decimal(a["um_adj_usd"]))}</td></tr>' for a in ri["accounts"]]
    parts += ["</table>", f"<h2>{_h(_breaks_heading(brk))}</h2><table>",
              f'<tr><td>Excess as computed</td><td class="amt">{_shown(brk["excess_usd"])}</td></tr>',
              f'<tr><td>Excess with every open break resolved against the statement</td>'
              f'<td class="amt">{_shown(brk["excess_with_open_breaks_resolved_usd"])}</td></tr>']
    parts += [f'<tr><td>&nbsp;&nbsp;impact on line {_h(line)}</td><td class="amt">{_shown(amount)}</td></tr>'
              for line, amount in brk["impact_by_line_usd"].items()]
    parts.append("</table>")
    for currency, rows in doc["currencies"].items():
        parts.append(f"<h2>Currency {_h(currency)}</h2>" + _html_table(rows, "amount", f"Amount ({_h(currency)})"))
    alerts = "".join(f'<tr><td class="{_h(a["severity"])}">{_h(a["severity"])}</td><td>{_h(a["code"])}</td>'
                     f'<td>{_h(a["message"])}</td></tr>' for a in doc["alerts"]) or "<tr><td>none</td></tr>"
    parts.append(f"<h2>Alerts</h2><table>{alerts}</table>")
    return "".join(parts)


def _html_filed_and_withdrawal(doc: dict) -> str:
    parts = []
    if doc["filed"]:
        f = doc["filed"]
        rows = "".join(f"<tr><td>{_h(d['line'])}</td><td>{_h(d['currency'])}</td><td>filed {_h(d['filed_amount'])}</td>"
                       f"<td>now {_h(d['current_amount'])}</td></tr>" for d in f["differences"])
        parts.append(f"<h2>Filed by {_h(f['filed_by'])} at {_h(f['filed_at'])} (run {_h(f['run_id'])})</h2>"
                     + (f"<table>{rows}</table>" if rows else "<p>The current statement is the filed one.</p>"))
    if doc["withdrawal"]:
        w = doc["withdrawal"]
        parts.append(f"<h2>Withdrawal check: USD {money(Decimal(w['amount_usd']))}: {_h(w['decision'])}</h2>"
                     f"<p>Deciding test: {_h(w['deciding_test'])}</p>")
    return "".join(parts)


def render_html(doc: dict) -> str:
    """The statement as one self-contained HTML page (the PDF is rendered from it)."""
    created = doc["business_date"]  # the PDF's CreationDate and ModDate: the business date, never the clock
    signoff = ('<h2>Sign-off</h2><table class="signoff"><tr><td>Prepared by</td><td>Date</td></tr>'
               "<tr><td>Approved by (CFO / CCO)</td><td>Date</td></tr></table>")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_h(doc["seg_class"])} statement '
        f'{_h(doc["business_date"])}</title><meta name="dcterms.created" content="{created}">'
        f'<meta name="dcterms.modified" content="{created}"><style>{CSS}</style></head><body>'
        f"<h1>{_h(doc['title'])}</h1>"
        + "".join(f"<p><b>{_h(warning)}</b></p>" for warning in _warnings(doc))
        + f'<div class="meta">As of the close of {_h(doc["business_date"])} &middot; status '
        f'<b class="status-{_h(doc["statement_status"])}">{_h(doc["statement_status"])}</b><br>'
        f'run {_h(doc["run"]["run_id"])} &middot; manifest {_h(doc["run"]["manifest_hash"])}</div>'
        + _html_table(doc["lines"], "amount_usd", "Amount (USD)") + _html_sections(doc)
        + _html_filed_and_withdrawal(doc) + signoff + "</body></html>\n")


def render_pdf(doc: dict) -> bytes:
    """The statement as PDF (WeasyPrint over :func:`render_html`; dated by the business date)."""
    from weasyprint import HTML

    return HTML(string=render_html(doc)).write_pdf()


def render(doc: dict, fmt: str) -> bytes:
    """The document in ``fmt`` (text, json, html or pdf) as bytes."""
    if fmt == "pdf":
        return render_pdf(doc)
    if fmt == "json":
        return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8")
    return (render_text(doc) if fmt == "text" else render_html(doc)).encode("utf-8")


def write_statement_documents(warehouse: WarehouseTarget, day: date, folder: Path) -> list[Path]:
    """Write every class's statement of ``day`` in every format into ``folder`` (statement_<CLASS>.<ext>)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seg_class, doc in statement_documents(warehouse, day, None).items():
        for fmt in FORMATS:
            path = folder / f"statement_{seg_class}.{SUFFIX[fmt]}"
            path.write_bytes(render(doc, fmt))
            paths.append(path)
    return paths
