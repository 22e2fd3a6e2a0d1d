"""workforce-kg: who owns which UK health and social care workforce commitment, and where it is written."""

__version__ = "0.1.0"
