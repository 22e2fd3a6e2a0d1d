"""Ingest a document into a cited, linked draft of the graph, for a curator to review (issue 15).

    >>> from workforce_kg.ingest import ingest
    >>> draft = ingest("report.pdf", "some-report-2024", date="2024-03-01", publisher="dhsc")
    >>> print(draft.report("md"))

Steps: :mod:`.read` (text of a txt/md/html/pdf file) → :func:`workforce_kg.sources.segments` (locators)
→ :mod:`.extract` (rules) → :mod:`.link` (known IRIs) → :mod:`.draft` (RDF and report) → :mod:`.review`.
"""

from workforce_kg.provenance.read import DocumentError as IngestError
from workforce_kg.provenance.read import read_text

from .draft import Candidate, Citation, Draft
from .pipeline import EXTRACTOR_VERSION, ingest

__all__ = ["Candidate", "Citation", "Draft", "EXTRACTOR_VERSION", "IngestError", "ingest", "read_text"]
