"""A landing area with every file's rows in another order: CSV rows, BAI2 transactions within their account, FIXML
messages within their batch, camt entries within their statement. Headers, trailers and control totals stay valid
(a total does not depend on order), so every file still reads; only where each row sits changes."""

from __future__ import annotations

import csv
import io
import random
import shutil
from pathlib import Path

from lxml import etree

CAMT_CONTAINERS = ("Stmt", "Rpt", "Ntfctn")


def _shuffle_csv(text: str, generator: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    records = list(csv.reader(io.StringIO(text)))
    if len(records) != len(lines):  # a quoted field spans lines: shuffle parsed records, written back by csv
        header, rows = records[0], records[1:]
        generator.shuffle(rows)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()
    header, rows = lines[:1], lines[1:]
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    generator.shuffle(rows)
    return "".join(header + rows)


def _shuffle_bai2(text: str, generator: random.Random) -> str:
    """The 16 records (each with its 88 continuations) of each account, in another order."""
    out, transactions = [], []
    for line in text.splitlines(keepends=True):
        code = line.split(",", 1)[0]
        if code == "88" and transactions:
            transactions[-1].append(line)
        elif code == "16":
            transactions.append([line])
        else:
            generator.shuffle(transactions)
            out += [part for transaction in transactions for part in transaction]
            transactions = []
            out.append(line)
    generator.shuffle(transactions)
    out += [part for transaction in transactions for part in transaction]
    return "".join(out)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _shuffle_children(parent: etree._Element, wanted: set[str] | None, generator: random.Random) -> None:
    """Reorder ``parent``'s children named in ``wanted`` (all elements when None) among their own places."""
    children = list(parent)
    places = [i for i, child in enumerate(children) if _local(child) and (wanted is None or _local(child) in wanted)]
    tails = [child.tail for child in children]
    order = [children[i] for i in places]
    generator.shuffle(order)
    for place, child in zip(places, order):
        children[place] = child
    for child in list(parent):
        parent.remove(child)
    for child, tail in zip(children, tails):  # the whitespace after each place stays with the place
        child.tail = tail
        parent.append(child)


def _shuffle_xml(data: bytes, generator: random.Random) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in list(root.iter()):
        if _local(element) == "Batch":  # FIXML messages
            _shuffle_children(element, None, generator)
        elif _local(element) in CAMT_CONTAINERS:  # camt entries
            _shuffle_children(element, {"Ntry"}, generator)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def shuffle_landing(source: Path, target: Path, seed: int) -> list[str]:
    """Copy the landing area ``source`` to ``target`` with every file's rows shuffled; returns the files whose
    bytes changed (relative paths)."""
    shutil.copytree(source, target)
    generator = random.Random(seed)
    changed = []
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".csv":
            shuffled = _shuffle_csv(data.decode("utf-8"), generator).encode("utf-8")
        elif path.suffix == ".bai2":
            shuffled = _shuffle_bai2(data.decode("utf-8"), generator).encode("utf-8")
        elif path.suffix == ".xml":
            shuffled = _shuffle_xml(data, generator)
        else:
            continue
        if shuffled != data:
            path.write_bytes(shuffled)
            changed.append(path.relative_to(target).as_posix())
    return changed
