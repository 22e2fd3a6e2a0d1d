"""Request dependencies shared by the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from workforce_kg.config import Settings
from workforce_kg.store.kg import KnowledgeGraph


def get_kg(request: Request) -> KnowledgeGraph:
    """The knowledge graph the application serves."""
    return request.app.state.kg


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    return request.app.state.settings


KGDep = Annotated[KnowledgeGraph, Depends(get_kg)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
