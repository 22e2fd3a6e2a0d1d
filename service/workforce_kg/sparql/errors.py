"""Plain, one-line messages for SPARQL texts that do not parse.

What went wrong is decided by the parsers: rdflib's (the checking parser of
:mod:`workforce_kg.sparql.safety`), whose ``ParseException`` gives the position where it could read no
further, and Oxigraph's (the engine), whose ``SyntaxError`` gives ``error at line:column`` followed by
the grammar's expectations — among them lists of Unicode character ranges, which are dropped here.
Only then is the text read, at that position, to name the token there:

- a prefixed name whose prefix nobody declared → ``unknown prefix foo: — declare it or use a full IRI``
  (:func:`unknown_prefix`; from the parse tree when the text parses, see :func:`undeclared_prefixes`);
- a prefixed name with a ``/`` in it (``body:nhs/england``: a slash ends a SPARQL local name, and
  escapes in prefixed names are refused here) → write the full IRI, with the IRI it stands for;
- anything else → ``syntax error at line L, column C, at "…": …``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from pyparsing import Literal, Located, ParseBaseException
from rdflib.plugins.sparql.parser import Prologue, Update1
from rdflib.plugins.sparql.parserutils import CompValue

#: Where the predeclared prefixes are listed (the page and its JSON).
PREFIXES_PAGE = "/prefixes"

_BREAKS = "{}()[];,"
_TOKEN = re.compile(r"""[^\s{}()\[\];,]+|\S""")
#: a prefixed name (PNAME_NS or PNAME_LN) at the start of a token
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:([^\s{}()\[\];,<>\"'^]*)")
_OX_POSITION = re.compile(r"error at (\d+):(\d+):?\s*(.*)", re.S)
_CHAR_CLASS = re.compile(r"\[(?:'(?:\\.|[^'\\])*'|[^\]'])*\]")
_ITEM = re.compile(r'"(?:\\.|[^"\\])*"|[^,\s][^,]*')


def unknown_prefix(prefix: str, where: str = "") -> str:
    """The message for a prefixed name whose prefix is declared nowhere (``where``: its line and column)."""
    return (
        f"unknown prefix {prefix}: — declare it or use a full IRI "
        f"({where + '; ' if where else ''}the predeclared prefixes are listed at {PREFIXES_PAGE})"
    )


def undeclared_prefixes(tree, predeclared: Iterable[str]) -> list[str]:
    """The prefixes that prefixed names in a parse tree (rdflib's ``parseQuery`` / ``parseUpdate``) use
    but that neither ``predeclared`` nor a ``PREFIX`` of the text declares, in the order first met."""
    declared = set(predeclared)
    used: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "PrefixDecl":
                declared.add(dict.get(node, "prefix") or "")
            elif node.name == "pname":
                used.append(dict.get(node, "prefix") or "")
            stack.extend(reversed(list(dict.values(node))))
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(reversed(list(node)))
    return list(dict.fromkeys(p for p in used if p not in declared))


def from_rdflib(text: str, kind: str, exc: ParseBaseException, prefixes: dict[str, str]) -> str:
    """The message for a text rdflib's SPARQL parser could not read (``kind``: query or update)."""
    text = text.expandtabs()  # pyparsing reads the text with its tabs expanded, and gives positions in it
    if kind == "update":
        exc = _update_failure(text) or exc
    return _message(text, kind, exc.loc, _rdflib_expectation(exc), prefixes)


def _update_failure(text: str) -> ParseBaseException | None:
    """Where rdflib's parser stops in an update, operation by operation.

    Its grammar makes everything after the prologue optional, so a mistake in any operation is
    reported at the start of the text; parsing each operation (``Update1``) in turn finds the mistake."""
    loc = 0
    while True:
        loc += Located(Prologue).parse_string(text[loc:])["locn_end"]  # may be empty: never fails
        if not text[loc:].strip():
            return None
        try:
            loc += Located(Update1).parse_string(text[loc:])["locn_end"]
            loc += Located(Literal(";")).parse_string(text[loc:])["locn_end"]
        except ParseBaseException as exc:
            exc.loc += loc
            return exc


def from_oxigraph(text: str, kind: str, exc: SyntaxError, prefixes: dict[str, str]) -> str:
    """The message for a text Oxigraph could not read: its position and expectations, in one line."""
    raw = str(exc)
    found = _OX_POSITION.search(raw)
    if not found:
        return f"malformed {kind}: {_clean(raw)}"
    line, col = int(found.group(1)), int(found.group(2))
    items = _expectations(found.group(3))
    prefix_missing = "Prefix not found" in found.group(3)
    offset = _offset(text, line, col)
    if prefix_missing:  # Oxigraph points past the prefixed name: name the one that ends there
        start = _token_start(text, offset - 1 if offset and text[offset - 1 : offset].strip() else offset)
        pname = _PNAME.match(text, start)
        if pname:
            line, col = _line_col(text, start)
            return unknown_prefix(pname.group(1) or "", f"line {line}, column {col}")
    expectation = f"expected {_one_of(items)}" if items else ""
    return _message(text, kind, offset, expectation, prefixes)


# -- the message ---------------------------------------------------------------------------------------


def _message(text: str, kind: str, loc: int, expectation: str, prefixes: dict[str, str]) -> str:
    loc = _token_start(text, loc)
    line, col = _line_col(text, loc)
    where = f"line {line}, column {col}"
    rest = text[loc:]
    if not rest.strip():
        return f"the {kind} ends too soon ({where}): is a closing }}, ) or quote missing?"
    declared = {**prefixes, **_declared_in(text)}
    statement = re.split(r"\s\.\s|[{};\n]", rest, maxsplit=1)[0] or rest[:1]  # the failing statement
    for found in list(_TOKEN.finditer(statement))[:4]:
        token = found.group(0)
        pname = _PNAME.fullmatch(token)
        if not pname:
            continue
        prefix, local = pname.group(1) or "", pname.group(2)
        line, col = _line_col(text, loc + found.start())
        if prefix not in declared:
            return unknown_prefix(prefix, f"line {line}, column {col}")
        after = local.split("/", 1)[1] if "/" in local else None
        if after and ":" not in after and after[0] not in "<^(!?":  # not a path such as wkg:a/wkg:b
            return (
                f'"/" cannot appear in a prefixed name: {token} (line {line}, column {col}) — '
                f"write the full IRI <{declared[prefix]}{local}>"
            )
    first = _TOKEN.match(rest.lstrip())
    near = f', at "{first.group(0)[:40]}"' if first else ""
    if text.count("{", 0, loc) > text.count("}", 0, loc) and "}" not in rest:  # a hint, not a decision
        expectation = f"the {kind} ends before its closing }}"
    return f"syntax error in the {kind} at {where}{near}" + (f": {expectation}" if expectation else "")


def _rdflib_expectation(exc: ParseBaseException) -> str:
    msg = " ".join(str(exc.msg).split())
    if "end of text" in msg:
        return "expected the end of the text here (or a clause that may follow)"
    return "not SPARQL 1.1 from here on (as this service's checking parser reads it)"


def _declared_in(text: str) -> dict[str, str]:
    """The prefixes the text's prologue declares, read by rdflib's grammar (nothing if it cannot)."""
    try:
        prologue = Prologue.parse_string(text, parse_all=False)
    except ParseBaseException:
        return {}
    return {
        dict.get(d, "prefix") or "": str(dict.get(d, "iri"))
        for part in prologue
        for d in (part if type(part).__name__ == "ParseResults" else [part])
        if isinstance(d, CompValue) and d.name == "PrefixDecl"
    }


def _expectations(raw: str) -> list[str]:
    """Oxigraph's expectations without character classes, backslash escapes or internal names."""
    raw = _CHAR_CLASS.sub("", raw.removeprefix("expected").strip().removeprefix("one of").strip())
    out = []
    for item in _ITEM.findall(raw):
        item = item.strip()
        if item.startswith('"'):
            try:
                item = json.loads(item)
            except ValueError:
                continue
            item = f'"{item}"'
        if not item or "\\" in item or item in ("Prefix not found", "[_]"):
            continue
        out.append("the end" if item == "EOF" else item)
    return out[:8]


def _one_of(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "one of " + ", ".join(items)


def _clean(message: str) -> str:
    return " ".join(_CHAR_CLASS.sub("…", message).split())[:300]


def _token_start(text: str, offset: int) -> int:
    """The start of the token (a run of characters other than spaces and brackets) ``offset`` is in."""
    while 0 < offset <= len(text) and not text[offset - 1].isspace() and text[offset - 1] not in _BREAKS:
        offset -= 1
    return offset


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - _line_start(text, offset) + 1


def _offset(text: str, line: int, col: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(start + col - 1, len(text))
