"""The export formats, in one list: read by the exporter, the API's ``/api/export/{format}`` and the
CLI's ``export --format`` choice (apart from :mod:`.export` so that the CLI starts without networkx)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    """A format the network can be exported in."""

    graphml = "graphml"
    gexf = "gexf"
    cytoscape = "cytoscape"
    dot = "dot"
    csv = "csv"
    jsonld = "jsonld"
    matrix_csv = "matrix-csv"


#: format -> (media type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    ExportFormat.graphml: ("application/graphml+xml", "graphml"),
    ExportFormat.gexf: ("application/gexf+xml", "gexf"),
    ExportFormat.cytoscape: ("application/json", "cyjs"),
    ExportFormat.dot: ("text/vnd.graphviz", "dot"),
    ExportFormat.csv: ("application/zip", "zip"),
    ExportFormat.jsonld: ("application/ld+json", "jsonld"),
    ExportFormat.matrix_csv: ("text/csv", "csv"),
}
