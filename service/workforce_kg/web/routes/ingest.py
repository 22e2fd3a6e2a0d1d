"""A review page for ingest drafts, behind the write token: paste a draft, tick candidates, write them.

``GET /ingest/review`` shows a form (draft Turtle and the write token). ``POST /ingest/review`` with the
token lists the draft's candidates with a box each (ticked from confidence 0.5); posting the ticked ones
(``action=write``) sends the accepted facts through the service's gated write path — the same writer,
shapes, quote check and audit as a Graph Store ``POST`` — into the graph ``{base}/graph/graph/<document>``.
The token travels in the form (a browser page cannot set an ``Authorization`` header); use HTTPS.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from workforce_kg.ingest import review as rv
from workforce_kg.web.routes.writes import token_name
from workforce_kg.writes.change import WriteError, WriteRequest

router = APIRouter(include_in_schema=False)

STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}textarea{width:100%}"
)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """An HTML page (the review page's own markup, everything from a draft escaped)."""
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _agent(request: Request, token: str) -> str:
    """The name of the write token given in the form; WriteError 403 when writes are off or it is wrong."""
    settings = request.app.state.settings
    if not settings.writes_enabled:
        raise WriteError(403, "writes are disabled on this service")
    return token_name(settings, token)


FORM = (
    '<form method="post" action="/ingest/review"><p>Draft made by <code>workforce-kg ingest</code> '
    '(Turtle):</p><textarea name="draft" rows="16" required></textarea><p><label>Write token '
    '<input type="password" name="token" required></label> <button name="action" value="list">'
    "List candidates</button></p></form>"
)


@router.get("/ingest/review")
def review_form() -> HTMLResponse:
    """The form to start a review."""
    return page("Review an ingest draft", FORM)


@router.post("/ingest/review")
async def review_post(request: Request) -> HTMLResponse:
    """List a draft's candidates (``action=list``) or write the ticked ones (``action=write``)."""
    form = await request.form()
    draft_text, token = str(form.get("draft") or ""), str(form.get("token") or "")
    try:
        agent = _agent(request, token)
        g = Graph()
        try:
            g.parse(data=draft_text, format="turtle")
        except Exception as exc:  # rdflib raises assorted parser errors
            raise WriteError(400, f"the draft is not readable Turtle: {' '.join(str(exc).split())[:200]}") from None
        if next(g.subjects(RDF.type, rv.WKG.IngestActivity), None) is None:
            raise WriteError(400, "this is not an ingest draft (no wkg:IngestActivity in it)")
        items = rv.items(g)
        if form.get("action") != "write":
            return page("Review an ingest draft", _listing(items, draft_text, token))
        chosen = {URIRef(str(v)) for v in form.getlist("accept")} & {i.iri for i in items}
        if not chosen:
            raise WriteError(400, "no candidate was ticked")
        out, notes = rv.accepted_graph(g, chosen)
        doc = next(iter(g.subjects(RDF.type, rv.WKG.SourceDocument)), None)
        name = str(doc).rsplit("/", 1)[-1] if doc is not None else "ingest"
        base = request.app.state.kg.base
        req = WriteRequest(
            operation="post",
            agent=agent,
            graph=f"{base}/graph/graph/{name}",
            data=rv.turtle(out, "accepted on the review page").encode("utf-8"),
            media="text/turtle",
        )
        writer = getattr(request.app.state, "writer", None)
        if writer is None:
            raise WriteError(403, "writes need an on-disk or remote store")
        result = await run_in_threadpool(writer.run, req)
    except WriteError as exc:
        details = ""
        if exc.report:
            details = (
                "<ul>"
                + "".join(
                    f"<li>{escape(str(r.get('focus', '')))}: {escape(str(r.get('message', '')))}</li>"
                    for r in (exc.report.get("results") or exc.report.get("quotes") or [])[:50]
                )
                + "</ul>"
            )
        return page("Review refused", f"<p>{escape(exc.message)}</p>{details}", status=exc.status)
    kg = request.app.state.kg
    kg.refresh()
    notes_html = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return page(
        "Review written",
        f"<p>{len(chosen)} candidate(s) written to <code>{escape(req.graph or '')}</code> "
        f"({escape(str(result.get('added', '')))} triples added).</p><ul>{notes_html}</ul>",
    )


def _listing(items: list[rv.Item], draft_text: str, token: str) -> str:
    rows = []
    for it in items:
        ticked = " checked" if it.confidence >= 0.5 else ""
        quote = escape(it.citations[0][1]) if it.citations else ""
        locator = escape(it.citations[0][0]) if it.citations else ""
        rows.append(
            f'<tr><td><input type="checkbox" name="accept" value="{escape(str(it.iri))}"{ticked}></td>'
            f"<td>{escape(it.kind)}</td><td><code>{escape(it.id)}</code> ({'new' if it.new else 'existing'})</td>"
            f"<td>{escape(it.label)}</td><td>{locator}</td><td>“{quote}”</td><td>{it.confidence:.2f}</td></tr>"
        )
    return (
        '<form method="post" action="/ingest/review"><table><thead><tr><th>accept</th><th>kind</th><th>node</th>'
        "<th>label</th><th>locator</th><th>quote</th><th>confidence</th></tr></thead><tbody>"
        + "".join(rows)
        + f'</tbody></table><textarea name="draft" hidden>{escape(draft_text)}</textarea>'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        '<p><button name="action" value="write">Write the ticked candidates</button></p></form>'
    )
