"""Curation writes on a remote SPARQL store (``remote:...``), with the checks of an embedded write.

The remote server holds the data, so a write:

1. copies the dataset (our graphs on the remote) into an in-memory store;
2. applies the change to the copy, recomputes the derived triples, validates what it touches with
   the shapes, checks the new quotes and records the audit, as an embedded write does
   (:func:`workforce_kg.writes.change`): a refused write sends nothing to the remote;
3. sends the difference to the remote as one SPARQL 1.1 Update request: ``DELETE DATA`` of the quads
   that went, ``INSERT`` of those that came. Blank nodes that were there before are named by the
   server's own reference to them (:meth:`RemoteStore.term_text`); new ones by labels of the request.

Limits, by design: each write copies the dataset (remote writes suit curation, not bulk loading);
the one request is as atomic as the remote server makes an update request; a write made on the
remote by someone else between the copy and the request is not seen by the checks; the remote's
default graph is not ours (Virtuoso's is the union of all graphs), so every write names its graph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from workforce_kg.store.remote import CHUNK, RemoteError, RemoteStore, chunks, data_term
from workforce_kg.writes.change import WriteError, WriteRequest, change, kept_by_service


def perform_remote(
    target: str, req: WriteRequest, shapes=None, sources: Path | None = None, timeout: float = 60.0
) -> dict:
    """Carry out one write on the remote store ``target`` (see the module docstring for the steps).

    Returns:
        What changed, as :func:`workforce_kg.writes.change.perform` answers (``generation`` is None).
    Raises:
        WriteError: the write was refused (nothing was sent), or the remote failed (503).
    """
    if req.operation != "update" and req.graph is None:
        raise WriteError(400, "on a remote store, name the graph (?graph=IRI): the remote's default graph is not ours")
    try:
        remote = RemoteStore.open(target, timeout)
        base = remote.base
        assert base is not None  # open() finds it
        if req.graph is not None and kept_by_service(req.graph, base):
            raise WriteError(403, f"<{req.graph}> is kept by the service and cannot be written")
        st = ox.Store()
        st.extend(remote.quads())
        dataset = set(st)
        added, removed, answer = change(st, req, base, shapes, sources)
        if any(isinstance(q.graph_name, ox.DefaultGraph) for q in added | removed):
            raise WriteError(
                400,
                "on a remote store, write into named graphs (GRAPH <IRI> { ... }): the remote's "
                "default graph is not ours",
            )
        result = set(st)
        remote.update(difference(remote, dataset, result - dataset, dataset - result))
    except RemoteError as exc:
        raise WriteError(503, f"{exc}; the write may not have been made: read the graph to check") from None
    return {**answer, "generation": None}


def difference(remote: RemoteStore, before: set[ox.Quad], added: set[ox.Quad], removed: set[ox.Quad]) -> str:
    """One SPARQL Update request that turns the remote's ``before`` into ``before - removed | added``.

    Blank nodes of ``before`` are written as the server's references to them; new blank nodes as
    labels, each connected group of them within one operation (labels are scoped to an operation).
    """
    old = {t for q in before for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}

    def term(t) -> str:
        return remote.term_text(t) if t in old else data_term(t)

    def blocks(quads) -> str:
        by_graph: dict = {}
        for q in sorted(quads, key=str):
            by_graph.setdefault(q.graph_name, []).append(f"{term(q.subject)} {q.predicate} {term(q.object)} .")
        return "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())

    gone = sorted(removed, key=str)
    operations = [f"DELETE DATA {{\n{blocks(gone[i : i + CHUNK])}\n}}" for i in range(0, len(gone), CHUNK)]
    # INSERT ... WHERE {} rather than INSERT DATA: Virtuoso 7 refuses blank nodes in INSERT DATA
    operations += [f"INSERT {{\n{blocks(chunk)}\n}} WHERE {{}}" for chunk in chunks(list(added), CHUNK)]
    return " ;\n".join(operations) or "INSERT DATA {}"
