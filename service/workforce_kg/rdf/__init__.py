"""RDF documents: describing a resource, and parsing uploaded RDF."""
