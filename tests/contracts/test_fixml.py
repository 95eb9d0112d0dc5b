"""Contract tests of the CME FIXML reader: the public samples' known values, our generator's shape, bad input,
hostile XML and streaming in constant memory.

Known values come from ``../shared/samples/SOURCES.md`` and, for the single trade capture report, from
wearemolecule/cme-fix-listener's ``.expected.json`` (that parser's own output). Inline documents are written where
the reader sees them.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recon.contracts import fixml, xmlsafe
from recon.contracts.fixml import FixmlReader, FixmlSummary, iter_fixml, read_fixml
from recon.domain import AllocationReport, OccurrenceCounter, PositionReport, SettlementPrice, TradeReport
from recon.errors import FileRejected, LandingError

# ---------------------------------------------------------------------------------------------------------- helpers


def _sample(samples_dir: Path, name: str) -> Path:
    """A FIXML sample's path."""
    return samples_dir / "fixml" / name


def _records(source: Path | bytes, name: str = "inline.xml") -> tuple[list[object], FixmlSummary]:
    """Every record a FIXML file yields, and its summary."""
    reader = FixmlReader(source, name)
    return list(reader), reader.summary


def _rejection(source: Path | bytes) -> FileRejected:
    """The FileRejected reading ``source`` raises."""
    with pytest.raises(FileRejected) as caught:
        _records(source)
    return caught.value


def _position(index: int, *, account: str = "SEG-01", fmtm: str = "-1250.50", long_sod: str = "10") -> str:
    """One PosRpt in the shape our generator writes."""
    return (f'<PosRpt RptID="P{index}" BizDt="2026-11-24" SetSesID="EOD" Ccy="USD" SetPx="5012.25" AcctTyp="1">'
            f'<Pty ID="CME" R="21"/><Pty ID="999" R="4"/><Pty ID="{account}" R="38"><Sub ID="1" Typ="26"/></Pty>'
            f'<Instrmt ID="ES" Sym="ESZ6" SecTyp="FUT" MMY="202612" Exch="CME" Mult="50"/>'
            f'<Qty Typ="SOD" Long="{long_sod}" Short="0"/><Qty Typ="FIN" Long="12" Short="3"/>'
            f'<Amt Typ="FMTM" Amt="{fmtm}" Ccy="USD"/><Amt Typ="PREM" Amt="0" Ccy="USD"/></PosRpt>')


def _batch(*messages: str, total: int | None = None) -> bytes:
    """A FIXML batch of ``messages``; ``TotMsg`` is their number unless ``total`` says otherwise."""
    declared = len(messages) if total is None else total
    return (f'<FIXML v="5.0 SP2"><Batch TotMsg="{declared}">' + "".join(messages) + "</Batch></FIXML>").encode()


def _trade(*, parties: str = '<Pty R="4" ID="123"/><Pty R="24" Src="C" ID="ACC1"><Sub Typ="26" ID="1"/></Pty>',
           trade: str = 'LastQty="4" LastPx="4.195" TransTyp="0"', side: str = "1", extra: str = "") -> str:
    """One TrdCaptRpt in the CME STP shape."""
    return (f'<TrdCaptRpt RptID="R1" TrdID="T1" ExecID="E1" TrdDt="2026-11-24" BizDt="2026-11-24" MLegRptTyp="1" '
            f'{trade} {extra}><Instrmt ID="NG" Sym="NGZ6" SecTyp="FUT" MMY="202612" Exch="NYMEX" Mult="10000"/>'
            f'<RptSide Side="{side}">{parties}</RptSide></TrdCaptRpt>')


def _write_positions(path: Path, count: int) -> None:
    """A batch of ``count`` PosRpt messages in our generator's shape (50 accounts, varied amounts)."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<FIXML v="5.0 SP2"><Batch TotMsg="{count}">\n')
        for index in range(count):
            out.write(_position(index, account=f"SEG-{index % 50:02d}", fmtm=f"{index % 997}.{index % 100:02d}"))
            out.write("\n")
        out.write("</Batch></FIXML>\n")


# ------------------------------------------------------------------------------------------------- the samples


def test_fixml_single_trade_capture_report_matches_its_expected_json(samples_dir: Path) -> None:
    """The CME STP trade matches cme-fix-listener's expected output, and the account is COMPANY001, not the alias."""
    expected = json.loads(_sample(samples_dir, "cmestp_single_trade_capture_report.expected.json").read_text(),
                          parse_float=Decimal)["data"][0]["attributes"]
    trades, positions, summary = read_fixml(_sample(samples_dir, "cmestp_single_trade_capture_report.xml"), "t.xml")
    [trade] = trades
    assert isinstance(trade, TradeReport)
    instrument, side = expected["Instrument"], expected["ReportSide"]
    assert (trade.rpt_id, trade.trd_id, trade.exec_id) == (expected["messageID"], expected["tradeID"],
                                                           expected["executionID"])
    assert trade.trans_typ == {0: "NEW", 1: "CANCEL", 2: "REPLACE"}[expected["transactionType"]] == "REPLACE"
    assert (trade.quantity, trade.price) == (expected["tradeQuantity"], expected["tradePrice"])
    assert (trade.trade_date, trade.biz_date) == (date.fromisoformat(expected["tradeDate"]),
                                                  date.fromisoformat(expected["clearDate"]))
    assert trade.mleg_report_type == expected["multiLegReportingType"]
    assert (trade.product_code, trade.symbol, trade.security_type, trade.contract_month, trade.exchange) == (
        instrument["productCode"], instrument["productSymbol"], instrument["securityType"],
        instrument["contractPeriodCode"], instrument["productExchange"])
    assert trade.multiplier == instrument["priceMultiplier"] == Decimal("10000")
    assert trade.side == {"1": "BUY", "2": "SELL"}[side["buySellCode"]] == "SELL"
    roles = {party["partyRole"]: party for party in side["Parties"] if party.get("partyIDSource") != "H"}
    assert trade.clearing_firm == roles[4]["partyID"] == "123"
    assert trade.position_account == roles[24]["partyID"] == "COMPANY001"
    assert trade.origin_code == roles[24]["PartySubGroup"][0]["partyQualifierID"] == "1"
    assert (trade.leg, trade.strike, trade.put_call) == ("", None, "")
    assert positions == [] and summary.message_counts == {"TrdCaptRpt": 1} and summary.problems == ()


def test_fixml_multi_leg_report_gives_one_trade_per_leg(samples_dir: Path) -> None:
    """MLegRptTyp 3: one TradeReport per TrdLeg with the leg's quantity, price, side and instrument."""
    trades, _positions, _summary = read_fixml(_sample(samples_dir, "cmestp_trade_legs_trade_capture_report.xml"),
                                              "legs.xml")
    assert [(t.leg, t.quantity, t.price, t.security_type, t.product_code, t.put_call, t.strike, t.multiplier)
            for t in trades] == [
        ("1", Decimal("70"), Decimal("4.300"), "FUT", "NG", "", None, Decimal("10000")),
        ("2", Decimal("800"), Decimal("5.20"), "OPT", "LO", "P", Decimal("40.0"), Decimal("1000")),
        ("3", Decimal("800"), Decimal("5.20"), "OPT", "LO", "P", Decimal("40.0"), Decimal("1000")),
    ]
    assert [t.leg_ref_id for t in trades] == ["101066", "101068", "101069"]
    assert {(t.trd_id, t.mleg_report_type, t.position_account, t.side) for t in trades} == {
        ("101065", "3", "COMPANY001", "BUY")}
    assert len({t.record_id for t in trades}) == 3


def test_fixml_position_report_batch_sample(samples_dir: Path) -> None:
    """The FIX spec's PosRpt batch: 3 reports, TotMsg 3, SOD 35/0, FIN 20/10, IAS 10/0, FMTM 0.00 USD, account C."""
    _trades, positions, summary = read_fixml(_sample(samples_dir, "fixspec_posrpt_batch_example.xml"), "pos.xml")
    assert len(positions) == 3 and summary.batch_total_declared == 3
    assert summary.message_counts == {"PosRpt": 3}
    for position in positions:
        assert position.quantities == (("SOD", Decimal("35"), Decimal("0")), ("FIN", Decimal("20"), Decimal("10")),
                                       ("IAS", Decimal("10"), Decimal("0")))
        assert position.amounts == (("FMTM", Decimal("0.00"), "USD"),)
        assert (position.position_account, position.dco, position.clearing_firm) == ("C", "OCC", "99999")
        assert position.origin_code == "1"  # its Sub is Typ 2, so the origin comes from AcctTyp
        assert (position.security_type, position.put_call, position.strike) == ("OPT", "C", Decimal("47.50"))
    assert [p.rpt_id for p in positions] == ["541386431", "541386536", "541386678"]


def test_fixml_allocation_report_samples(samples_dir: Path) -> None:
    """The give-up samples: Qty 22 @ 95.5 ED 201509 to claiming firm 714; the claiming side: Qty 4, Side 2."""
    [confirm], _summary = _records(_sample(samples_dir, "jspurefix_cme_allocrpt_confirm_to_executing_firm.xml"))
    assert isinstance(confirm, AllocationReport)
    assert (confirm.quantity, confirm.price, confirm.product_code, confirm.contract_month) == (
        Decimal("22"), Decimal("95.5"), "ED", "201509")
    assert (confirm.position_account, confirm.origin_code, confirm.claiming_firm) == ("560", "1", "714")
    assert (confirm.trd_id, confirm.alloc_id, confirm.report_type, confirm.side) == ("177005", "177007", "15", "BUY")
    [notice], _summary = _records(_sample(samples_dir, "jspurefix_cme_allocrpt_notify_claiming_firm.xml"))
    assert (notice.quantity, notice.side, notice.report_type, notice.contract_month) == (
        Decimal("4"), "SELL", "16", "201512")
    assert (notice.position_account, notice.alloc_account) == ("SSS", "CMECARRY1")


def test_fixml_settlement_price_sample(samples_dir: Path) -> None:
    """MktDataFull: the settlement price (Typ 6) of SU1C 200806 is 65.51; every Full entry is kept with its type."""
    prices, summary = _records(_sample(samples_dir, "jspurefix_cme_mktdatafull_settlement_prices.xml"))
    assert all(isinstance(price, SettlementPrice) for price in prices)
    settlements = {(p.symbol, p.contract_month): p.price for p in prices if p.price_type == "6"}
    assert settlements == {("SU1C", "200806"): Decimal("65.51"), ("E6E", "200901"): Decimal("5.209")}
    assert [p.price_type for p in prices] == ["6", "N", "O", "6", "S", "4"]
    assert prices[0].biz_date == date(2008, 6, 18) and prices[5].price_date == date(2008, 6, 20)
    assert summary.message_counts == {"MktDataFull": 2}


# ----------------------------------------------------------------------------------------- our generator's shape


def test_fixml_reads_the_position_reports_our_generator_writes() -> None:
    """Our generator's PosRpt: account, origin, DCO, firm, settlement price, instrument, quantities and amounts."""
    _trades, [position], summary = read_fixml(_batch(_position(1)), "clearing/pos.xml")
    assert isinstance(position, PositionReport)
    assert (position.rpt_id, position.biz_date, position.settl_session) == ("P1", date(2026, 11, 24), "EOD")
    assert (position.position_account, position.origin_code, position.dco, position.clearing_firm) == (
        "SEG-01", "1", "CME", "999")
    assert (position.currency, position.settlement_price, position.multiplier) == ("USD", Decimal("5012.25"),
                                                                                   Decimal("50"))
    assert (position.exchange, position.product_code, position.symbol, position.contract_month) == (
        "CME", "ES", "ESZ6", "202612")
    assert position.quantities == (("SOD", Decimal("10"), Decimal("0")), ("FIN", Decimal("12"), Decimal("3")))
    assert position.amounts == (("FMTM", Decimal("-1250.50"), "USD"), ("PREM", Decimal("0"), "USD"))
    assert (position.location, summary.batch_total_declared) == ("Batch[1]/PosRpt[1]", 1)


@pytest.mark.parametrize("parties, acct, expected", [
    ('<Pty R="24" Src="H" ID="ALIAS"/><Pty R="24" Src="C" ID="C1"><Sub Typ="26" ID="2"/></Pty>', "", ("C1", "2")),
    ('<Pty R="24" Src="C" ID="C1"/><Pty R="38" ID="POS"><Sub Typ="26" ID="1"/></Pty>', "", ("POS", "1")),
    ('<Pty R="24" Src="H" ID="ALIAS"/>', 'Acct="A9" AcctTyp="3"', ("A9", "3")),
    ('<Pty R="24" ID="PLAIN"/><Pty R="24" Src="H" ID="ALIAS"/>', "", ("PLAIN", "")),
    ('<Pty R="38" ID="POS"><Sub Typ="9" ID="x"/></Pty>', 'AcctTyp="1"', ("POS", "1")),
    ("", "", ("", "")),
], ids=["src-c-not-alias", "r38-first", "acct-attribute", "r24-without-src", "origin-from-accttyp", "none"])
def test_fixml_position_account_precedence(parties: str, acct: str, expected: tuple[str, str]) -> None:
    """Position account: R=38, else R=24 Src=C (never CME's Src=H alias), else R=24, else Acct; origin: Sub 26."""
    [trade], _summary = _records(_batch(_trade(parties=parties, extra=acct)))
    assert (trade.position_account, trade.origin_code) == expected


@pytest.mark.parametrize("code, expected", [("0", "NEW"), ("1", "CANCEL"), ("2", "REPLACE"), ("5", "TRANSTYP_5")])
def test_fixml_transaction_types(code: str, expected: str) -> None:
    """TransTyp 0/1/2 are NEW/CANCEL/REPLACE; other codes are kept as TRANSTYP_<n>, never dropped."""
    [trade], _summary = _records(_batch(_trade(trade=f'LastQty="1" LastPx="2" TransTyp="{code}"')))
    assert trade.trans_typ == expected


def test_fixml_namespaced_single_message_and_unknown_types() -> None:
    """A namespaced root with one message reads; unlisted message types are counted and skipped, not lost."""
    namespaced = (b'<FIXML xmlns="http://www.fixprotocol.org/FIXML-5-0-SP2"><TrdCaptRpt RptID="R1" TrdID="T1" '
                  b'TrdDt="2026-11-24" BizDt="2026-11-24" LastQty="2" LastPx="3.5"><Instrmt ID="ES"/>'
                  b'<RptSide Side="1"><Pty R="4" ID="9"/></RptSide></TrdCaptRpt></FIXML>')
    [trade], summary = _records(namespaced)
    assert (trade.quantity, trade.location, trade.trans_typ) == (Decimal("2"), "FIXML/TrdCaptRpt[1]", "NEW")
    mixed = _batch(_position(1), "<Hdr SID=\"CME\"/>", '<NewsLike ID="1"><Pty R="38" ID="X"/></NewsLike>',
                   _position(2), '<TrdCaptRptAck RptID="A"/>', total=4)
    records, summary = _records(mixed)
    assert [r.rpt_id for r in records] == ["P1", "P2"]
    assert summary.message_counts == {"PosRpt": 2, "NewsLike": 1, "TrdCaptRptAck": 1}
    assert summary.batch_total_declared == 4  # the Hdr is not a message


def test_fixml_attribute_entities_are_decoded() -> None:
    """XML's predefined entities in attribute values arrive decoded (lxml's target mode would pass ``&#38;``)."""
    [position], _summary = _records(_batch(_position(1, account="A&amp;B&lt;1&#62;")))
    assert position.position_account == "A&B<1>"


# --------------------------------------------------------------------------------------------------- bad input


def test_fixml_batch_count_mismatch_rejects_the_file() -> None:
    """Batch@TotMsg that disagrees with the messages held rejects the file, with expected and found."""
    problem = _rejection(_batch(_position(1), _position(2), total=3)).problem
    assert (problem.scope, problem.code, problem.field, problem.expected, problem.found) == (
        "FILE", "FIXML_BATCH_COUNT_MISMATCH", "TotMsg", "3", "2")
    assert _rejection(_batch(_position(1), total=-1)).problem.code == "FIXML_BATCH_COUNT_MISMATCH"


@pytest.mark.parametrize("message, location, field, found", [
    (_trade(trade='LastQty="4x" LastPx="4.195"'), "Batch[1]/TrdCaptRpt[1]", "TrdCaptRpt@LastQty", "4x"),
    (_trade(trade='LastQty="-4" LastPx="4.195"'), "Batch[1]/TrdCaptRpt[1]", "TrdCaptRpt@LastQty", "-4"),
    (_trade(trade='LastPx="4.195"'), "Batch[1]/TrdCaptRpt[1]", "TrdCaptRpt@LastQty", ""),
    (_trade(side="3"), "Batch[1]/TrdCaptRpt[1]/RptSide", "RptSide@Side", "3"),
    (_position(1, long_sod="1O"), "Batch[1]/PosRpt[2]/Qty[1]", "Qty@Long", "1O"),
    (_position(1, fmtm="12,50"), "Batch[1]/PosRpt[2]/Amt[1]", "Amt@Amt", "12,50"),
    (_position(1).replace('BizDt="2026-11-24"', 'BizDt="24/11/2026"'), "Batch[1]/PosRpt[2]", "PosRpt@BizDt",
     "24/11/2026"),
], ids=["bad-qty", "negative-qty", "missing-qty", "bad-side", "bad-long", "bad-amount", "bad-date"])
def test_fixml_bad_value_quarantines_only_its_message(message: str, location: str, field: str, found: str) -> None:
    """A bad or missing value quarantines its message as a ROW problem naming element, attribute and value."""
    records, summary = _records(_batch(_position(90), message, _position(91)))
    assert [r.rpt_id for r in records] == ["P90", "P91"]
    [problem] = summary.problems
    assert (problem.scope, problem.location, problem.field, problem.found) == ("ROW", location, field, found)
    assert problem.code.startswith("FIXML_") and problem.expected and problem.record_id
    assert summary.batch_total_declared == 3


def test_fixml_not_fixml_and_malformed_files_are_rejected() -> None:
    """Another XML document, a truncated file and an empty file are rejected whole with a reason."""
    assert _rejection(b"<Document><PosRpt/></Document>").problem.code == "FIXML_NOT_FIXML"
    truncated = _rejection(_batch(_position(1))[:-20]).problem
    assert (truncated.code, truncated.location) == ("XML_MALFORMED", "line 1")
    assert _rejection(b"").problem.code == "XML_MALFORMED"


def test_fixml_missing_file_is_an_operating_error(tmp_path: Path) -> None:
    """A file that cannot be opened is a LandingError (operating trouble), not a rejected file."""
    with pytest.raises(LandingError):
        read_fixml(tmp_path / "absent.xml", "clearing/absent.xml")


def test_fixml_summary_is_known_only_after_the_whole_file() -> None:
    """The summary refuses to answer before the stream ends (a late TotMsg check could still reject the file)."""
    reader = FixmlReader(_batch(_position(1)), "inline.xml")
    with pytest.raises(RuntimeError):
        _ = reader.summary


# ------------------------------------------------------------------------------------------------------ ids


def test_fixml_record_ids_derive_from_content() -> None:
    """Shuffling messages changes no id; identical messages get distinct ids; different files get different ids."""
    messages = [_position(n % 7, account=f"A{n % 3}") for n in range(40)]  # with genuine duplicates
    shuffled = messages[:]
    random.Random(7).shuffle(shuffled)
    original, _summary = _records(_batch(*messages))
    reordered, _summary = _records(_batch(*shuffled))
    assert sorted(r.record_id for r in original) == sorted(r.record_id for r in reordered)
    assert len({r.record_id for r in original}) == 40
    other, _summary = _records(_batch(*messages), "other.xml")
    assert not {r.record_id for r in other} & {r.record_id for r in original}


# --------------------------------------------------------------------------------------------- hostile XML


def test_fixml_billion_laughs_is_refused_without_expansion(tmp_path: Path) -> None:
    """An entity-expansion bomb in a FIXML file is refused as XML_DTD_FORBIDDEN before anything is expanded."""
    levels = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{n} "{("&a" + str(n - 1) + ";") * 10}">' for n in range(1, 10)]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(f'<!DOCTYPE FIXML [{"".join(levels)}]><FIXML><PosRpt RptID="&a9;"/></FIXML>')
    problem = _rejection(bomb).problem
    assert (problem.code, problem.scope) == ("XML_DTD_FORBIDDEN", "FILE")


def test_fixml_xxe_never_reads_the_local_file(tmp_path: Path) -> None:
    """An external entity naming a local file is refused; the file's content appears nowhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE-42")
    document = tmp_path / "xxe.xml"
    document.write_text(f'<!DOCTYPE FIXML [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
                        "<FIXML><Batch><PosRpt RptID=\"x\">&xxe;</PosRpt></Batch></FIXML>")
    rejected = _rejection(document)
    assert rejected.problem.code == "XML_DTD_FORBIDDEN"
    assert "TOP-SECRET" not in repr(rejected.problem) and "TOP-SECRET" not in str(rejected)


# ---------------------------------------------------------------------------------------------- constant memory


def _peak_bytes(path: Path) -> tuple[int, int]:
    """The records streamed from ``path`` and the tracemalloc peak while streaming them (nothing is kept)."""
    tracemalloc.start()
    try:
        count = sum(1 for _record in iter_fixml(path, path.name))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize("small", [
    pytest.param(5_000, id="5k-vs-10k"),
    pytest.param(50_000, id="50k-vs-100k", marks=pytest.mark.slow),  # ~30 s: tracemalloc slows parsing 5x
])
def test_fixml_streams_in_constant_memory(tmp_path: Path, small: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PosRpt batch streams under 30 MB, and twice as many messages take no more memory: the ids go to disk."""
    monkeypatch.setattr(fixml, "_PENDING_MAX", 1024)  # both files pass through the in-memory id window many times
    small_file, large_file = tmp_path / "small.xml", tmp_path / "large.xml"
    _write_positions(small_file, small)
    _write_positions(large_file, 2 * small)
    sum(1 for _record in iter_fixml(small_file, "warm-up.xml"))  # fill the bounded value caches first
    small_count, small_peak = _peak_bytes(small_file)
    large_count, large_peak = _peak_bytes(large_file)
    print(f"tracemalloc peak: {small} messages {small_peak / 1e6:.2f} MB, {2 * small} {large_peak / 1e6:.2f} MB")
    assert (small_count, large_count) == (small, 2 * small)
    assert small_peak < 30_000_000
    # A retained record costs about 2 KB, a remembered id in a Python set about 60 bytes: either would add 300 KB or
    # more per 5k extra messages. What does grow is 16 bytes of fences per 1024 ids and a few bytes per run on disk;
    # the peak also moves by a few tens of KB with what one chunk of input holds.
    assert large_peak - small_peak < 100_000


def test_fixml_record_ids_stay_exact_across_the_ids_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids numbered through runs on disk (a tiny window) equal OccurrenceCounter's, repeats far apart included."""
    monkeypatch.setattr(fixml, "_PENDING_MAX", 16)
    monkeypatch.setattr(fixml, "_BLOCK_IDS", 4)
    seen, counter = fixml._SeenIds("f.xml"), OccurrenceCounter("f.xml")
    keys = [[f"K{n % 97}", "x"] for n in range(1000)]  # each key ten or eleven times, 97 records apart
    try:
        assert [seen.record_id("PositionReport", key) for key in keys] == [
            counter.key_id("\x1f".join(["f.xml", "PositionReport", *key])) for key in keys]
    finally:
        seen.close()


# ------------------------------------------------------------------------------- the PosRpt fast path and pieces


def _lxml_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message read by lxml and its message parser (the fast path and the node shapes switched off)."""
    monkeypatch.setattr(fixml, "_fast_position", lambda text, location: None)
    monkeypatch.setattr(fixml, "_shaped_nodes", lambda text: None)


def _varied_batch() -> bytes:
    """PosRpt messages in every form the fast path must either read exactly or leave to lxml."""
    plain = [_position(n, account=f"ACC{n % 4}", fmtm=f"-{n}.5{n % 10}") for n in range(12)]
    odd = [
        _position(20, account="A&amp;B"),  # an entity
        _position(21).replace("<Qty", "<!-- c --><Qty", 1),  # a comment
        _position(22).replace("><", ">\n  <"),  # pretty-printed
        _position(23, account="line\nbreak"),  # normalised to a space by XML
        _position(24).replace('ID="SEG-01" R="38"', "ID='SEG-01' R='38'"),  # single quotes
        _position(25).replace('SetPx="5012.25" ', ""),  # no settlement price
        _position(26).replace('<Pty ID="SEG-01" R="38">', '<Pty R="24" Src="C" ID="C9">'),  # another party shape
        _position(27).replace('AcctTyp="1"', 'AcctTyp=""'),  # an empty value
        _position(28, long_sod="1O"),  # quarantined
        _position(29).replace('<Qty Typ="FIN" Long="12" Short="3"/>', '<Qty Typ="FIN" Long="12"/>'),
        _position(30).replace('<Instrmt ID="ES"', '<Instrmt Strk="1" CFI="OCXXXX" ID="ES"'),
        _position(31, fmtm="1E+2"),  # not a plain decimal
        _position(32, long_sod="-0"),  # a signed quantity
        _position(34).replace('SetPx="5012.25"', 'SetPx="12."'),  # plain after all
        _position(33).replace('BizDt="2026-11-24"', 'BizDt="2026-02-30"'),  # quarantined: no such date
        _position(35).replace('Mult="50"', 'Mult="5O"'),  # quarantined: a bad multiplier
        '<PosRpt RptID="E"/>',  # quarantined: no instrument
    ]
    return _batch(*plain, *odd, *plain)


def _varied_trades() -> bytes:
    """TrdCaptRpt messages whose nodes a shape must either read exactly or leave to lxml."""
    plain = [_trade(trade=f'LastQty="{n + 1}" LastPx="4.{n}" TransTyp="{n % 3}"', side=str(1 + n % 2))
             for n in range(6)]
    odd = [
        _trade(parties='<Pty R="38" ID="A&amp;B"/>'),  # an entity
        _trade(extra='Acct="line\nbreak"'),  # normalised to a space by XML
        _trade(extra='Acct="tab\there"'),  # normalised to a space by XML
        _trade(trade='LastQty="4x" LastPx="1" TransTyp="0"'),  # quarantined
        _trade(extra='Acct=""'),  # an empty value
        _trade(parties='<Pty R="24" Src="H" ID="X"/><Pty R="24" ID="ACC2"/>'),  # another party shape
        _trade().replace("><", ">\n  <"),  # pretty-printed
        _trade(trade="LastQty='3' LastPx='2' TransTyp='0'"),  # single quotes
        _trade(extra='Note="a > b"'),  # markup characters in a value
        _trade().replace("<RptSide", "<!-- c --><RptSide"),  # a comment
    ]
    return _batch(*plain, *odd, *plain)


def _batches() -> bytes:
    """Two batches of plain PosRpt messages, then one outside any batch."""
    first, second = (_batch(*(_position(n, account=f"B{batch}") for n in range(5))) for batch in (1, 2))
    return (b'<FIXML v="5.0 SP2">' + first[first.index(b"<Batch"):-len(b"</FIXML>")]
            + second[second.index(b"<Batch"):-len(b"</FIXML>")] + _position(9).encode() + b"</FIXML>")


@pytest.mark.parametrize("name", ["fixspec_posrpt_batch_example.xml", "cmestp_single_trade_capture_report.xml",
                                  "cmestp_trade_legs_trade_capture_report.xml",
                                  "jspurefix_cme_allocrpt_confirm_to_executing_firm.xml",
                                  "jspurefix_cme_mktdatafull_settlement_prices.xml", "varied", "trades",
                                  "batches", "generated"])
def test_fixml_fast_path_gives_the_records_of_the_lxml_path(samples_dir: Path, tmp_path: Path, name: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Records, ids, order, locations, counts and problems are the same with the PosRpt fast path and the node
    shapes and without them."""
    if name == "varied":
        source: Path | bytes = _varied_batch()
    elif name == "trades":
        source = _varied_trades()
    elif name == "batches":
        source = _batches()
    elif name == "generated":
        source = tmp_path / "generated.xml"
        _write_positions(source, 3000)
    else:
        source = _sample(samples_dir, name)
    fast_records, fast_summary = _records(source)
    with monkeypatch.context() as patch:
        _lxml_path_only(patch)
        slow_records, slow_summary = _records(source)
    assert [repr(record) for record in fast_records] == [repr(record) for record in slow_records]
    assert fast_summary == slow_summary


def test_fixml_fast_path_reads_our_generators_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator's PosRpt shape is read by the fast path (no lxml parse per message) and plain odd forms not;
    of those, only what XML unescapes or normalises (and markup that is not plain) is parsed by lxml, the others'
    nodes are read by their shapes."""
    not_planned, parsed_by_lxml = [], []
    parse, shaped = fixml._FixmlScan._parse, fixml._shaped_nodes

    def counting(scan: fixml._FixmlScan, text: str) -> object:
        if text.startswith("<PosRpt"):
            parsed_by_lxml.append(text.split('"', 2)[1])
        return parse(scan, text)

    def shaping(text: str) -> object:
        if text.startswith("<PosRpt"):
            not_planned.append(text.split('"', 2)[1])
        return shaped(text)

    monkeypatch.setattr(fixml._FixmlScan, "_parse", counting)
    monkeypatch.setattr(fixml, "_shaped_nodes", shaping)
    records, summary = _records(_varied_batch())
    # entity, comment, line break in a value, single quotes, empty value, bad quantity, not a plain decimal, signed
    # quantity, no such date, bad multiplier, no Instrmt; pretty-printed, no SetPx, R=24, Qty without Short, Strk and
    # CFI, SetPx "12." are read by their plans
    assert sorted(set(not_planned + parsed_by_lxml)) == ["E", "P20", "P21", "P23", "P24", "P27", "P28", "P31", "P32",
                                                         "P33", "P35"]
    # entity, comment, line break in a value, single quotes
    assert parsed_by_lxml == ["P20", "P21", "P23", "P24"]
    assert len(records) == 24 + 17 - len(summary.problems)


def test_fixml_reads_the_same_in_any_piece_size_and_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text handed over a few bytes at a time (messages, tags and values cut anywhere) and a Latin-1 file read the
    same records as one piece of UTF-8."""
    document = _batch(*(_position(n, account=f"Zürich-{n}") for n in range(40)), _trade())
    whole, whole_summary = _records(document)
    with monkeypatch.context() as patch:
        patch.setattr(fixml, "iter_checked_text",
                      lambda source, name: xmlsafe.iter_checked_text(source, name, chunk_bytes=7))
        pieces, pieces_summary = _records(document)
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + document.decode().encode("latin-1")
    latin_records, latin_summary = _records(latin)
    assert [repr(r) for r in whole] == [repr(r) for r in pieces] == [repr(r) for r in latin_records]
    assert whole_summary == pieces_summary == latin_summary
    assert whole[0].position_account == "Zürich-0"
