"""Safe, constant-memory XML streaming for hostile input (camt, FIXML).

Every XML file we read comes from outside: a bank, a clearing house, a vendor. Two readers, both on lxml, are
configured so that nothing in the document can reach outside it or grow beyond it: :func:`iter_elements`
(``iterparse``: complete elements, for documents such as camt statements) and :func:`iter_checked_text` (the
decoded text of a document lxml has checked without building anything, for large files of small messages such as
FIXML, whose reader takes each message apart itself or through :func:`parse_fragment`). For both:

* a document type declaration (``<!DOCTYPE``, and with it every ``<!ENTITY``) is refused outright, before the first
  element is handed out: billion laughs and XXE never get as far as an entity reference;
* the parser itself resolves no entities, loads no DTD, uses no network and keeps libxml2's size limits
  (``huge_tree=False``), so the refusal does not depend on one check alone;
* memory stays bounded: iter_elements clears each element it handed out, with its already-seen siblings, once the
  consumer asks for the next one; iter_checked_text builds no tree at all and holds two pieces of text.

Elements are matched on their local name, so ``{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Stmt`` and ``Stmt``
are the same tag. A bad document comes out as :class:`recon.errors.FileRejected` carrying a ``FILE`` problem; a file
that cannot be read at all as :class:`recon.errors.LandingError`.
"""

from __future__ import annotations

import codecs
import io
import re
import threading
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


class _Checker:
    """The parser target of :func:`iter_checked_text`: no element callbacks (libxml2 only checks the document, and
    builds nothing), and any document type declaration refused the moment the parser meets it."""

    def __init__(self, source_file: str) -> None:
        self.source_file = source_file

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        """Refuse any document type declaration (before any entity is used)."""
        raise FileRejected(_doctype_problem(self.source_file, name))

    def close(self) -> None:
        """lxml calls this at the end of the document: nothing to hand back."""


def iter_checked_text(source: XmlSource, source_file: str, *, chunk_bytes: int = 1 << 18) -> Iterator[str]:
    """The document's text, decoded, in pieces, each handed out only after lxml has parsed the piece after it.

    The fastest safe way to read a large file of small messages: a parser with no element callbacks checks the whole
    document (well-formed, encoding, no DTD, no network, libxml2's size limits) at C speed and builds nothing, while
    the caller reads text the parser has already gone past (libxml2 may hold back a few bytes at the end of a piece;
    the last piece comes only after the parser closed the document without error). Memory: two pieces of
    ``chunk_bytes``. A bad document raises FileRejected (``XML_DTD_FORBIDDEN``, ``XML_MALFORMED``); a file that
    cannot be read, LandingError. The text is decoded as XML 1.0 appendix F finds the encoding (BOM, declaration,
    else UTF-8).
    """
    _refuse_doctype(source, source_file)
    parser = etree.XMLParser(target=_Checker(source_file), **_PARSER_OPTIONS)
    decoder = None
    held = ""
    try:
        for chunk in _chunks(source, chunk_bytes):
            parser.feed(chunk)
            if decoder is None:
                decoder = _decoder(chunk, source_file)
            if held:
                yield held
            held = decoder.decode(chunk)
        parser.close()
        yield held + (decoder.decode(b"", final=True) if decoder is not None else "")
    except etree.XMLSyntaxError as error:
        raise FileRejected(_malformed(source_file, error)) from None
    except UnicodeDecodeError as error:
        raise FileRejected(Problem("FILE", source_file, "", "", "encoding", "XML_MALFORMED",
                                   f"text in the encoding {error.encoding}", repr(error.object[error.start:error.end]),
                                   "the file is not well-formed XML")) from None
    except OSError as error:
        raise LandingError(f"{source_file}: cannot read the file: {error}") from error


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"), (b"<\0?\0", "utf-16-le"),
         (b"\0<\0?", "utf-16-be"))
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")


def _decoder(head: bytes, source_file: str) -> codecs.IncrementalDecoder:
    """A decoder for the document's encoding as XML 1.0 (appendix F) finds it: its BOM, else its declaration, else
    UTF-8. Refuses an encoding Python does not know."""
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARED_ENCODING.match(head)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise FileRejected(Problem("FILE", source_file, "prolog", "", "encoding", "XML_MALFORMED",
                                   "an encoding Python can decode", encoding,
                                   "the file is not well-formed XML")) from None


def parse_fragment(text: str, namespaces: str = "") -> etree._Element:
    """Parse well-formed element text (one element, as found in a document :func:`iter_checked_text` passed) with
    the same safe parser options; ``namespaces`` are the ``xmlns`` attributes (as written) in scope where the text
    stood, so prefixed names resolve as they did in the document. Raises lxml's XMLSyntaxError."""
    wrapper = etree.fromstring(f"<_{namespaces}>{text}</_>", _fragment_parser())
    return wrapper[0]


_THREAD = threading.local()  # parse_fragment's parser: one per thread (an lxml parser is not for two at once)


def _fragment_parser() -> etree.XMLParser:
    """This thread's parser of fragments, made once: a FIXML file parses one fragment per message, and making a
    parser for each cost a tenth of the reading."""
    parser = getattr(_THREAD, "parser", None)
    if parser is None:
        parser = _THREAD.parser = etree.XMLParser(**_PARSER_OPTIONS)
    return parser


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
                # the name the declaration gives (docinfo.doctype would show the root element's name instead)
                declared = info.internalDTD if info.internalDTD is not None else info.externalDTD
                raise FileRejected(_doctype_problem(source_file, declared.name if declared is not None else None))
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


_DOCTYPE_NAME_MAX = 80


def _doctype_problem(source_file: str, name: str | None) -> Problem:
    """The FILE problem for a document that declares a DTD: the name its ``<!DOCTYPE`` declares, as written (not the
    root element's), and nothing after it (its declarations are never expanded or shown)."""
    name = (name or "").strip()[:_DOCTYPE_NAME_MAX]
    return Problem(
        scope="FILE",
        source_file=source_file,
        location="prolog",
        record_id="",
        field="DOCTYPE",
        code="XML_DTD_FORBIDDEN",
        expected="no document type declaration",
        found=f"<!DOCTYPE {name} ...>" if name else "<!DOCTYPE ...>",
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
