"""What a SPARQL query or update may do, decided from its parse (rdflib's SPARQL 1.1 parser and algebra).

Oxigraph evaluates queries and updates but exposes no parser in Python, so every text is first parsed
with rdflib (:func:`rdflib.plugins.sparql.parser.parseQuery` / ``parseUpdate``, then
``algebra.translateQuery`` / ``translateUpdate``), and the decisions come from that parse:

- a query or an update (an update sent as a query: 403);
- ``SERVICE`` anywhere, in whatever position or spelling (400 unless federation is allowed);
- the graphs of ``FROM`` / ``FROM NAMED`` (returned for the dataset; the caller checks they are ours);
- ``LOAD`` in an update (400);
- the graphs each update operation may write: a graph IRI, the default graph, ``ALL`` / ``NAMED``,
  or a graph named by a variable (``GRAPH ?g`` in a template: known only once evaluated, so the write
  compares what changed; see :mod:`workforce_kg.writes.change`);
- nesting: the depth of the parse, each operand of a chain of operators counting as a level (Oxigraph
  nests them and recurses per level); a text too deep for rdflib's own recursion is refused too.

Where the two parsers could read the same text differently, the text is refused (400):

- anything rdflib cannot parse, even if Oxigraph could (SPARQL 1.2 triple terms, Oxigraph's
  extensions): the check can only vouch for what it read;
- ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes anywhere: SPARQL decodes them in the whole text before
  parsing, and rdflib does (``\\u0053ERVICE`` is ``SERVICE`` to it); Oxigraph decodes them only inside
  strings and IRIs, so ``"a\\u0022 ..."`` ends a string for one parser and not the other;
- escapes in prefixed names (``ex:a\\-b``): Oxigraph reads ``ex:a-b``, rdflib keeps the backslash in
  the IRI (``\\-``, ``\\.``) or cannot parse it (``\\#``: the hole that let a ``SERVICE`` past the old
  text check); write such IRIs in full, ``<...>``;
- a relative IRI that rdflib resolves otherwise than Oxigraph (rdflib takes any IRI with a ``:`` as
  absolute; e.g. ``<graph/x:y>``): each relative IRI is resolved by Oxigraph too and must agree;
  a relative or repeated ``BASE`` is refused.

A prefixed name whose prefix neither the service nor the text declares is refused (400) from the parse
tree. Texts that do not parse are answered in one plain line with the position
(:mod:`workforce_kg.sparql.errors`).

Decisions depend on the text, the base IRI and the predeclared prefixes only, so they are cached by
exact text (a bounded LRU per process: the workers and the writer each keep theirs).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from workforce_kg.sparql import errors

#: Deepest nesting a query or update may have: brackets, subqueries, expressions and property paths,
#: each operand of a chain of operators (``a/b/c``, ``1+2+3``, ``{} UNION {} UNION {}``) counting as
#: a level. Oxigraph's parser and evaluator recurse per level and overflow their stack (crashing the
#: process) past some hundreds to thousands; real queries stay far below.
MAX_NESTING = 256

#: Python frames rdflib's recursive-descent parser may use: dozens per level of brackets, so the
#: default 1,000 stops at some 15-30 levels. Tried on this stack: a 5,000-level text reaches the limit
#: and raises RecursionError (refused as too deep) in the main thread and in 8 MiB threads, no crash.
PARSER_RECURSION = 20_000
sys.setrecursionlimit(max(sys.getrecursionlimit(), PARSER_RECURSION))

#: Texts whose decisions are kept per process.
CACHE_SIZE = 1024

DEFAULT = "DEFAULT"  # the default graph, among the graphs an update writes

#: parse-tree nodes whose list values are data, not operands the engine nests (VALUES rows)
_FLAT = {"InlineData", "InlineDataOneVar", "InlineDataFull", "ValuesClause"}

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class Refused(Exception):
    """A query or update refused before anything is evaluated: an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class QueryPlan:
    """What a query reads: the graphs of its ``FROM`` and ``FROM NAMED`` clauses."""

    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]


@dataclass(frozen=True)
class UpdatePlan:
    """What an update may write.

    ``graphs``: the IRIs of the graphs its operations name as written, and :data:`DEFAULT` for the
    default graph; ``any_graph``: some operation writes a graph named by a variable (``GRAPH ?g`` in
    an ``INSERT``/``DELETE`` template or a ``DELETE WHERE``), which only evaluation decides;
    ``all_graphs``: ``ALL`` or ``NAMED`` (``DROP ALL``, ``CLEAR NAMED``...), every named graph;
    ``using``: the graphs its ``USING`` / ``USING NAMED`` clauses read (the caller checks they are ours).
    """

    graphs: frozenset[str]
    any_graph: bool = False
    all_graphs: bool = False
    using: frozenset[str] = frozenset()  # the graphs of USING / USING NAMED (read, not written)


# -- the checks ------------------------------------------------------------------------------------


def check_query(text: str, prefixes: dict[str, str], allow_federation: bool = False) -> QueryPlan:
    """Decide on a query from its parse; its ``FROM`` / ``FROM NAMED`` graphs.

    Raises:
        Refused: 403 for an update, 400 for ``SERVICE`` (unless ``allow_federation``), a text that
        does not parse or that the parsers could read differently, or one nested too deeply.
    """
    result = plan_query(text, tuple(sorted(prefixes.items())), allow_federation)
    if isinstance(result, Refused):
        raise Refused(result.status, result.message)
    return result


def check_update(
    text: str, base: str, prefixes: dict[str, str], kept: Callable[[str], bool], allow_federation: bool = False
) -> UpdatePlan:
    """Decide on an update from its parse; the graphs it may write.

    ``base`` is the store's base IRI (relative IRIs resolve against ``{base}/``, as the writer runs
    updates); ``kept`` tells the graphs no write may change.

    Raises:
        Refused: 400 for ``LOAD``, ``SERVICE``, a text that does not parse or that the parsers could
        read differently, or one nested too deeply; 403 for an operation that names a kept graph as
        written, or writes ``ALL`` / ``NAMED`` graphs (which include the kept ones).
    """
    result = _update(text, base, tuple(sorted(prefixes.items())), allow_federation)
    if isinstance(result, Refused):
        raise Refused(result.status, result.message)
    for iri in sorted(result.graphs - {DEFAULT}):
        if kept(iri):
            raise Refused(403, f"<{iri}> is kept by the service and cannot be written")
    if result.all_graphs:
        raise Refused(
            403,
            "ALL and NAMED include graphs kept by the service (ontology, derived, audit), which "
            "cannot be written: name the graphs to change",
        )
    return result


def clear_cache() -> None:
    """Forget the cached decisions (tests)."""
    plan_query.cache_clear()
    _update.cache_clear()


# -- parsing -----------------------------------------------------------------------------------------


@lru_cache(maxsize=CACHE_SIZE)
def plan_query(text: str, prefixes: tuple, allow_federation: bool) -> QueryPlan | Refused:
    """The decision of :func:`check_query` on a query (cached: a repeated query is parsed once)."""
    try:
        _same_text(text)
        try:
            tree = parseQuery(text)
        except ParseBaseException as exc:
            try:
                parseUpdate(text)
            except (ParseBaseException, RecursionError):
                raise Refused(400, errors.from_rdflib(text, "query", exc, dict(prefixes))) from None
            raise Refused(403, "SPARQL Update is not allowed on this endpoint (the service is read-only)") from None
        _inspect(tree, "query", allow_federation, base=None)
        _declared(tree, prefixes)
        query = translateQuery(tree, initNs=dict(prefixes))
        clauses = dict.get(query.algebra, "datasetClause") or []
        return QueryPlan(
            tuple(str(c["default"]) for c in clauses if dict.get(c, "default") is not None),
            tuple(str(c["named"]) for c in clauses if dict.get(c, "named") is not None),
        )
    except Refused as exc:
        return exc
    except RecursionError:
        return Refused(400, f"query nested too deeply to be checked (at most {MAX_NESTING} levels)")
    except Exception as exc:  # rdflib's translation refused it
        return Refused(400, _translation_message("query", exc))


@lru_cache(maxsize=CACHE_SIZE)
def _update(text: str, base: str, prefixes: tuple, allow_federation: bool) -> UpdatePlan | Refused:
    try:
        _same_text(text)
        try:
            tree = parseUpdate(text)
        except ParseBaseException as exc:
            raise Refused(400, errors.from_rdflib(text, "update", exc, dict(prefixes))) from None
        _inspect(tree, "update", allow_federation, base=f"{base}/")
        _declared(tree, prefixes)
        # Oxigraph reads an update's prologue as declarations that hold until redeclared, its base IRI
        # and predeclared prefixes coming first; rdflib's translateUpdate applies ``base`` and
        # ``initNs`` again before each operation, so that after ``BASE <a/> ... ; DROP GRAPH <x>`` or
        # ``PREFIX wkg: <a/> ... ; DROP GRAPH wkg:x`` the two would name different graphs. So both go in
        # as declarations ahead of the update's own, and the translation follows Oxigraph's reading.
        if tree["prologue"]:
            ahead = [CompValue("Base", iri=URIRef(f"{base}/"))]
            ahead += [CompValue("PrefixDecl", prefix=k, iri=URIRef(v)) for k, v in prefixes]
            tree["prologue"][0] = ahead + list(tree["prologue"][0])
        update = translateUpdate(tree)
        return _writes(getattr(update, "algebra", []))  # a list when there is no operation
    except Refused as exc:
        return exc
    except RecursionError:
        return Refused(400, f"update nested too deeply to be checked (at most {MAX_NESTING} levels)")
    except Exception as exc:
        return Refused(400, _translation_message("update", exc))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _declared(tree, prefixes: tuple) -> None:
    """Refuse a prefixed name whose prefix neither the service nor the text declares."""
    unknown = errors.undeclared_prefixes(tree, (p for p, _ in prefixes))
    if unknown:
        raise Refused(400, errors.unknown_prefix(unknown[0]))


def _translation_message(kind: str, exc: Exception) -> str:
    """rdflib's translation refused the text: its own message, or the plain one for an unknown prefix
    (a prefix used in an update before the operation that declares it)."""
    found = re.fullmatch(r"Unknown namespace prefix : (\S*)", str(exc).strip())
    if found:
        return errors.unknown_prefix(found.group(1))
    return f"malformed {kind}: {_one_line(exc)}"


def _same_text(text: str) -> None:
    """Refuse ``\\u`` escapes outside strings and IRIs: SPARQL decodes them before parsing, Oxigraph does not."""
    if expandUnicodeEscapes(text) != text:
        raise Refused(
            400,
            "\\u and \\U escapes are not accepted (the SPARQL parsers differ on where they apply): "
            "write the characters themselves",
        )


def _children(node) -> Iterable:
    if isinstance(node, CompValue):
        return dict.values(node)
    if isinstance(node, dict):
        return node.values()
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return node
    return ()


def _inspect(tree, kind: str, allow_federation: bool, base: str | None) -> None:
    """Walk the whole parse tree once (iteratively): SERVICE, LOAD, escapes in prefixed names, BASE,
    relative IRIs and depth."""
    bases: list[str] = []
    relative: list[str] = []
    stack: list[tuple[Any, int, str | None]] = [(tree, 0, None)]
    while stack:
        node, depth, parent = stack.pop()
        if depth > MAX_NESTING:
            raise Refused(
                400,
                f"{kind} nested too deeply (its parse is more than {MAX_NESTING} levels deep: "
                "brackets, subqueries, expressions, and each operand of a chain of operators)",
            )
        if isinstance(node, CompValue):
            name = node.name
            if name == "ServiceGraphPattern" and not allow_federation:
                raise Refused(400, "SERVICE (federated query) is disabled on this endpoint")
            if name == "Load":
                raise Refused(400, "LOAD is not allowed in updates on this service (it reads files or other hosts)")
            if name == "pname" and "\\" in (dict.get(node, "localname") or ""):
                raise Refused(
                    400,
                    "escapes in prefixed names (such as ex:a\\-b) are not accepted (the SPARQL parsers "
                    "read them differently): write the IRI in full, <...>",
                )
            if name == "Base":
                bases.append(str(dict.get(node, "iri")))
            for key, value in dict.items(node):
                if key == "service_string":
                    continue
                if isinstance(value, (list, tuple)) or type(value).__name__ == "ParseResults":
                    chain = name not in _FLAT
                    for i, child in enumerate(value):
                        stack.append((child, depth + 1 + (i if chain else 0), name))
                else:
                    stack.append((value, depth + 1, name))
            continue
        if isinstance(node, URIRef):
            if not _SCHEME.match(node):
                relative.append(str(node))
            continue
        if isinstance(node, str):
            continue
        flat = parent in _FLAT
        for i, child in enumerate(_children(node)):
            stack.append((child, depth + (0 if flat else i), parent))
    _check_bases(bases, relative, base, kind)


def _check_bases(bases: list[str], relative: list[str], base: str | None, kind: str) -> None:
    """Resolve each relative IRI as rdflib does and as Oxigraph does; refuse where they differ."""
    if len(set(bases)) > 1:
        raise Refused(400, f"declare BASE at most once in a {kind}")
    if bases:
        if not _SCHEME.match(bases[0]):
            raise Refused(400, f"BASE must be an absolute IRI (got <{bases[0]}>)")
        base = bases[0]
    if base is None:
        return  # Oxigraph refuses relative IRIs without a base
    for iri in set(relative) - set(bases):
        ours = str(URIRef(iri, base=base)) if ":" not in iri else iri  # as rdflib's Prologue.absolutize
        try:
            theirs = next(
                iter(ox.parse(f"<{iri}> <urn:x:p> <urn:x:o> .".encode(), format=ox.RdfFormat.TURTLE, base_iri=base))
            ).subject.value
        except (SyntaxError, ValueError, StopIteration):
            theirs = None
        if ours != theirs:
            raise Refused(
                400, f"the relative IRI <{iri}> is not resolved the same way by the SPARQL parsers: write it in full"
            )


# -- the graphs an update writes ---------------------------------------------------------------------


def _graph(term) -> tuple[set[str], bool, bool]:
    """The graphs a graph reference names: (IRIs or DEFAULT, a variable, ALL/NAMED)."""
    if isinstance(term, Variable):
        return set(), True, False
    if term is None or term == "DEFAULT":
        return {DEFAULT}, False, False
    if term in ("ALL", "NAMED"):
        return set(), False, True
    return {str(term)}, False, False


def _quads_graphs(clause, default: str | None) -> tuple[set[str], bool]:
    """The graphs written by a template (``quads`` by graph, ``triples`` into ``default``)."""
    graphs: set[str] = set()
    variable = False
    if clause is None:
        return graphs, variable
    if dict.get(clause, "triples"):
        graphs.add(default or DEFAULT)
    for term, triples in (dict.get(clause, "quads") or {}).items():
        if not triples:
            continue
        names, var, _ = _graph(term)
        graphs |= names
        variable = variable or var
    return graphs, variable


def _writes(operations) -> UpdatePlan:
    graphs: set[str] = set()
    using: set[str] = set()
    any_graph = all_graphs = False
    for op in operations:
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            g, var = _quads_graphs(op, None)
            graphs |= g
            any_graph = any_graph or var
        elif name == "Modify":
            with_graph = dict.get(op, "withClause")
            for clause in dict.get(op, "using") or []:
                using |= {str(v) for k, v in dict.items(clause) if k in ("default", "named") and v is not None}
            default = str(with_graph) if with_graph is not None else None
            for clause in (dict.get(op, "delete"), dict.get(op, "insert")):
                g, var = _quads_graphs(clause, default)
                graphs |= g
                any_graph = any_graph or var
        elif name in ("Clear", "Drop", "Create"):
            g, var, every = _graph(dict.get(op, "graphiri"))
            graphs |= g
            any_graph, all_graphs = any_graph or var, all_graphs or every
        elif name in ("Add", "Copy", "Move"):
            source, target = dict.__getitem__(op, "graph")
            g, var, every = _graph(target)
            graphs |= g
            if name == "Move":  # MOVE empties its source
                s, _, _ = _graph(source)
                graphs |= s
            any_graph, all_graphs = any_graph or var, all_graphs or every
        elif name == "Load":
            raise Refused(400, "LOAD is not allowed in updates on this service (it reads files or other hosts)")
        else:  # an operation this check does not know: refuse rather than guess
            raise Refused(400, f"the update operation {name} is not supported by this service's check")
    return UpdatePlan(frozenset(graphs), any_graph, all_graphs, frozenset(using))
