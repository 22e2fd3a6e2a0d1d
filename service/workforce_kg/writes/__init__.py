"""Writes: SPARQL Update and Graph Store changes, applied by a confined writer process, to a local or remote store."""
