"""The web layer: the only part of the package that imports FastAPI or Starlette."""
