"""Read a document into plain text: the one reader for ingest and for the provenance (quote) check.

Plain text and Markdown are read as they are. HTML keeps its main content only (``<main>``, else
``<article>``, else ``<body>``, without navigation, headers, footers, scripts and forms), with headings
as Markdown ``#`` lines, list items as ``-`` (or ``N.`` in ordered lists) and table rows as lines whose
cells are separated by tabs, so rating tables stay tables. PDF is read from its text layer (pypdf).
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from pathlib import Path

#: File extensions the reader understands, by kind.
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
PDF_EXTENSIONS = {".pdf"}
SUPPORTED = TEXT_EXTENSIONS | HTML_EXTENSIONS | PDF_EXTENSIONS

_BLOCKS = {"p", "pre", "blockquote", "dt", "dd", "caption", "figcaption", "address"}
_DROP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "noscript",
    "template",
    "svg",
    "iframe",
    "button",
    "select",
    "head",
}
_CONTAINERS = {
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "span",
    "center",
    "details",
    "summary",
    "figure",
    "dl",
    "tbody",
    "thead",
    "tfoot",
}


class DocumentError(ValueError):
    """A document that cannot be ingested: the message is one line for the user."""


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of the document at ``path`` (``.txt``, ``.md``, ``.html``, ``.pdf``).

    Raises:
        DocumentError: the file is missing, empty, binary, not decodable, of an unsupported type, or a
            PDF without a text layer.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise DocumentError(
            f"unsupported file type {ext or '(none)'!r} for {path.name}; use one of {', '.join(sorted(SUPPORTED))}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise DocumentError(f"{path.name} is empty")
    if ext in PDF_EXTENSIONS:
        text = _pdf_text(data, path.name)
    else:
        if b"\x00" in data[:65536]:
            raise DocumentError(f"{path.name} looks binary, not {ext[1:]} text")
        raw = _decode(data, path.name)
        text = html_text(raw) if ext in HTML_EXTENSIONS else raw
    if not text.strip():
        raise DocumentError(f"{path.name} has no readable text")
    return text


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name} is not UTF-8 (or Windows-1252) text")


def _pdf_text(data: bytes, name: str) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # pypdf logs repairs ("EOF marker not found"); our error says it once
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                reader.decrypt("")
            pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{name} is not a readable PDF ({' '.join(str(exc).split())[:120]})") from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise DocumentError(f"{name} is not a readable PDF ({exc.__class__.__name__})") from None
    finally:
        quiet.setLevel(level)
    text = "\n\n".join(_unwrap(p.strip("\n")) for p in pages)
    if not text.strip():
        raise DocumentError(f"{name} has no text layer (a scanned PDF?); run OCR first")
    # pypdf joins hyphenated line ends as they are; keep the text verbatim apart from form feeds
    return text.replace("\f", "\n")


_TABLE_ROW = re.compile(r"\t|\|.*\||^\s*\||\|\s*$")
_ITEM_START = re.compile(r"^\s*(?:[-•·▪*]|\(?[a-z0-9]{1,3}[.)]|[A-Z]{1,4}/\d|#)\s")


def _unwrap(page: str) -> str:
    """A PDF page's text with wrapped lines joined: a line that fills the measure and does not end a
    sentence continues on the next line ("… the college would deliver the" + "teaching and …"). Short
    lines (headings, list items, the last line of a paragraph) keep their line break."""
    lines = page.split("\n")
    widest = max((len(x.rstrip()) for x in lines), default=0)
    out: list[str] = []
    for line in lines:
        prev = out[-1].rstrip() if out else ""
        if (
            prev
            and line.strip()
            and len(prev) >= 0.8 * widest
            and widest >= 40
            and not prev.endswith((".", ":", ";", "!", "?"))
            and not _ITEM_START.match(line)
            and not _TABLE_ROW.search(prev)
            and not _TABLE_ROW.search(line)
        ):  # table rows keep their lines
            out[-1] = prev + " " + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _clean(text: str) -> str:
    return " ".join(text.split())


def html_text(markup: str) -> str:
    """The main content of an HTML page as text lines (headings as ``#``, tables as tab-separated rows)."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.find("body") or soup
    lines: list[str] = []

    def emit(text: str) -> None:
        text = _clean(text)
        if text:
            lines.append(text)

    def walk(node: Tag) -> None:
        inline: list[str] = []

        def flush() -> None:
            if inline:
                emit(" ".join(inline))
                inline.clear()

        for child in node.children:
            if isinstance(child, NavigableString):
                if child.__class__.__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                inline.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if re.fullmatch(r"h[1-6]", name):
                flush()
                emit("#" * int(name[1]) + " " + child.get_text(" "))
            elif name == "table":
                flush()
                for row in child.find_all("tr"):
                    cells = [_clean(c.get_text(" ")) for c in row.find_all(["td", "th"])]
                    if any(cells):
                        lines.append("\t".join(cells))
            elif name in ("ul", "ol"):
                flush()
                given = str(child.get("start") or "1")
                start = int(given) if given.isdigit() else 1
                for i, item in enumerate(child.find_all("li", recursive=False)):
                    marker = f"{start + i}." if name == "ol" else "-"
                    nested = item.find_all(["ul", "ol"], recursive=False)
                    for n in nested:
                        n.extract()
                    emit(f"{marker} {item.get_text(' ')}")
                    for n in nested:
                        walk_wrapped(n)
            elif name in ("br",):
                flush()
            elif name in _BLOCKS or name == "li":
                flush()
                emit(child.get_text(" "))
            elif name in _CONTAINERS or name not in _INLINE:
                flush()
                walk(child)
            else:
                inline.append(child.get_text(" "))
        flush()

    def walk_wrapped(node: Tag) -> None:
        wrapper = BeautifulSoup("<div></div>", "html.parser").div
        assert wrapper is not None  # the markup above has one div
        wrapper.append(node)
        walk(wrapper)

    walk(root)
    return "\n\n".join(lines) + "\n"


_INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "wbr",
    "del",
    "ins",
    "label",
    "img",
}
