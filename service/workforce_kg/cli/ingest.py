"""Commands that grow the graph: ingest a document into a cited, linked draft, and review the draft."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from workforce_kg.cli.common import fail, one_line
from workforce_kg.ingest import IngestError
from workforce_kg.ingest import ingest as run_ingest
from workforce_kg.ingest import review as rv
from workforce_kg.paths import GRAPH_DIR
from workforce_kg.store import local as stores
from workforce_kg.validation.report import validate_files


def ingest(
    file: Annotated[Path, typer.Argument(help="The document: .txt, .md, .html or .pdf.")],
    document_id: Annotated[
        str, typer.Option("--document-id", help="Slug of the document (doc:SLUG; prefix of its fact slugs).")
    ],
    title: Annotated[str | None, typer.Option("--title", help="Title (default: the first heading or line).")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Date of the document, YYYY-MM-DD (relative dates are resolved against it)."),
    ] = None,
    publisher: Annotated[
        str | None, typer.Option("--publisher", help="Publishing body: slug (dhsc), IRI or name.")
    ] = None,
    locator_scheme: Annotated[
        str, typer.Option("--locator-scheme", help="auto, numbered-paragraph, heading-paragraph, sentence or minutes.")
    ] = "auto",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Draft Turtle file (default: standard output).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Review report: .md, .json or .html.")] = None,
    graph_dir: Annotated[
        Path | None, typer.Option("--graph-dir", help="Link against this copy of graph/ (default: the bundled graph).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Validate the draft with the graph against the shapes; violations go into the report.",
        ),
    ] = True,
) -> None:
    """Turn a document into a cited, linked draft of the graph, for review with `workforce-kg review`."""
    fmt = None
    if report is not None:
        fmt = {".md": "md", ".markdown": "md", ".json": "json", ".html": "html", ".htm": "html"}.get(
            report.suffix.lower()
        )
        if fmt is None:
            raise typer.BadParameter("the report file must end in .md, .json or .html", param_hint="--report")
    if not file.is_file():
        fail(f"cannot read {file}: no such file")
    if graph_dir is not None and not graph_dir.is_dir():
        fail(f"--graph-dir {graph_dir} is not a folder")
    try:
        graph = stores.rdflib_graph(stores.bundled_files(graph_dir=graph_dir)) if graph_dir else None
        draft = run_ingest(
            file,
            document_id,
            title=title,
            date=date,
            publisher=publisher,
            locator_scheme=locator_scheme,
            graph=graph,
            progress=True,
        )
    except (IngestError, stores.StoreError) as exc:
        fail(one_line(exc))
    ttl = draft.turtle()
    if check and len(draft.candidates) > VALIDATE_LIMIT:
        draft.problems.append(
            f"the draft has {len(draft.candidates)} candidates, more than the {VALIDATE_LIMIT} validated "
            "here; run `workforce-kg validate DRAFT.ttl` (or validate the file review writes)"
        )
    elif check:
        _validate_draft(draft, ttl, graph_dir)
    try:
        if output is None:
            typer.echo(ttl, nl=False)
        else:
            output.write_text(ttl, encoding="utf-8")
        if report is not None:
            report.write_text(draft.report(fmt or "md"), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write: {exc.strerror or exc}")
    counts = ", ".join(f"{n} {k}" for k, n in draft.summary().items()) or "no candidates"
    typer.echo(
        f"{len(draft.candidates)} candidates ({counts}); scheme {draft.document['scheme']}"
        + (f"; {len(draft.problems)} item(s) need a decision (see the report)" if draft.problems else ""),
        err=True,
    )


#: Drafts with more candidates than this are not validated by `ingest` (pySHACL over the graph and a draft of a
#: 100,000-word document takes a minute); the report says so and `validate` checks the draft on demand.
VALIDATE_LIMIT = 3000


def _validate_draft(draft, ttl: str, graph_dir: Path | None) -> None:
    """Validate the draft together with the graph; add each violation to the draft's problems."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.ttl"
        path.write_text(ttl, encoding="utf-8")
        files = stores.bundled_files(graph_dir=graph_dir) if graph_dir else stores.bundled_files()
        try:
            result = validate_files(files + [stores.SourceFile(path, "extra/draft")])
        except stores.StoreError as exc:
            draft.problems.append(f"the draft could not be validated: {one_line(exc)}")
            return
    if not result.conforms:
        for line in result.as_text().splitlines():
            if "Violation" in line:
                draft.problems.append("shapes: " + line.strip())
        typer.echo(
            f"the draft has {result.violations} SHACL violation(s) with the graph; the report lists them", err=True
        )


def review(
    draft_file: Annotated[Path, typer.Argument(help="A draft made by `workforce-kg ingest`.")],
    accept_all: Annotated[
        bool, typer.Option("--accept-all", help="Accept every candidate (then --reject some).")
    ] = False,
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept",
            help="Accept every candidate of this kind (repeatable): body, programme, commitment, funding, figure, "
            "responsibility, rating, evaluation, change.",
        ),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option("--reject", help="Reject this candidate (IRI, prefixed name or slug; repeatable)."),
    ] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option("--min-confidence", min=0.0, max=1.0, help="Reject candidates below this confidence."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the accepted facts (default: graph/NNN-<document>.ttl)."),
    ] = None,
    graph_dir: Annotated[Path | None, typer.Option("--graph-dir", help="The graph/ folder to add the file to.")] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Send the accepted facts to this running service (its base URL) instead of a file."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="Write token for --to (or WORKFORCE_KG_TOKEN).", envvar="WORKFORCE_KG_TOKEN"),
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the candidates and exit.")] = False,
    interactive: Annotated[
        bool,
        typer.Option("--interactive", help="Prompt even when standard input is not a terminal (answers piped in)."),
    ] = False,
) -> None:
    """Accept, edit or reject a draft's candidates; write the accepted facts for a commit or to the service.

    Without --accept-all/--accept/--reject/--min-confidence the review is interactive (one prompt per candidate).
    """
    try:
        g = rv.load(draft_file)
        known = stores.rdflib_graph(stores.bundled_files(graph_dir=graph_dir) if graph_dir else None)
        all_items = rv.items(g, known)
        if list_only:
            for it in all_items:
                typer.echo(f"{it.id}\t{it.kind}\t{'new' if it.new else 'existing'}\t{it.confidence:.2f}\t{it.label}")
            return
        labels: dict = {}
        scripted = accept_all or accept or reject or min_confidence is not None
        if scripted:
            chosen = rv.select(
                all_items, accept_all=accept_all, accept_kinds=accept, reject=reject, min_confidence=min_confidence
            )
        else:
            chosen = _interactive(all_items, labels, force=interactive)
        if to and not token:
            fail("--to needs --token (or WORKFORCE_KG_TOKEN)")
        out, notes = rv.accepted_graph(g, chosen, labels, known)
    except (IngestError, stores.StoreError) as exc:
        fail(one_line(exc))
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    doc = next(iter(g.subjects(rv.RDF.type, rv.WKG.SourceDocument)), None)
    doc_id = str(doc).rsplit("/", 1)[-1] if doc else draft_file.stem
    accepted_count = len({s for s in chosen})
    header = (
        f"Facts accepted from the ingest draft {draft_file.name} ({accepted_count} of {len(all_items)} candidates).\n"
        f"Reviewed with `workforce-kg review`; check with `workforce-kg validate` and `workforce-kg provenance`."
    )
    text = rv.turtle(out, header)
    if to:
        target = output.stem if output else rv.next_file(graph_dir or GRAPH_DIR, doc_id).stem
        graph_name = f"https://w3id.org/workforce-kg/graph/graph/{target}"
        try:
            status, body = rv.post(to, token or "", graph_name, text.encode("utf-8"))
        except IngestError as exc:
            fail(str(exc))
        if status >= 400:
            try:
                message = json.loads(body).get("error", body)
            except ValueError:
                message = body
            fail(f"the service refused the write ({status}): {' '.join(str(message).split())[:300]}")
        typer.echo(f"sent {accepted_count} accepted candidate(s) to {to} (graph <{graph_name}>, {status})")
        return
    path = output or rv.next_file(graph_dir or GRAPH_DIR, doc_id)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"wrote {accepted_count} accepted candidate(s) of {len(all_items)} to {path}")


def _interactive(all_items, labels: dict, force: bool = False) -> set:
    """Ask about each candidate: accept, reject, edit its label, accept or reject all the rest."""
    if not force and not sys.stdin.isatty():
        fail("no terminal for an interactive review: give --accept-all, --accept KIND, --reject ID or --min-confidence")
    chosen = set()
    rest = None
    for n, it in enumerate(all_items, 1):
        if rest is not None:
            if rest:
                chosen.add(it.iri)
            continue
        typer.echo(
            f"\n[{n}/{len(all_items)}] {it.kind} {it.id} "
            f"({'new' if it.new else 'existing'}, confidence {it.confidence:.2f})"
        )
        typer.echo(f"  {it.label}")
        for loc, quote in it.citations[:3]:
            typer.echo(f"  [{loc}] “{quote}”")
        while True:
            answer = typer.prompt("  [a]ccept, [r]eject, [e]dit label, [A]ccept rest, [R]eject rest", default="a")
            if answer in ("a", "r", "e", "A", "R"):
                break
        if answer == "e":
            labels[it.iri] = typer.prompt("  new label", default=it.label)
            answer = "a"
        if answer in ("a", "A"):
            chosen.add(it.iri)
        if answer in ("A", "R"):
            rest = answer == "A"
    return chosen
