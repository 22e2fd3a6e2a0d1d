"""Storage: the on-disk Oxigraph store, remote SPARQL stores, derivation rules and the KnowledgeGraph API over them."""
