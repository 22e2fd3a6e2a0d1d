"""The RDF store: Oxigraph, in memory (tests) or on disk (the service), built from the bundled Turtle.

Each Turtle file is loaded into its own named graph (``{base}/graph/{folder}/{stem}``); triples
derived by the rules in :mod:`workforce_kg.store.rules` go to ``{base}/graph/derived``. Queries see the
union of all graphs as their default graph.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.paths import GRAPH_DIR, ONTOLOGY_DIR, turtle_files
from workforce_kg.store import remote, rules, search
from workforce_kg.vocab import DEFAULT_BASE_IRI

MARKER = "workforce-kg-store"  # file name marking a folder as one of our stores
FIRST = "oxigraph"  # the data folder a build makes
CURRENT = "CURRENT"  # names the data folder in use, once a write has made a new one
GENERATION = "gen-{:06d}"


class StoreError(RuntimeError):
    """A store cannot be built or opened."""


@dataclass(frozen=True)
class SourceFile:
    """A Turtle file and the named graph it goes to."""

    path: Path
    graph_name: str  # e.g. "graph/001-part-a"


def bundled_files(ontology_dir: Path = ONTOLOGY_DIR, graph_dir: Path = GRAPH_DIR) -> list[SourceFile]:
    """The ontology and graph Turtle files that make up the knowledge graph."""
    files = []
    for folder, prefix in ((Path(ontology_dir), "ontology"), (Path(graph_dir), "graph")):
        for path in turtle_files(folder):
            rel = path.relative_to(folder).with_suffix("").as_posix()
            files.append(SourceFile(path, f"{prefix}/{rel}"))
    return files


def graph_iri(base: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}/graph/{name}")


#: The graphs the service keeps, which no write may change, by name under ``{base}/graph/`` (a name
#: ending in ``/`` keeps every graph under it, those added later too): the ontology (rebuilt from its
#: Turtle), the derived triples (:mod:`workforce_kg.store.rules`) and the audit of writes. The writes' checks
#: (:func:`workforce_kg.writes.change`, :mod:`workforce_kg.sparql.safety`) all ask :func:`is_kept`.
KEPT_GRAPHS = ("derived", "audit", "ontology/")


def is_kept(graph: str, base: str) -> bool:
    """Whether the graph IRI ``graph`` is one the service keeps (:data:`KEPT_GRAPHS`)."""
    root = f"{base}/graph/"
    if not graph.startswith(root):
        return False
    name = graph[len(root) :]
    return any(name.startswith(k) if k.endswith("/") else name == k for k in KEPT_GRAPHS)


def rebase(term, base: str):
    """Move an IRI of the default base to ``base``; other terms pass through."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(DEFAULT_BASE_IRI):
        return ox.NamedNode(base + term.value[len(DEFAULT_BASE_IRI) :])
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(DEFAULT_BASE_IRI):
        return ox.Literal(term.value, datatype=rebase(term.datatype, base))
    return term


def is_new(store: ox.Store, triple) -> bool:
    """Whether no graph of ``store`` holds ``triple`` yet.

    Oxigraph's union default graph does not merge equal triples of different graphs, so each
    triple is stored once only (in the first file that states it) to keep answers free of duplicates.
    """
    return next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None), None) is None


def load_files(store: ox.Store, files: list[SourceFile], base: str = DEFAULT_BASE_IRI) -> None:
    """Parse each file into its named graph; a syntax error names the file and line."""
    for f in files:
        g = graph_iri(base, f.graph_name)
        try:
            with open(f.path, "rb") as fh:
                triples = list(ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=f"{base}/"))
        except SyntaxError as exc:
            raise StoreError(f"{f.path}: {exc}") from None
        if base != DEFAULT_BASE_IRI:
            triples = [
                ox.Triple(rebase(t.subject, base), rebase(t.predicate, base), rebase(t.object, base)) for t in triples
            ]
        store.extend([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples if is_new(store, t)])


def populate(store: ox.Store, files: list[SourceFile] | None = None, base: str = DEFAULT_BASE_IRI) -> None:
    """Load ``files`` (default: the bundled graph) and add the derived triples."""
    load_files(store, bundled_files() if files is None else files, base)
    rules.apply(store, graph_iri(base, "derived"), base)


def memory_store(files: list[SourceFile] | None = None, base: str = DEFAULT_BASE_IRI) -> ox.Store:
    """An in-memory store holding the bundled graph (or ``files``)."""
    store = ox.Store()
    populate(store, files, base)
    return store


def is_store(path: Path | str) -> bool:
    """Whether ``path`` holds a store built by this package."""
    return (Path(path) / MARKER).exists()


def is_empty_location(path: Path | str) -> bool:
    """Whether ``path`` is missing or an empty folder (where a store may be built)."""
    path = Path(path)
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def build(path: Path | str, files: list[SourceFile] | None = None, base: str = DEFAULT_BASE_IRI) -> Path | str:
    """Build an on-disk store at ``path`` atomically: a failed build leaves any old store intact.

    ``path`` may also be ``remote:<SPARQL endpoint>``: the same quads (named graphs and derived
    triples) then replace our graphs on that server, over SPARQL Update (not atomically).
    """
    if remote.is_remote(path):
        try:
            remote.build(path, memory_store(files, base), base)
        except SyntaxError as exc:  # the remote refused our update as malformed
            raise StoreError(f"the remote SPARQL store refused the data: {exc}") from None
        return path
    path = Path(path)
    if path.exists() and not is_empty_location(path) and not is_store(path):
        raise StoreError(f"{path} exists and is not a workforce-kg store; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=path.parent))
    try:
        store = ox.Store(str(tmp / FIRST))
        populate(store, files, base)
        store.optimize()
        store.flush()
        search.build(store, base, search.index_path(tmp, FIRST))
        del store
        (tmp / MARKER).write_text(base + "\n", encoding="utf-8")
        old = None
        if path.exists():
            old = path.with_name(path.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            path.rename(old)
        tmp.rename(path)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def generation(path: Path) -> str:
    """The name of the data folder in use: ``oxigraph`` after a build, ``gen-NNNNNN`` after writes.

    A write copies the data folder (a RocksDB checkpoint: hard links, no copying of data), changes
    and validates the copy, then publishes it by replacing the ``CURRENT`` file in one rename. A
    crash at any point leaves ``CURRENT`` naming the last published folder.
    """
    try:
        return (Path(path) / CURRENT).read_text(encoding="utf-8").strip() or FIRST
    except FileNotFoundError:
        return FIRST


def data_dir(path: Path) -> Path:
    return Path(path) / generation(path)


def open_store(path: Path | str) -> ox.Store:
    """Open a built store read-only (no re-parse)."""
    path = Path(path)
    if not is_store(path):
        raise StoreError(f"{path} is not a built store (run `workforce-kg build`)")
    return ox.Store.read_only(str(data_dir(path)))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def next_generation(path: Path) -> tuple[str, Path]:
    """The name of the next data folder and an empty temporary location to build it in."""
    current = generation(path)
    number = int(current.split("-")[1]) + 1 if current.startswith("gen-") else 1
    name = GENERATION.format(number)
    tmp = Path(path) / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    return name, tmp


def publish(path: Path, name: str, tmp: Path) -> None:
    """Make the finished folder ``tmp`` the store's data as ``name``: rename, then replace ``CURRENT``."""
    path = Path(path)
    shutil.rmtree(path / name, ignore_errors=True)  # left by a crash before CURRENT named it
    tmp.rename(path / name)
    pointer = path / f".{CURRENT}.tmp"
    with open(pointer, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    pointer.replace(path / CURRENT)
    _fsync_dir(path)


def prune(path: Path, grace: float) -> list[str]:
    """Delete data folders no reader can still use, and leftovers of interrupted writes.

    Each version's search index (:func:`workforce_kg.store.search.index_path`) goes with its folder.
    The folder in use and the one before it are kept; an older folder goes once its successor has
    been published for ``grace`` seconds (a query that opened it has finished by then).
    """
    path = Path(path)
    current = generation(path)
    folders = [p.name for p in path.iterdir() if p.is_dir() and (p.name == FIRST or p.name.startswith("gen-"))]
    order = sorted(folders, key=lambda n: -1 if n == FIRST else int(n.split("-")[1]))
    removed: list[str] = []
    if current not in order:
        return removed
    keep = order.index(current)
    for tmp in path.glob(".gen-*.tmp"):
        shutil.rmtree(tmp, ignore_errors=True)
    for later in order[keep + 1 :]:  # published by a write that crashed before naming it in CURRENT
        shutil.rmtree(path / later, ignore_errors=True)
        removed.append(later)
    now = time.time()
    for old, successor in itertools.pairwise(order[:keep]):
        if now - (path / successor).stat().st_mtime > grace:
            shutil.rmtree(path / old, ignore_errors=True)
            removed.append(old)
    search.prune(path, {n for n in order if n not in removed})  # each version's search index goes with it
    return removed


def store_base(path: Path | str) -> str:
    """The base IRI a store was built with."""
    return (Path(path) / MARKER).read_text(encoding="utf-8").strip()


def rdflib_graph(files: list[SourceFile] | None = None):
    """The ontology and graph (or ``files``) merged into one rdflib Graph, for validation and reasoning."""
    from rdflib import Graph

    g = Graph()
    for f in bundled_files() if files is None else files:
        try:
            g.parse(f.path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise StoreError(f"{f.path}: {exc}") from None
    return g


class DumpFormat(StrEnum):
    """A serialisation of the whole dataset (named graphs included)."""

    nquads = "nquads"
    trig = "trig"


DUMP_FORMATS: dict[str, ox.RdfFormat] = {DumpFormat.nquads: ox.RdfFormat.N_QUADS, DumpFormat.trig: ox.RdfFormat.TRIG}


def dump(store: ox.Store | remote.RemoteStore, output, fmt: str = "nquads") -> None:
    """Write every quad of ``store`` (all named graphs) to the binary file object ``output``."""
    store.dump(output, format=DUMP_FORMATS[fmt])


def _load_dump(store: ox.Store, source: Path, fmt: str) -> str:
    """Load a dump into ``store``; return the base IRI read back from its graph names."""
    try:
        with open(source, "rb") as fh:
            store.load(fh, format=DUMP_FORMATS[fmt])
    except SyntaxError as exc:
        raise StoreError(f"{source}: {exc}") from None
    graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and "/graph/" in g.value]
    return graphs[0].split("/graph/", 1)[0] if graphs else DEFAULT_BASE_IRI


def restore(path: Path | str, source: Path, fmt: str = "nquads") -> Path | str:
    """Build a store at ``path`` from a dump, atomically (as :func:`build`); the location must be empty.

    The base IRI is read back from the dump's graph names (``{base}/graph/...``). A ``remote:`` target
    gets the dump's graphs in place of the ones it holds under that base.
    """
    if remote.is_remote(path):
        store = ox.Store()
        remote.build(path, store, _load_dump(store, source, fmt))
        return path
    path = Path(path)
    if not is_empty_location(path):
        raise StoreError(f"{path} is not empty; restore only into an empty location")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".restore-", dir=path.parent))
    try:
        store = ox.Store(str(tmp / FIRST))
        base = _load_dump(store, source, fmt)
        store.flush()
        search.build(store, base, search.index_path(tmp, FIRST))
        del store
        (tmp / MARKER).write_text(base + "\n", encoding="utf-8")
        if path.exists():
            path.rmdir()
        tmp.rename(path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path
