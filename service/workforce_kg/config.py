"""Configuration in one place: defaults, overridden by environment variables, then by CLI flags."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workforce_kg.vocab import DEFAULT_BASE_IRI

GiB = 1 << 30
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1 << 10,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1 << 20,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": GiB,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1 << 40,
}


def parse_size(value: str | int) -> int:
    """A size in bytes from ``1073741824``, ``1GiB``, ``512 MiB``, ``2GB``…; ValueError if not one."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
    if match is None or match[2].lower() not in _UNITS:
        raise ValueError("expected a number of bytes, optionally with a unit such as MiB or GiB")
    number, unit = match.groups()
    size = int(float(number) * _UNITS[unit.lower()])
    if size <= 0:
        raise ValueError("must be more than 0")
    return size


def format_size(size: int) -> str:
    """``1 GiB``, ``256 MiB``, ``1.5 GiB``, ``1000 bytes``."""
    for unit, factor in (("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"


def _sandbox_mode(value: str) -> str:
    if value not in ("require", "best-effort", "off"):
        raise ValueError("must be require, best-effort or off")
    return value


def _default_sandbox() -> str:
    return "require" if sys.platform.startswith("linux") else "off"


def store_location(value: str | Path) -> str | Path:
    """A store setting: ``remote:<SPARQL endpoint URL>`` stays a string, anything else is a folder."""
    return value if isinstance(value, str) and value.startswith("remote:") else Path(value)


def _default_store() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "workforce-kg" / "store"


@dataclass(frozen=True)
class Settings:
    """Service and CLI settings.

    Environment variables: ``WORKFORCE_KG_HOST``, ``WORKFORCE_KG_PORT``, ``WORKFORCE_KG_STORE``,
    ``WORKFORCE_KG_BASE_IRI``, ``WORKFORCE_KG_QUERY_TIMEOUT`` (seconds), ``WORKFORCE_KG_MAX_ROWS``,
    ``WORKFORCE_KG_UPDATE_TOKEN`` (writes stay off while unset), ``WORKFORCE_KG_SOURCES``,
    ``WORKFORCE_KG_CORS_ORIGINS`` (comma-separated), ``WORKFORCE_KG_MAX_BODY`` (bytes),
    ``WORKFORCE_KG_QUERY_WORKERS`` (worker processes that run queries; 0 runs them in the web process),
    ``WORKFORCE_KG_MAX_CONCURRENT`` (SPARQL queries admitted at once, running or waiting; more get 503;
    the same number of validations), ``WORKFORCE_KG_VALIDATION_WORKERS`` (worker processes that run
    ``/validate``; 0 runs it in the web process),
    ``WORKFORCE_KG_UPDATE_TIMEOUT`` (seconds a write may take), ``WORKFORCE_KG_QUERY_MEMORY`` (memory
    of one query or validation worker, e.g. ``1GiB``; the writer may use twice as much), ``WORKFORCE_KG_SANDBOX``
    (``require``, ``best-effort`` or ``off``: see :mod:`workforce_kg.sparql.sandbox`).

    ``WORKFORCE_KG_UPDATE_TOKEN`` is one token, or several named ones: ``alice:TOKEN1,bob:TOKEN2``;
    the name is recorded with each write in the audit graph (a single unnamed token is ``curator``).
    """

    host: str = field(default="127.0.0.1", metadata={"doc": "Address `serve` listens on."})
    port: int = field(default=8000, metadata={"doc": "Port `serve` listens on."})
    store: Path | str = field(
        default_factory=_default_store,
        metadata={
            "doc": "Store location: a folder (the embedded on-disk store) or `remote:<query endpoint>` / "
            "`remote:<query endpoint>|<update endpoint>` (a SPARQL 1.1 server; credentials may be in the "
            "update URL). `make` uses `.store`.",
            "default": "$XDG_DATA_HOME/workforce-kg/store (~/.local/share/workforce-kg/store)",
        },
    )
    base_iri: str = field(
        default=DEFAULT_BASE_IRI,
        metadata={
            "doc": "Base of every IRI, set at build time (every IRI of the bundled graph is rewritten); "
            "a trailing `/` is dropped."
        },
    )
    query_timeout: float = field(
        default=30.0,
        metadata={
            "doc": "Seconds a query or validation may take, waiting for a worker included; then it is "
            "stopped, its worker killed, and the client gets 503."
        },
    )
    max_rows: int = field(
        default=100_000,
        metadata={"doc": "Result rows before results are cut (the answer carries `X-Result-Truncated: true`)."},
    )
    update_token: str | None = field(
        default=None,
        metadata={
            "doc": "Writes stay off while unset. One token (recorded in the audit as `curator`) or named "
            "ones, `alice:TOKEN1,bob:TOKEN2` (the name is recorded with each write)."
        },
    )
    sources: Path | None = field(
        default=None,
        metadata={
            "doc": "Folder of the source texts, for the quote check of writes (`provenance` and `stats` "
            "read it too, or `--sources`). Unset: `../shared/sources` beside the repository."
        },
    )
    cors_origins: tuple[str, ...] = field(
        default=("*",), metadata={"doc": "Origins allowed for read-only cross-site requests, comma-separated."}
    )
    max_body: int = field(
        default=1_000_000,
        metadata={"doc": "Largest request body in bytes, and longest query or update in characters (then 413)."},
    )
    query_workers: int = field(
        default=4,
        metadata={"doc": "Worker processes that run queries; 0 runs them in the web process (unconfined, no timeout)."},
    )
    max_concurrent: int = field(
        default=32,
        metadata={
            "doc": "SPARQL queries admitted at once, running or waiting for a worker; more get 503 with "
            "`Retry-After`. The same number of validations."
        },
    )
    validation_workers: int = field(
        default=2,
        metadata={"doc": "Worker processes that run `POST /validate`; 0 runs it in the web process (no timeout)."},
    )
    update_timeout: float = field(
        default=60.0, metadata={"doc": "Seconds a write may take; then it is stopped (503) and nothing changes."}
    )
    query_memory: int = field(
        default=GiB,
        metadata={
            "doc": "Memory of one query or validation worker, in bytes or with a unit (`512MiB`, `2GiB`); "
            "then the query is stopped (503). The writer may use twice as much.",
            "default": "1GiB",
        },
    )
    sandbox: str = field(
        default_factory=_default_sandbox,
        metadata={
            "doc": "Confinement of query, validation and write workers (seccomp + Landlock): `require` "
            "refuses to start a worker the kernel cannot confine, `best-effort` logs the missing "
            "layer, `off` is for debugging.",
            "default": "require on Linux, else off",
        },
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from environment variables, then ``overrides`` (values of None are ignored)."""
        env = os.environ if env is None else env
        values: dict = {}
        conv: dict[str, Callable[[str], Any]] = {
            "host": str,
            "port": int,
            "store": store_location,
            "base_iri": lambda v: v.rstrip("/"),
            "query_timeout": float,
            "max_rows": int,
            "update_token": str,
            "sources": Path,
            "cors_origins": lambda v: tuple(o.strip() for o in v.split(",") if o.strip()),
            "max_body": int,
            "query_workers": int,
            "max_concurrent": int,
            "validation_workers": int,
            "update_timeout": float,
            "query_memory": parse_size,
            "sandbox": _sandbox_mode,
        }
        for name, fn in conv.items():
            raw = env.get(f"WORKFORCE_KG_{name.upper()}")
            if raw not in (None, ""):
                try:
                    values[name] = fn(raw)
                except ValueError as exc:
                    raise ValueError(f"WORKFORCE_KG_{name.upper()}={raw!r} is not valid: {exc}") from None
        values.update(
            {
                k: (Path(v) if k == "sources" else store_location(v) if k == "store" else v)
                for k, v in overrides.items()
                if v is not None
            }
        )
        if "base_iri" in values:
            values["base_iri"] = values["base_iri"].rstrip("/")
        return cls(**values)

    def with_(self, **changes) -> Settings:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)

    @property
    def writes_enabled(self) -> bool:
        return bool(self.update_token)

    @property
    def update_tokens(self) -> dict[str, str]:
        """Token name → token, from ``update_token`` (see the class docstring)."""
        entries = [e.strip() for e in (self.update_token or "").split(",") if e.strip()]
        if len(entries) == 1 and ":" not in entries[0]:
            return {"curator": entries[0]}
        tokens = {}
        for entry in entries:
            name, sep, token = entry.partition(":")
            if not (sep and name.strip() and token.strip()):
                raise ValueError("WORKFORCE_KG_UPDATE_TOKEN must be TOKEN or NAME:TOKEN[,NAME:TOKEN...]")
            tokens[name.strip()] = token.strip()
        return tokens
