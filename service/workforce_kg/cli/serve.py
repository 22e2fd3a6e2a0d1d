"""The ``serve`` command: the web service under uvicorn, with one JSON log line per request."""

from __future__ import annotations

from typing import Annotated

import typer

from workforce_kg.cli.common import (
    StoreOpt,
    fail,
    one_line,
    settings,
)
from workforce_kg.store import local as stores
from workforce_kg.store import remote


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on.")] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the SPARQL endpoint, API and pages; builds the store first when its location is empty."""
    import uvicorn

    from workforce_kg import docs
    from workforce_kg.web.app import create_app

    cfg = settings(host=host, port=port, store=store)
    if remote.is_remote(cfg.store):  # queries go to the remote server, which applies its own time limit
        try:
            remote.RemoteStore.open(cfg.store, cfg.query_timeout)
        except (remote.RemoteError, ValueError) as exc:
            fail(one_line(exc))
    elif stores.is_empty_location(cfg.store):
        typer.echo(f"store {cfg.store} is empty: building it")
        stores.build(cfg.store, base=cfg.base_iri)
        docs.write_ontology_html(cfg.store)
    elif not stores.is_store(cfg.store):
        fail(f"{cfg.store} is neither empty nor a workforce-kg store")
    uvicorn.run(
        create_app(cfg), host=cfg.host, port=cfg.port, log_level="info", log_config=log_config(), access_log=False
    )


def log_config() -> dict:
    """uvicorn's logging set-up, with the service's request log (one JSON object a line, with the request
    id; see :func:`workforce_kg.web.app.create_app`) on standard output in place of uvicorn's access log."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    config["handlers"]["requests"] = {
        "class": "logging.StreamHandler",
        "formatter": "line",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["workforce_kg.access"] = {"handlers": ["requests"], "level": "INFO", "propagate": False}
    return config
