"""Request dependencies shared by the routes, as ``Annotated`` aliases.

Only this module reads ``app.state`` (filled by the lifespan in :mod:`workforce_kg.web.app`); routes
declare what they need (``kg: KGDep``, ``settings: SettingsDep``, ``shell: ShellDep`` …).

:func:`get_kg` is where the store is refreshed: a route that reads the knowledge graph gets it after a
cheap check for a newer published version (:meth:`KnowledgeGraph.refresh`, one small file read), once
per request; routes that do not read it (static files, queries run in worker processes, health) pay
nothing. The dependencies are ``async``: they do no blocking work worth a thread (FastAPI runs a plain
``def`` dependency in its thread pool, one hop per dependency per request).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from workforce_kg.config import Settings
from workforce_kg.sparql.executor import QueryExecutor
from workforce_kg.store.kg import KnowledgeGraph
from workforce_kg.validation.upload import InProcessValidator
from workforce_kg.web.shell import Shell
from workforce_kg.writes.worker import Writer


async def get_kg(request: Request) -> KnowledgeGraph:
    """The knowledge graph the application serves, refreshed to the latest published write."""
    kg: KnowledgeGraph = request.app.state.kg
    kg.refresh()
    return kg


async def get_settings(request: Request) -> Settings:
    """The application's settings."""
    return request.app.state.settings


async def get_executor(request: Request) -> QueryExecutor | None:
    """The pool of query worker processes (None: queries run in the web process)."""
    return request.app.state.executor


async def get_validators(request: Request) -> QueryExecutor | None:
    """The pool of validation worker processes (None: validation runs in the web process)."""
    return request.app.state.validators


async def get_in_process_validator(request: Request) -> InProcessValidator:
    """Validation in the web process, for a service without validation workers."""
    return request.app.state.in_process_validator


async def get_writer(request: Request) -> Writer | None:
    """The writer process (None: writes are off, or the store is in memory)."""
    return request.app.state.writer


async def get_shell(request: Request) -> Shell:
    """The site shell that renders every HTML page."""
    return request.app.state.shell


KGDep = Annotated[KnowledgeGraph, Depends(get_kg)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ExecutorDep = Annotated[QueryExecutor | None, Depends(get_executor)]
ValidatorsDep = Annotated[QueryExecutor | None, Depends(get_validators)]
InProcessValidatorDep = Annotated[InProcessValidator, Depends(get_in_process_validator)]
WriterDep = Annotated[Writer | None, Depends(get_writer)]
ShellDep = Annotated[Shell, Depends(get_shell)]
