"""HTML documentation of the ontology, generated with pyLODE at build time (no network use)."""

from __future__ import annotations

import logging
from pathlib import Path

from workforce_kg.paths import ONTOLOGY_DIR, turtle_files

HTML_NAME = "ontology.html"
log = logging.getLogger(__name__)


def ontology_html() -> str:
    """The ontology rendered as a self-contained HTML page.

    pyLODE reports its progress at INFO on the root logger; the root logger is left as the application
    configured it (by default only warnings are shown).
    """
    from pylode import OntPub

    log.info("rendering the ontology's HTML page with pyLODE")
    return OntPub(ontology=str(turtle_files(ONTOLOGY_DIR)[0])).make_html()


def write_ontology_html(store_dir: Path | str) -> Path:
    """Write the ontology's HTML page beside the store."""
    path = Path(store_dir) / HTML_NAME
    path.write_text(ontology_html(), encoding="utf-8")
    return path
