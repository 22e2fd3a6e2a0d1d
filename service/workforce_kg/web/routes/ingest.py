"""A review page for ingest drafts, behind the write token: paste a draft, tick candidates, write them.

``GET /ingest/review`` shows a form (draft Turtle and the write token). ``POST /ingest/review`` with the
token lists the draft's candidates with a box each (ticked from confidence 0.5); posting the ticked ones
(``action=write``) sends the accepted facts through the service's gated write path — the same writer,
shapes, quote check and audit as a Graph Store ``POST`` — into the graph ``{base}/graph/graph/<document>``.
The token travels in the form (a browser page cannot set an ``Authorization`` header); use HTTPS.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from workforce_kg.config import Settings
from workforce_kg.ingest import review as rv
from workforce_kg.web.deps import KGDep, SettingsDep, ShellDep, WriterDep
from workforce_kg.web.routes.writes import token_name
from workforce_kg.writes.change import WriteError, WriteRequest

router = APIRouter(include_in_schema=False)
TEMPLATE = "ingest/review.html"


def _agent(settings: Settings, token: str) -> str:
    """The name of the write token given in the form; WriteError 403 when writes are off or it is wrong."""
    if not settings.writes_enabled:
        raise WriteError(403, "writes are disabled on this service")
    return token_name(settings, token)


@router.get("/ingest/review")
def review_form(request: Request, shell: ShellDep) -> HTMLResponse:
    """The form to start a review."""
    return shell.page(request, TEMPLATE, title="Review an ingest draft", step="form")


@router.post("/ingest/review")
async def review_post(
    request: Request, kg: KGDep, settings: SettingsDep, writer: WriterDep, shell: ShellDep
) -> HTMLResponse:
    """List a draft's candidates (``action=list``) or write the ticked ones (``action=write``)."""
    form = await request.form()
    draft_text, token = str(form.get("draft") or ""), str(form.get("token") or "")
    try:
        agent = _agent(settings, token)
        g = Graph()
        try:
            g.parse(data=draft_text, format="turtle")
        except Exception as exc:  # rdflib raises assorted parser errors
            raise WriteError(400, f"the draft is not readable Turtle: {' '.join(str(exc).split())[:200]}") from None
        if next(g.subjects(RDF.type, rv.WKG.IngestActivity), None) is None:
            raise WriteError(400, "this is not an ingest draft (no wkg:IngestActivity in it)")
        items = rv.items(g)
        if form.get("action") != "write":
            return shell.page(
                request,
                TEMPLATE,
                title="Review an ingest draft",
                step="list",
                items=items,
                draft=draft_text,
                token=token,
            )
        chosen = {URIRef(str(v)) for v in form.getlist("accept")} & {i.iri for i in items}
        if not chosen:
            raise WriteError(400, "no candidate was ticked")
        out, notes = rv.accepted_graph(g, chosen)
        doc = next(iter(g.subjects(RDF.type, rv.WKG.SourceDocument)), None)
        name = str(doc).rsplit("/", 1)[-1] if doc is not None else "ingest"
        base = kg.base
        req = WriteRequest(
            operation="post",
            agent=agent,
            graph=f"{base}/graph/graph/{name}",
            data=rv.turtle(out, "accepted on the review page").encode("utf-8"),
            media="text/turtle",
        )
        if writer is None:
            raise WriteError(403, "writes need an on-disk or remote store")
        result = await run_in_threadpool(writer.run, req)
    except WriteError as exc:
        found = (exc.report.get("results") or exc.report.get("quotes") or []) if exc.report else []
        details = [(str(r.get("focus", "")), str(r.get("message", ""))) for r in found[:50]]
        return shell.page(
            request,
            TEMPLATE,
            title="Review refused",
            status_code=exc.status,
            step="refused",
            message=exc.message,
            details=details,
        )
    kg.written()  # the next read sees the write (search included)
    return shell.page(
        request,
        TEMPLATE,
        title="Review written",
        step="written",
        chosen=len(chosen),
        graph=req.graph,
        added=result.get("added", ""),
        notes=notes,
    )
