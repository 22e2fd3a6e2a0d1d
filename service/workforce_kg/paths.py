"""Where the bundled Turtle lives, in a checkout and in an installed package alike."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA = PACKAGE_DIR / "data"
ONTOLOGY_DIR = DATA / "ontology"
GRAPH_DIR = DATA / "graph"
SHAPES_DIR = DATA / "shapes"
QUERIES_DIR = PACKAGE_DIR / "queries"
STATIC_DIR = PACKAGE_DIR / "web" / "static"
TEMPLATES_DIR = PACKAGE_DIR / "web" / "templates"
#: The repository, when the package runs from a checkout (``service/workforce_kg``).
CHECKOUT_DIR = PACKAGE_DIR.parents[1]


def turtle_files(folder: Path) -> list[Path]:
    """All Turtle files under ``folder``, in a stable order."""
    return sorted(p for p in Path(folder).rglob("*.ttl") if p.is_file())
