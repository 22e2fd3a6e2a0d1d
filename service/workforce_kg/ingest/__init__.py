"""Ingest a document into a cited, linked draft of the graph, for a curator to review (issue 15).

    >>> from workforce_kg.ingest import ingest
    >>> draft = ingest("report.pdf", "some-report-2024", date="2024-03-01", publisher="dhsc")
    >>> print(draft.report("md"))

Steps: :mod:`workforce_kg.provenance.read` (text of a txt/md/html/pdf file) →
:func:`workforce_kg.provenance.sources.segments` (locators) → :mod:`.extract` (rules) → :mod:`.link`
(known IRIs) → :mod:`.draft` (RDF and report) → :mod:`.review`.

The pipeline's names are loaded on first use (PEP 562 ``__getattr__``), so that the web app and the
command line, which import :mod:`.review` or this package, do not pay for the extractor's rules and
matching libraries at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from workforce_kg.provenance.read import DocumentError as IngestError
from workforce_kg.provenance.read import read_text

if TYPE_CHECKING:
    from .draft import Candidate, Citation, Draft
    from .pipeline import EXTRACTOR_VERSION, ingest

_LAZY = {
    "Candidate": ".draft",
    "Citation": ".draft",
    "Draft": ".draft",
    "EXTRACTOR_VERSION": ".pipeline",
    "ingest": ".pipeline",
}

__all__ = ["Candidate", "Citation", "Draft", "EXTRACTOR_VERSION", "IngestError", "ingest", "read_text"]


def __getattr__(name: str) -> Any:
    """Load a pipeline name on first use."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
