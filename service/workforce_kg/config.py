"""Configuration in one place: defaults, overridden by environment variables, then by CLI flags.

:class:`Settings` is a ``pydantic_settings.BaseSettings``: each field is read from the environment
variable ``WORKFORCE_KG_<FIELD>`` (an empty value counts as unset) and checked by pydantic; values given
as keyword arguments win over the environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from workforce_kg.sizes import GiB, parse_size
from workforce_kg.vocab import DEFAULT_BASE_IRI

SANDBOX_MODES = ("require", "best-effort", "off")
ENV_PREFIX = "WORKFORCE_KG_"


def _default_sandbox() -> str:
    return "require" if sys.platform.startswith("linux") else "off"


def store_location(value: str | Path) -> str | Path:
    """A store setting: ``remote:<SPARQL endpoint URL>`` stays a string, anything else is a folder."""
    return value if isinstance(value, str) and value.startswith("remote:") else Path(value)


def _default_store() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "workforce-kg" / "store"


class Settings(BaseSettings):
    """Service and CLI settings; every field is also the environment variable ``WORKFORCE_KG_<FIELD>``
    (see ``docs/configuration.md``, generated from the descriptions below).

    ``WORKFORCE_KG_UPDATE_TOKEN`` is one token, or several named ones: ``alice:TOKEN1,bob:TOKEN2``;
    the name is recorded with each write in the audit graph (a single unnamed token is ``curator``).
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8000, description="Port `serve` listens on.")
    store: Path | str = Field(
        default_factory=_default_store,
        description="Store location: a folder (the embedded on-disk store) or `remote:<query endpoint>` / "
        "`remote:<query endpoint>|<update endpoint>` (a SPARQL 1.1 server; credentials may be in the "
        "update URL). `make` uses `.store`.",
        json_schema_extra={"default_doc": "$XDG_DATA_HOME/workforce-kg/store (~/.local/share/workforce-kg/store)"},
    )
    base_iri: str = Field(
        DEFAULT_BASE_IRI,
        description="Base of every IRI, set at build time (every IRI of the bundled graph is rewritten); "
        "a trailing `/` is dropped.",
    )
    query_timeout: float = Field(
        30.0,
        description="Seconds a query or validation may take, waiting for a worker included; then it is "
        "stopped, its worker killed, and the client gets 503.",
    )
    max_rows: int = Field(
        100_000, description="Result rows before results are cut (the answer carries `X-Result-Truncated: true`)."
    )
    update_token: str | None = Field(
        None,
        repr=False,  # a secret: kept out of logs and tracebacks
        description="Writes stay off while unset. One token (recorded in the audit as `curator`) or named "
        "ones, `alice:TOKEN1,bob:TOKEN2` (the name is recorded with each write).",
    )
    sources: Path | None = Field(
        None,
        description="Folder of the source texts, for the quote check of writes (`provenance` and `stats` "
        "read it too, or `--sources`). Unset: `../shared/sources` beside the repository.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        ("*",), description="Origins allowed for read-only cross-site requests, comma-separated."
    )
    max_body: int = Field(
        1_000_000, description="Largest request body in bytes, and longest query or update in characters (then 413)."
    )
    query_workers: int = Field(
        4, description="Worker processes that run queries; 0 runs them in the web process (unconfined, no timeout)."
    )
    max_concurrent: int = Field(
        32,
        description="SPARQL queries admitted at once, running or waiting for a worker; more get 503 with "
        "`Retry-After`. The same number of validations.",
    )
    validation_workers: int = Field(
        2, description="Worker processes that run `POST /validate`; 0 runs it in the web process (no timeout)."
    )
    update_timeout: float = Field(
        60.0, description="Seconds a write may take; then it is stopped (503) and nothing changes."
    )
    query_memory: int = Field(
        GiB,
        description="Memory of one query or validation worker, in bytes or with a unit (`512MiB`, `2GiB`); "
        "then the query is stopped (503). The writer may use twice as much.",
        json_schema_extra={"default_doc": "1GiB"},
    )
    sandbox: str = Field(
        default_factory=_default_sandbox,
        description="Confinement of query, validation and write workers (seccomp + Landlock): `require` "
        "refuses to start a worker the kernel cannot confine, `best-effort` logs the missing "
        "layer, `off` is for debugging.",
        json_schema_extra={"default_doc": "require on Linux, else off"},
    )

    @field_validator("store", mode="before")
    @classmethod
    def _store(cls, value: Any) -> Any:
        return store_location(value) if isinstance(value, str | Path) else value

    @field_validator("base_iri")
    @classmethod
    def _base_iri(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        return tuple(o.strip() for o in value.split(",") if o.strip()) if isinstance(value, str) else value

    @field_validator("query_memory", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        return parse_size(value) if isinstance(value, str | int) and not isinstance(value, bool) else value

    @field_validator("sandbox")
    @classmethod
    def _sandbox(cls, value: str) -> str:
        if value not in SANDBOX_MODES:
            raise ValueError("must be require, best-effort or off")
        return value

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from the environment, then ``overrides`` (values of None are ignored).

        A value that cannot be read raises ``ValueError`` with one line naming the variable (or the
        option) and what is wrong with it.
        """
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            raise ValueError(_one_line(exc, given)) from None

    @property
    def writes_enabled(self) -> bool:
        """Whether an update token is set (writes are off otherwise)."""
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


def _one_line(exc: ValidationError, given: dict[str, Any]) -> str:
    """The first problem of ``exc`` as ``WORKFORCE_KG_PORT='eighty' is not valid: <why>`` (or ``port=…``
    when the value was given as an option rather than read from the environment)."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    why = str(error["msg"]).removeprefix("Value error, ")
    if name in given or not name:
        return f"{name or 'settings'}={error.get('input')!r} is not valid: {why}"
    var = ENV_PREFIX + name.upper()
    return f"{var}={os.environ.get(var, error.get('input'))!r} is not valid: {why}"
