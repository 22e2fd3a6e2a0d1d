"""The one parser for RDF sent to the service (``POST /validate`` and the Graph Store writes).

Oxigraph's parsers read only the bytes given to them: its JSON-LD parser has no document loader, so a
context referred to by IRI (``"@context": "http://…"``, ``file:…``, a relative IRI, in a list, inside a
node, as a scoped context of a term, through ``@import``) is never fetched or read; such a document is
refused with one message whatever the IRI points to, so the answer says nothing about other hosts or
the files of the machine. What the parsers would do badly is refused before they run: JSON nested deeper
than :data:`MAX_JSON_DEPTH` (Oxigraph's JSON-LD parser uses memory that grows with the square of the
depth, and crashes the process on a few thousand levels), RDF/XML that declares a DOCTYPE or entities
(Oxigraph expands internal entities), and RDF/XML nested deeper than :data:`MAX_XML_DEPTH` (Oxigraph's
RDF/XML parser takes time that grows with the square of the depth: 14 s for a 1 MB body).
"""

from __future__ import annotations

import re
from itertools import accumulate
from xml.parsers import expat

import pyoxigraph as ox

#: Media types an RDF body may be sent in, on every route that takes one.
UPLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}

#: Deepest nesting of JSON arrays and objects accepted in a JSON-LD body.
MAX_JSON_DEPTH = 100
#: Deepest nesting of elements accepted in an RDF/XML body.
MAX_XML_DEPTH = 100

CONTEXT_REFUSED = (
    "JSON-LD contexts named by IRI (remote, file or relative; through @context or @import) are "
    "refused: this service never fetches or reads a context; put the context in the document"
)

_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)  # possessive, the end optional: linear time
_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class UploadError(ValueError):
    """An RDF body that cannot be taken: an HTTP status (400 or 415) and a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (without building it, and without recursion).
    Exact for valid JSON and for the valid part of a text before its first error."""
    brackets = _JSON_STRING.sub(b"", data).translate(None, _BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class _TooDeep(Exception):
    pass


def xml_too_deep(text: str, limit: int = MAX_XML_DEPTH) -> bool:
    """Whether the elements of an XML text nest deeper than ``limit`` (read by expat, in linear time, up
    to the first element past the limit; a malformed text is left to the RDF/XML parser to report)."""
    parser = expat.ParserCreate()
    depth = 0

    def start(*_) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _TooDeep

    def end(*_) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(text, True)
    except _TooDeep:
        return True
    except expat.ExpatError:
        pass
    return False


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, without parameters, in lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def parse(data: bytes, media: str, base_iri: str) -> list[ox.Triple]:
    """Parse an RDF body sent as ``media`` (a key of :data:`UPLOAD_FORMATS`), relative IRIs against
    ``base_iri``; the triples (graph names of JSON-LD named graphs dropped; blank nodes renamed, so that
    they never meet the store's).

    Raises:
        UploadError: 415 for another media type, 400 for a body that is malformed or refused (with the
            parser's message, or the reason it is refused).
    """
    fmt = UPLOAD_FORMATS.get(media)
    if fmt is None:
        raise UploadError(415, f"Content-Type must be one of {', '.join(UPLOAD_FORMATS)} (got {media or 'none'})")
    if fmt == ox.RdfFormat.RDF_XML:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UploadError(400, f"unreadable {media}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
        if re.search(r"<!(DOCTYPE|ENTITY)", text):
            raise UploadError(
                400, "RDF/XML with a DOCTYPE or entity declarations is refused (entities are not expanded)"
            )
        if xml_too_deep(text):
            raise UploadError(400, f"RDF/XML nested deeper than {MAX_XML_DEPTH} elements is refused")
    if fmt == ox.RdfFormat.JSON_LD and json_depth(data) > MAX_JSON_DEPTH:
        raise UploadError(400, f"JSON-LD nested deeper than {MAX_JSON_DEPTH} arrays or objects is refused")
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=base_iri, rename_blank_nodes=True)]
    except SyntaxError as exc:
        message = " ".join(str(exc).split())
        if fmt == ox.RdfFormat.JSON_LD and ("LoadDocumentCallback" in message or "remote context" in message):
            raise UploadError(400, CONTEXT_REFUSED) from None
        raise UploadError(400, f"malformed {media}: {message[:500]}") from None
    except ValueError as exc:  # e.g. not UTF-8
        raise UploadError(400, f"unreadable {media}: {exc}") from None
