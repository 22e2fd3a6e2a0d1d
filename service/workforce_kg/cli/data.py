"""Commands on the data: build, reason, stats, provenance, segments, dump, restore, validate, lint."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workforce_kg.cli.common import (
    StoreOpt,
    fail,
    one_line,
    open_kg,
    print_table,
    settings,
)
from workforce_kg.store import local as stores
from workforce_kg.store import remote


def build(
    store: StoreOpt = None,
    base_iri: Annotated[str | None, typer.Option("--base-iri", help="Base IRI to serve the graph under.")] = None,
    graph_dir: Annotated[
        Path | None, typer.Option("--graph-dir", help="Build from this copy of graph/ instead of the bundled one.")
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
    try:
        stores.build(cfg.store, files, cfg.base_iri)
    except (stores.StoreError, OSError) as exc:  # not our store, or a location we cannot write
        fail(one_line(exc))
    docs.write_ontology_html(cfg.store)
    kg = stores.open_store(cfg.store)
    typer.echo(f"built {cfg.store}: {len(kg)} quads, base {cfg.base_iri}")


def reason(
    extra: Annotated[
        list[Path] | None, typer.Argument(help="Extra Turtle files to reason over with the graph.")
    ] = None,
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
    typer.echo(
        f"consistent (HermiT); {len(report.inferred_types)} inferred type(s); "
        f"{report.dropped_literals} literal(s) outside the OWL 2 datatype map not sent to the reasoner"
    )
    for ind, cls in report.inferred_types:
        typer.echo(f"  {ind}  a  {cls}")


def stats(
    store: StoreOpt = None,
    sources: Annotated[Path | None, typer.Option("--sources", help="Folder of source texts (quote check).")] = None,
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
                return f"{names[ns]}:{iri[len(ns) :]}"
        return iri

    print_table(["class", "instances"], [[short(r["class"]), str(r["n"])] for r in rows], numeric={"instances"})
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


def provenance_cmd(
    sources: Annotated[Path | None, typer.Option("--sources", help="Folder of source texts.")] = None,
    graph_dir: Annotated[Path | None, typer.Option("--graph-dir", help="Check this copy of graph/.")] = None,
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


def segments(
    document: Annotated[
        str,
        typer.Argument(help="A file (txt, md, html, pdf), or the file-name prefix of a bundled source, e.g. 001."),
    ],
    sources: Annotated[Path | None, typer.Option("--sources", help="Folder of source texts.")] = None,
    locator_scheme: Annotated[
        str,
        typer.Option(
            "--locator-scheme", help="auto, or one of: numbered-paragraph, heading-paragraph, sentence, minutes."
        ),
    ] = "auto",
) -> None:
    """Print a document's locators and the text of each segment (for curators).

    A bundled source is cut by the scheme ``documents.ttl`` gives it; any other file by
    ``--locator-scheme`` (``auto`` detects it from the layout, as ingest does).
    """
    from workforce_kg.provenance import citations as provenance
    from workforce_kg.provenance import sources as src

    path = Path(document)
    if path.is_file():
        try:
            text = src.read_source(path)
        except OSError as exc:
            fail(str(exc))
        scheme = src.detect_scheme(text) if locator_scheme == "auto" else locator_scheme
        if scheme not in src.SCHEMES:
            raise typer.BadParameter(
                f"unknown scheme {scheme!r}; choose auto or {', '.join(src.SCHEMES)}", param_hint="--locator-scheme"
            )
        headings = src.detect_headings(text) if scheme == "heading-paragraph" else []
        typer.echo(f"# scheme: {scheme}", err=True)
        segs = src.segments(text, scheme, set(headings))
    else:
        folder = src.sources_dir(sources or settings().sources)
        docs = provenance.documents(stores.rdflib_graph())
        matches = [d for d in docs.values() if d.file_name.startswith(document)] if document else []
        if not matches:
            fail(f"no file {document!r} and no source document whose file name starts with it")
        try:
            segs = provenance.load_segments(matches[0], folder)
        except OSError as exc:
            fail(f"cannot read {folder / matches[0].file_name}: {exc.strerror or exc}")
    for locator, text in segs.items():
        typer.echo(f"[{locator}] {text}\n")


def dump_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[stores.DumpFormat, typer.Option("--format", "-f", help="Dump format.")] = stores.DumpFormat.nquads,
    store: StoreOpt = None,
) -> None:
    """Write the whole dataset, with its named graphs, as N-Quads or TriG."""
    kg = open_kg(store)
    try:
        with open(output, "wb") as fh:
            stores.dump(kg.store, fh, fmt)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {len(kg)} quads to {output}")


def restore(
    source: Annotated[Path, typer.Argument(help="An N-Quads or TriG dump.")],
    fmt: Annotated[stores.DumpFormat, typer.Option("--format", "-f", help="Dump format.")] = stores.DumpFormat.nquads,
    store: StoreOpt = None,
) -> None:
    """Restore a dump into an empty store location (atomically)."""
    if not source.is_file():
        fail(f"cannot read {source}")
    cfg = settings(store=store)
    try:
        stores.restore(cfg.store, source, fmt)
    except (stores.StoreError, remote.RemoteError, OSError) as exc:
        fail(one_line(exc))
    if remote.is_remote(cfg.store):
        typer.echo(f"restored {source} into {remote.display(cfg.store)}")
        return
    typer.echo(f"restored {len(stores.open_store(cfg.store))} quads into {cfg.store}")


class ReportFormat(StrEnum):
    """How ``validate`` prints the SHACL report."""

    text = "text"
    json = "json"
    turtle = "turtle"


def validate(
    files: Annotated[list[Path] | None, typer.Argument(help="Extra Turtle files to validate with the graph.")] = None,
    graph_dir: Annotated[Path | None, typer.Option("--graph-dir", help="Validate this copy of graph/.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.text,
) -> None:
    """Validate the graph (plus FILES) against the SHACL shapes; exit 1 when there are violations."""
    from workforce_kg.validation import report as validation

    chosen = stores.bundled_files(graph_dir=graph_dir) if graph_dir else stores.bundled_files()
    for p in files or []:
        if not Path(p).is_file():
            fail(f"cannot read {p}")
        chosen.append(stores.SourceFile(Path(p), f"extra/{Path(p).stem}"))
    try:
        report = validation.validate_files(chosen)
    except stores.StoreError as exc:
        fail(one_line(exc))
    if fmt is ReportFormat.json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    elif fmt is ReportFormat.turtle:
        typer.echo(report.graph.serialize(format="turtle"))
    else:
        typer.echo(report.as_text())
    if not report.conforms:
        raise typer.Exit(1)


class LintFormat(StrEnum):
    """How ``lint`` prints its findings."""

    text = "text"
    json = "json"


def lint_cmd(
    graph_dir: Annotated[Path | None, typer.Option("--graph-dir", help="Lint this copy of graph/.")] = None,
    fmt: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = LintFormat.text,
) -> None:
    """Find likely curation errors (duplicates, attribution, units, relative dates, numbers only in
    descriptions); exit 1 when a finding is not acknowledged (owl:differentFrom or lint-ignore.toml)."""
    from workforce_kg.analysis import lint

    if graph_dir is not None and not graph_dir.is_dir():
        raise typer.BadParameter(f"not a folder: {graph_dir}", param_hint="--graph-dir")
    try:
        linter = lint.Linter(graph_dir)
        report = linter.run()
    except lint.LintError as exc:
        fail(one_line(exc))
    if fmt is LintFormat.json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        typer.echo(report.as_text(linter.short))
    if report.failing:
        raise typer.Exit(1)
