"""The ``workforce-kg`` command line.

Exit codes: 0 success; 1 a problem with the input or the data (unreadable file, bad SPARQL,
violations, inconsistency), reported in one line; 2 wrong arguments (usage message).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated, Optional

import pyoxigraph as ox
import typer

from workforce_kg import __version__
from workforce_kg.store import remote
from workforce_kg.store import local as stores
from workforce_kg.config import Settings

app = typer.Typer(
    name="workforce-kg",
    help="Knowledge graph of UK health and social care workforce commitments: build, query, check, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", help="Store folder, or remote:<SPARQL endpoint URL> (default: WORKFORCE_KG_STORE)."),
]


def fail(message: str) -> None:
    """Report a user-facing error as one line on stderr and exit with code 1."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"workforce-kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Knowledge graph of UK health and social care workforce commitments."""


def settings(**overrides) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        fail(str(exc))


# -- build -------------------------------------------------------------------------------------------


@app.command()
def build(
    store: StoreOpt = None,
    base_iri: Annotated[Optional[str], typer.Option("--base-iri", help="Base IRI to serve the graph under.")] = None,
    graph_dir: Annotated[
        Optional[Path], typer.Option("--graph-dir", help="Build from this copy of graph/ instead of the bundled one.")
    ] = None,
) -> None:
    """Build the on-disk store from the bundled ontology and graph (and the ontology's HTML docs)."""
    from workforce_kg import docs
    from workforce_kg.validation import report as validation

    cfg = settings(store=store, base_iri=base_iri)
    files = stores.bundled_files(graph_dir=graph_dir) if graph_dir else stores.bundled_files()
    report = validation.validate_files(files)
    if not report.conforms:
        fail(f"the graph has {report.violations} SHACL violation(s); run `workforce-kg validate` to see them")
    if remote.is_remote(cfg.store):
        try:
            stores.build(cfg.store, files, cfg.base_iri)
            count = len(remote.RemoteStore.open(cfg.store, cfg.query_timeout, cfg.base_iri))
        except (stores.StoreError, remote.RemoteError, ValueError) as exc:
            fail(one_line(exc))
        typer.echo(f"built {remote.display(cfg.store)}: {count} quads, base {cfg.base_iri}")
        return
    stores.build(cfg.store, files, cfg.base_iri)
    docs.write_ontology_html(cfg.store)
    kg = stores.open_store(cfg.store)
    typer.echo(f"built {cfg.store}: {len(kg)} quads, base {cfg.base_iri}")


# -- query -------------------------------------------------------------------------------------------


def _read_query(text: str) -> str:
    if text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and Path(text).suffix and not text.lstrip().upper().startswith(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE"))):
        path = Path(text)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read query file {path}: {exc.strerror or exc}")
    return text


def open_kg(store: Path | None):
    """The store at ``store`` (or the configured one) if built, else the bundled graph in memory."""
    from workforce_kg.store.kg import KnowledgeGraph

    cfg = settings(store=store)
    if remote.is_remote(cfg.store):
        try:
            return KnowledgeGraph.load(cfg.store, cfg.query_timeout)
        except (remote.RemoteError, ValueError) as exc:
            fail(one_line(exc))
    if stores.is_store(cfg.store):
        return KnowledgeGraph.load(cfg.store)
    if store is not None:
        fail(f"{store} is not a built store (run `workforce-kg build --store {store}`)")
    return KnowledgeGraph.load()


def render_table(names: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def term_text(term) -> str:
    if term is None:
        return ""
    return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv (CONSTRUCT: turtle).")] = "table",
    store: StoreOpt = None,
) -> None:
    """Run a SPARQL query against the store (or the bundled graph when no store is built)."""
    if fmt not in ("table", "json", "csv", "turtle"):
        raise typer.BadParameter(f"unknown format {fmt!r}; choose table, json, csv or turtle", param_hint="--format")
    text = _read_query(sparql)
    kg = open_kg(store)
    try:
        result = kg.query(text)
    except SyntaxError as exc:
        fail(f"bad SPARQL: {one_line(exc)}")
    except OSError as exc:
        fail(f"query failed: {one_line(exc)}")
    if isinstance(result, ox.QueryBoolean):
        typer.echo(json.dumps({"boolean": bool(result)}) if fmt == "json" else str(bool(result)).lower())
        return
    if isinstance(result, ox.QueryTriples):
        typer.echo(ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=kg.prefixes).decode("utf-8"))
        return
    if fmt == "json":
        typer.echo(result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8"))
        return
    names = [v.value for v in result.variables]
    rows = [[term_text(sol[n]) for n in names] for sol in result]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        typer.echo(buf.getvalue(), nl=False)
    else:
        typer.echo(render_table(names, rows))
        typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


# -- reason ------------------------------------------------------------------------------------------


@app.command()
def reason(
    extra: Annotated[Optional[list[Path]], typer.Argument(help="Extra Turtle files to reason over with the graph.")] = None,
) -> None:
    """Check OWL 2 DL consistency with HermiT and list the types it infers."""
    from workforce_kg import reasoning

    files = stores.bundled_files() + [stores.SourceFile(Path(p), f"extra/{Path(p).stem}") for p in extra or []]
    for f in files:
        if not f.path.is_file():
            fail(f"cannot read {f.path}")
    try:
        graph = stores.rdflib_graph(files)
        report = reasoning.reason(graph)
    except (stores.StoreError, reasoning.ReasonerUnavailable) as exc:
        fail(one_line(exc))
    if not report.consistent:
        fail(f"inconsistent: the ontology and graph have no model ({report.explanation})")
    typer.echo(f"consistent (HermiT); {len(report.inferred_types)} inferred type(s); "
               f"{report.dropped_literals} literal(s) outside the OWL 2 datatype map not sent to the reasoner")
    for ind, cls in report.inferred_types:
        typer.echo(f"  {ind}  a  {cls}")


# -- stats and provenance ----------------------------------------------------------------------------


@app.command()
def stats(
    store: StoreOpt = None,
    sources: Annotated[Optional[Path], typer.Option("--sources", help="Folder of source texts (quote check).")] = None,
) -> None:
    """Counts per class, and the share of fact nodes whose quotes are verified against the sources."""
    from workforce_kg.provenance import citations as provenance
    from workforce_kg.provenance import sources as src

    kg = open_kg(store)
    rows = kg.rows(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
    )
    names = {v: k for k, v in kg.prefixes.items()}

    def short(iri: str) -> str:
        for ns in sorted(names, key=len, reverse=True):
            if iri.startswith(ns):
                return f"{names[ns]}:{iri[len(ns):]}"
        return iri

    typer.echo(render_table(["class", "instances"], [[short(r["class"]), str(r["n"])] for r in rows]))
    typer.echo(f"triples: {len(kg)}")
    folder = src.sources_dir(sources or settings().sources)
    if not folder.is_dir():
        typer.echo(f"provenance: source texts not found at {folder} (set WORKFORCE_KG_SOURCES); quotes not verified")
        return
    graph = stores.rdflib_graph()
    verified, total, problems = provenance.verified_share(graph, folder)
    share = 100.0 * verified / total if total else 100.0
    typer.echo(f"provenance: {verified}/{total} fact nodes with a verified quote ({share:.1f}%)")
    if problems:
        typer.echo(f"  {len(problems)} citation problem(s); run `workforce-kg provenance` for details")


@app.command("provenance")
def provenance_cmd(
    sources: Annotated[Optional[Path], typer.Option("--sources", help="Folder of source texts.")] = None,
    graph_dir: Annotated[Optional[Path], typer.Option("--graph-dir", help="Check this copy of graph/.")] = None,
) -> None:
    """Check every citation: its quote lies inside the segment its locator names; every fact is cited."""
    from workforce_kg.provenance import citations as provenance
    from workforce_kg.provenance import sources as src

    folder = src.sources_dir(sources or settings().sources)
    if not folder.is_dir():
        fail(f"source texts not found at {folder} (use --sources or WORKFORCE_KG_SOURCES)")
    try:
        graph = stores.rdflib_graph(stores.bundled_files(graph_dir=graph_dir) if graph_dir else None)
    except stores.StoreError as exc:
        fail(one_line(exc))
    count, problems = provenance.check_citations(graph, folder)
    for p in problems:
        typer.echo(f"{p.subject} | {p.locator!r} | {p.quote[:70]!r}: {p.problem}")
    typer.echo(f"{count} citations checked, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(1)


@app.command()
def segments(
    document: Annotated[str, typer.Argument(help="File-name prefix of a source document, e.g. 001.")],
    sources: Annotated[Optional[Path], typer.Option("--sources", help="Folder of source texts.")] = None,
) -> None:
    """Print a source document's locators and the text of each segment (for curators)."""
    from workforce_kg.provenance import citations as provenance
    from workforce_kg.provenance import sources as src

    folder = src.sources_dir(sources or settings().sources)
    docs = provenance.documents(stores.rdflib_graph())
    matches = [d for d in docs.values() if d.file_name.startswith(document)]
    if not matches:
        fail(f"no source document whose file name starts with {document!r}")
    try:
        segs = provenance.load_segments(matches[0], folder)
    except OSError as exc:
        fail(f"cannot read {folder / matches[0].file_name}: {exc.strerror or exc}")
    for locator, text in segs.items():
        typer.echo(f"[{locator}] {text}\n")


@app.command()
def cq(
    update: Annotated[bool, typer.Option("--update", help="Record current answers as expected (review the diff!).")] = False,
    store: StoreOpt = None,
) -> None:
    """Run the competency questions and compare each answer with the expected one beside it."""
    from workforce_kg import cq as queries

    kg = open_kg(store)
    failed = []
    for q in queries.load():
        try:
            if update:
                queries.write_expected(kg, q)
                ok = True
            else:
                ok = q.expected_path.exists() and queries.matches(kg, q)
        except (SyntaxError, ValueError) as exc:
            fail(f"{q.name}: {one_line(exc)}")
        typer.echo(f"{'ok  ' if ok else 'FAIL'} {q.name}: {q.question}")
        if not ok:
            failed.append(q.name)
    if failed:
        fail(f"{len(failed)} competency question(s) do not match: {', '.join(failed)}")


@app.command("dump")
def dump_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="nquads or trig.")] = "nquads",
    store: StoreOpt = None,
) -> None:
    """Write the whole dataset, with its named graphs, as N-Quads or TriG."""
    if fmt not in stores.DUMP_FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose nquads or trig", param_hint="--format")
    kg = open_kg(store)
    try:
        with open(output, "wb") as fh:
            stores.dump(kg.store, fh, fmt)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {len(kg)} quads to {output}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="An N-Quads or TriG dump.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="nquads or trig.")] = "nquads",
    store: StoreOpt = None,
) -> None:
    """Restore a dump into an empty store location (atomically)."""
    if fmt not in stores.DUMP_FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose nquads or trig", param_hint="--format")
    if not source.is_file():
        fail(f"cannot read {source}")
    cfg = settings(store=store)
    try:
        stores.restore(cfg.store, source, fmt)
    except (stores.StoreError, remote.RemoteError) as exc:
        fail(one_line(exc))
    if remote.is_remote(cfg.store):
        typer.echo(f"restored {source} into {remote.display(cfg.store)}")
        return
    typer.echo(f"restored {len(stores.open_store(cfg.store))} quads into {cfg.store}")


# -- validate ----------------------------------------------------------------------------------------


@app.command()
def validate(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Extra Turtle files to validate with the graph.")] = None,
    graph_dir: Annotated[Optional[Path], typer.Option("--graph-dir", help="Validate this copy of graph/.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or turtle.")] = "text",
) -> None:
    """Validate the graph (plus FILES) against the SHACL shapes; exit 1 when there are violations."""
    from workforce_kg.validation import report as validation

    if fmt not in ("text", "json", "turtle"):
        raise typer.BadParameter(f"unknown format {fmt!r}; choose text, json or turtle", param_hint="--format")
    chosen = stores.bundled_files(graph_dir=graph_dir) if graph_dir else stores.bundled_files()
    for p in files or []:
        if not Path(p).is_file():
            fail(f"cannot read {p}")
        chosen.append(stores.SourceFile(Path(p), f"extra/{Path(p).stem}"))
    try:
        report = validation.validate_files(chosen)
    except stores.StoreError as exc:
        fail(one_line(exc))
    if fmt == "json":
        typer.echo(json.dumps(report.as_json(), indent=2))
    elif fmt == "turtle":
        typer.echo(report.graph.serialize(format="turtle"))
    else:
        typer.echo(report.as_text())
    if not report.conforms:
        raise typer.Exit(1)


@app.command("lint")
def lint_cmd(
    graph_dir: Annotated[Optional[Path], typer.Option("--graph-dir", help="Lint this copy of graph/.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Find likely curation errors (duplicates, attribution, units, relative dates, numbers only in
    descriptions); exit 1 when a finding is not acknowledged (owl:differentFrom or lint-ignore.toml)."""
    from workforce_kg.analysis import lint

    if fmt not in ("text", "json"):
        raise typer.BadParameter(f"unknown format {fmt!r}; choose text or json", param_hint="--format")
    if graph_dir is not None and not graph_dir.is_dir():
        raise typer.BadParameter(f"not a folder: {graph_dir}", param_hint="--graph-dir")
    try:
        linter = lint.Linter(graph_dir)
        report = linter.run()
    except lint.LintError as exc:
        fail(one_line(exc))
    if fmt == "json":
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        typer.echo(report.as_text(linter.short))
    if report.failing:
        raise typer.Exit(1)


# -- serve -------------------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option("--host", help="Interface to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port to listen on.")] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the SPARQL endpoint, API and pages; builds the store first when its location is empty."""
    import uvicorn

    from workforce_kg import docs
    from workforce_kg.web.app import create_app

    cfg = settings(host=host, port=port, store=store)
    if remote.is_remote(cfg.store):  # queries go to the remote server, which applies its own time limit
        try:
            remote.RemoteStore.open(cfg.store, cfg.query_timeout)
        except (remote.RemoteError, ValueError) as exc:
            fail(one_line(exc))
    elif stores.is_empty_location(cfg.store):
        typer.echo(f"store {cfg.store} is empty: building it")
        stores.build(cfg.store, base=cfg.base_iri)
        docs.write_ontology_html(cfg.store)
    elif not stores.is_store(cfg.store):
        fail(f"{cfg.store} is neither empty nor a workforce-kg store")
    uvicorn.run(create_app(cfg), host=cfg.host, port=cfg.port, log_level="info", log_config=log_config(),
                access_log=False)


def log_config() -> dict:
    """uvicorn's logging set-up, with the service's request log (one JSON object a line, with the request
    id; see :func:`workforce_kg.web.app.create_app`) on standard output in place of uvicorn's access log."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    config["handlers"]["requests"] = {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"}
    config["loggers"]["workforce_kg.access"] = {"handlers": ["requests"], "level": "INFO", "propagate": False}
    return config


# -- export and analyse ------------------------------------------------------------------------------

ListOpt = Optional[list[str]]


def _bad_filter(exc) -> typer.BadParameter:
    return typer.BadParameter(exc.message, param_hint=f"--{exc.field}")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="graphml, gexf, cytoscape, dot, csv, jsonld or matrix-csv.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: standard output).")] = None,
    focus: Annotated[Optional[str], typer.Option("--focus", help="Centre entity: IRI, body:nhse, body/nhse or a unique slug.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=0, max=6, help="Hops from the focus.")] = 1,
    types: Annotated[ListOpt, typer.Option("--types", help="Node types to keep (repeat or comma-separate).")] = None,
    jurisdiction: Annotated[Optional[str], typer.Option("--jurisdiction", help="Jurisdiction slug, e.g. scotland.")] = None,
    roles: Annotated[ListOpt, typer.Option("--roles", help="Responsibility roles to keep (repeat or comma-separate).")] = None,
    store: StoreOpt = None,
) -> None:
    """Export the accountability network (or a focused subgraph) for Gephi, yEd, Cytoscape, Graphviz, R or spreadsheets."""
    from workforce_kg.analysis import export as exports
    from workforce_kg.analysis.accountability import InvalidFilter

    if fmt not in exports.FORMATS:
        raise typer.BadParameter(f"unknown format {fmt!r}; choose {', '.join(exports.FORMATS)}", param_hint="--format")
    kg = open_kg(store)
    try:
        out = exports.export(kg, fmt, focus=focus, depth=depth, types=types, jurisdiction=jurisdiction, roles=roles)
    except InvalidFilter as exc:
        raise _bad_filter(exc) from None
    if output is None:
        typer.echo(out.content, nl=False)
        return
    try:
        output.write_bytes(out.content)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output} ({fmt}, {len(out.content)} bytes)", err=True)


analyse_app = typer.Typer(help="Analyse the accountability network: centrality, components, shortest paths.",
                          no_args_is_help=True)
app.add_typer(analyse_app, name="analyse")
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"unknown format {fmt!r}; choose table or json", param_hint="--format")


@analyse_app.command("centrality")
def analyse_centrality(
    types: Annotated[ListOpt, typer.Option("--types", help="Node types to rank (default body).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 20,
    fmt: FormatOpt = "table",
    store: StoreOpt = None,
) -> None:
    """Degree and betweenness centrality of bodies (or other node types), most central first."""
    from workforce_kg.analysis import network
    from workforce_kg.analysis.accountability import InvalidFilter

    _check_format(fmt)
    try:
        result = network.centrality(open_kg(store), types, limit)
    except InvalidFilter as exc:
        raise _bad_filter(exc) from None
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    rows = [[r["id"], r["type"], str(r["degree"]), f"{r['betweenness']:.4f}", r["label"]] for r in result["items"]]
    typer.echo(render_table(["id", "type", "degree", "betweenness", "label"], rows))


@analyse_app.command("components")
def analyse_components(
    members: Annotated[int, typer.Option("--members", min=0, help="Members listed per component (json).")] = 10,
    fmt: FormatOpt = "table",
    store: StoreOpt = None,
) -> None:
    """Connected components of the network, largest first."""
    from workforce_kg.analysis import network

    _check_format(fmt)
    result = network.components(open_kg(store), members)
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    rows = [[str(c["component"]), str(c["size"]), ", ".join(f"{t} {n}" for t, n in c["types"].items())]
            for c in result["components"]]
    typer.echo(render_table(["component", "size", "types"], rows))
    typer.echo(f"({result['count']} components, {result['nodes']} nodes)")


@analyse_app.command("path")
def analyse_path(
    source: Annotated[str, typer.Argument(help="From: IRI, body:hee, body/hee or a unique slug.")],
    target: Annotated[str, typer.Argument(help="To: IRI, cmt:nurses-50k, … or a unique slug.")],
    fmt: FormatOpt = "table",
    store: StoreOpt = None,
) -> None:
    """The shortest path between two entities, ignoring edge direction."""
    from workforce_kg.analysis import network
    from workforce_kg.analysis.accountability import InvalidFilter, NotFound

    _check_format(fmt)
    try:
        result = network.shortest_path(open_kg(store), source, target)
    except NotFound as exc:
        fail(str(exc))
    except InvalidFilter as exc:
        raise typer.BadParameter(exc.message, param_hint=exc.field.upper()) from None
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if not result["found"]:
        fail(f"no path between {result['from']['id']} and {result['to']['id']}")
    if fmt == "table":
        line = result["nodes"][0]["id"]
        for edge, node in zip(result["edges"], result["nodes"][1:]):
            arrow = f" -[{edge['relation']}]-> " if edge["direction"] == "forward" else f" <-[{edge['relation']}]- "
            line += arrow + node["id"]
        typer.echo(line)
        typer.echo(f"({result['length']} hop{'s' if result['length'] != 1 else ''})")
