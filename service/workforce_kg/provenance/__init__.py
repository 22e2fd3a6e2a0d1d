"""Provenance: the source documents, their segments, and checks of quoted citations against them."""
