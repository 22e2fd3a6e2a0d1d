"""SPARQL evaluation: parse-based safety checks, the protocol steps, content negotiation, and the confined
worker processes that run queries."""
