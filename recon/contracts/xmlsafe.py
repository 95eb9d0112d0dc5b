"""Safe, constant-memory XML streaming for hostile input (camt, FIXML).

Every XML file we read comes from outside: a bank, a clearing house, a vendor. Two readers, both on lxml, are
configured so that nothing in the document can reach outside it or grow beyond it: :func:`iter_elements`
(``iterparse``: complete elements, for documents such as camt statements) and :func:`iter_target` (a parser target:
callbacks with each element's attributes and no tree, for large files of small messages such as FIXML). For both:

* a document type declaration (``<!DOCTYPE``, and with it every ``<!ENTITY``) is refused outright, before the first
  element is handed out: billion laughs and XXE never get as far as an entity reference;
* the parser itself resolves no entities, loads no DTD, uses no network and keeps libxml2's size limits
  (``huge_tree=False``), so the refusal does not depend on one check alone;
* memory stays bounded: iter_elements clears each element it handed out, with its already-seen siblings, once the
  consumer asks for the next one; iter_target builds no tree at all.

Elements are matched on their local name, so ``{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Stmt`` and ``Stmt``
are the same tag. A bad document comes out as :class:`recon.errors.FileRejected` carrying a ``FILE`` problem; a file
that cannot be read at all as :class:`recon.errors.LandingError`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from recon.domain import Problem
from recon.errors import FileRejected, LandingError

XmlSource = Path | str | bytes

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "dtd_validation": False,
}


def local_name(tag: object) -> str:
    """The local part of an lxml tag (``{ns}Stmt`` -> ``Stmt``); '' for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    """The namespace URI of an lxml tag ('' when the tag has none)."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def iter_elements(
    source: XmlSource,
    source_file: str,
    tags: Iterable[str],
    *,
    parents: Iterable[str] | None = None,
) -> Iterator[etree._Element]:
    """Yield each complete element whose local name is in ``tags``, in document order, then free it.

    ``parents``, when given, narrows the match to elements that are the document root or a child of an element whose
    local name is in ``parents`` (a nested element of the same name stays part of its ancestor and is not cleared).
    The element and its earlier siblings are cleared after the consumer is done with it: keep values, not elements.
    Raises FileRejected with ``XML_DTD_FORBIDDEN`` for any document type declaration and ``XML_MALFORMED`` for a
    document lxml cannot parse.
    """
    _refuse_doctype(source, source_file)
    wanted = [f"{{*}}{tag}" for tag in tags]  # '{*}' matches any namespace, and none
    parent_names = None if parents is None else frozenset(parents)
    events = etree.iterparse(_open(source), events=("end",), tag=wanted, **_PARSER_OPTIONS)
    try:
        for _event, element in events:
            parent = element.getparent()
            if parent_names is not None and parent is not None and local_name(parent.tag) not in parent_names:
                continue
            yield element
            _free(element, parent)
    except etree.XMLSyntaxError as error:
        raise FileRejected(_malformed(source_file, error)) from None
    except OSError as error:
        raise LandingError(f"{source_file}: cannot read the file: {error}") from error


class SafeTarget:
    """Base of the parser targets :func:`iter_target` drives: refuses a DTD, hands over what it produced.

    A subclass adds lxml's target callbacks (``start(tag, attrib)``, ``end(tag)``, ...) and appends its results to
    ``self.produced``; :func:`iter_target` takes them after every chunk, so they never pile up.
    """

    def __init__(self, source_file: str) -> None:
        self.source_file = source_file
        self.produced: list[object] = []

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        """Refuse any document type declaration the moment the parser meets it (before any entity is used)."""
        raise FileRejected(_doctype_problem(self.source_file, f"<!DOCTYPE {name or ''}>"))

    def close(self) -> None:
        """lxml calls this at the end of the document, well-formed or not: nothing to do here (see finish)."""

    def finish(self) -> None:
        """Called once the whole document has parsed well-formed: a subclass completes its last result here."""

    def take(self) -> list[object]:
        """What the target produced since the last call."""
        produced, self.produced = self.produced, []
        return produced


def iter_target(source: XmlSource, source_file: str, target: SafeTarget, *, chunk_bytes: int = 1 << 16
                ) -> Iterator[object]:
    """Stream the document through an lxml parser target (callbacks, no tree), yielding what it produces.

    The fastest safe way to read a large file of small messages: libxml2 hands each element's attributes to the
    target as a dict and builds no tree, so memory stays at one chunk plus what the target keeps. The same refusals
    as :func:`iter_elements` apply (DTD refused before parsing and again by :meth:`SafeTarget.doctype`, no network,
    no DTD loading, libxml2 size limits). Entities are resolved as ``internal``: with every DTD refused that means
    only XML's five predefined entities and character references, which lxml's target mode otherwise passes on
    half-decoded (``&amp;`` arrives as ``&#38;``).
    """
    _refuse_doctype(source, source_file)
    options = {**_PARSER_OPTIONS, "resolve_entities": "internal"}
    parser = etree.XMLParser(target=target, **options)
    try:
        for chunk in _chunks(source, chunk_bytes):
            parser.feed(chunk)
            yield from target.take()
        parser.close()
    except etree.XMLSyntaxError as error:
        raise FileRejected(_malformed(source_file, error)) from None
    except OSError as error:
        raise LandingError(f"{source_file}: cannot read the file: {error}") from error
    target.finish()
    yield from target.take()


def _chunks(source: XmlSource, chunk_bytes: int) -> Iterator[bytes]:
    """The document's bytes, ``chunk_bytes`` at a time."""
    if isinstance(source, bytes):
        for start in range(0, len(source), chunk_bytes):
            yield source[start:start + chunk_bytes]
        return
    with open(source, "rb") as stream:
        while chunk := stream.read(chunk_bytes):
            yield chunk


def _free(element: etree._Element, parent: etree._Element | None) -> None:
    """Clear ``element`` and delete the siblings before it, so the tree built so far stays small."""
    element.clear(keep_tail=False)
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def root_name(source: XmlSource, source_file: str) -> str:
    """The local name of the document's root element; refuses a DTD and a malformed prolog like iter_elements."""
    return _refuse_doctype(source, source_file)


def _refuse_doctype(source: XmlSource, source_file: str) -> str:
    """Parse only up to the root's start tag, refuse the file if it declares a document type; the root's name."""
    try:
        for _event, root in etree.iterparse(_open(source), events=("start",), **_PARSER_OPTIONS):
            info = root.getroottree().docinfo
            if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
                raise FileRejected(_doctype_problem(source_file, info.doctype))
            return local_name(root.tag)
    except etree.XMLSyntaxError as error:
        raise FileRejected(_malformed(source_file, error)) from None
    except OSError as error:
        raise LandingError(f"{source_file}: cannot read the file: {error}") from error
    raise FileRejected(_malformed_empty(source_file))


def _malformed_empty(source_file: str) -> Problem:
    """The FILE problem for a document with no root element."""
    return Problem("FILE", source_file, "line 1", "", "", "XML_MALFORMED", "well-formed XML", "no root element",
                   "the file is not well-formed XML")


def _doctype_problem(source_file: str, doctype: str) -> Problem:
    """The FILE problem for a document that declares a DTD (its declarations are never expanded or shown)."""
    declared = doctype.split(" ", 2)[:2] if doctype else ["<!DOCTYPE"]
    return Problem(
        scope="FILE",
        source_file=source_file,
        location="prolog",
        record_id="",
        field="DOCTYPE",
        code="XML_DTD_FORBIDDEN",
        expected="no document type declaration",
        found=" ".join(declared).rstrip(">") + " ...>",
        message="the document declares a DTD; DTDs and entities are refused unread (XXE, entity expansion)",
    )


def _malformed(source_file: str, error: etree.XMLSyntaxError) -> Problem:
    """The FILE problem for a document lxml cannot parse, at the line lxml reports."""
    line = max(error.lineno or 0, 1)  # lxml says line 0 for an empty document
    return Problem(
        scope="FILE",
        source_file=source_file,
        location=f"line {line}",
        record_id="",
        field="",
        code="XML_MALFORMED",
        expected="well-formed XML",
        found=str(error.msg or error),
        message="the file is not well-formed XML",
    )


def _open(source: XmlSource) -> object:
    """What ``iterparse`` reads: a file name for a path, a byte stream for bytes."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return str(source)
