"""The documentation stays true: generated pages current, README short, every relative link resolves."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import typer

from workforce_kg.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]

_spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
assert _spec and _spec.loader
gen_docs = importlib.util.module_from_spec(_spec)
sys.modules["gen_docs"] = gen_docs
_spec.loader.exec_module(gen_docs)


@pytest.mark.parametrize("name", ["configuration.md", "cli.md", "querying.md"])
def test_generated_pages_are_current(name):
    expected = gen_docs.outputs()[ROOT / "docs" / name]
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == expected, f"docs/{name} is stale; regenerate it with: {gen_docs.REGENERATE}"


def test_check_mode_reports_a_stale_page(tmp_path, monkeypatch, capsys):
    """``--check`` exits 1 naming the stale file and the command; a plain run rewrites it."""
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(gen_docs, "ROOT", tmp_path)
    monkeypatch.setattr(gen_docs, "outputs", lambda: {stale: "new\n"})
    assert gen_docs.main(["--check"]) == 1
    assert "configuration.md" in capsys.readouterr().err
    assert stale.read_text() == "old\n"
    assert gen_docs.main([]) == 0
    assert stale.read_text() == "new\n"
    assert gen_docs.main(["--check"]) == 0


def test_every_setting_is_documented_with_a_working_variable(monkeypatch):
    """Each field of Settings has a description, and the variable the page names really sets it."""
    docs = gen_docs.settings_docs()
    assert [d.name for d in docs] == list(Settings.model_fields)
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for d in docs:
        monkeypatch.delenv(d.env, raising=False)
    default = Settings.from_env()
    for d in docs:
        assert f"`{d.env}`" in page
        for sample in ("7", "off", "/tmp/elsewhere"):
            monkeypatch.setenv(d.env, sample)
            try:
                changed = Settings.from_env()
            except ValueError:
                continue
            finally:
                monkeypatch.delenv(d.env)
            if getattr(changed, d.name) != getattr(default, d.name):
                break
        else:
            pytest.fail(f"{d.env} does not set Settings.{d.name}")


def test_a_setting_without_description_is_refused():
    @dataclasses.dataclass
    class Partial:
        known: int = dataclasses.field(default=1, metadata={"doc": "Documented."})
        forgotten: int = 2

    with pytest.raises(ValueError, match="forgotten"):
        gen_docs.settings_docs(Partial)
    documented = dataclasses.make_dataclass(
        "Ok", [("known", int, dataclasses.field(default=1, metadata={"doc": "D."}))]
    )
    assert gen_docs.settings_docs(documented)[0].env == "WORKFORCE_KG_KNOWN"


def test_pydantic_settings_are_read_too():
    """The generator also reads a pydantic model: descriptions, defaults, a machine-dependent default."""
    from pydantic import BaseModel, Field

    class Model(BaseModel):
        port: int = Field(8000, description="Port.")
        store: str = Field(
            default_factory=lambda: "/home/x", description="Store.", json_schema_extra={"default_doc": "~"}
        )
        secret: str | None = None

    with pytest.raises(ValueError, match="secret"):
        gen_docs.settings_docs(Model)
    Model.model_fields["secret"].description = "Secret."
    docs = {d.name: d for d in gen_docs.settings_docs(Model)}
    assert (docs["port"].env, docs["port"].default, docs["port"].doc) == ("WORKFORCE_KG_PORT", "8000", "Port.")
    assert docs["store"].default == "~"
    assert docs["secret"].default == "unset"


def test_cli_page_has_every_command():
    """Every command and subcommand of the app appears with its own options."""
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    from workforce_kg.cli import app

    root = typer.main.get_command(app)
    for path, cmd in gen_docs._commands(root, ["workforce-kg"]):
        assert f"## {' '.join(path)}\n" in page
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in page


def test_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; keep it at most 200 (details go in docs/)"


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := re.match(r"#{1,6} (.+)", line)):
            slug = _slug(m[1])
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    """Every relative link names a file or folder of the repository, and an existing heading if it has #."""
    broken = []
    for link in _links(page):
        parts = urlsplit(link)
        if parts.scheme or link.startswith("//"):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not target.exists():
            broken.append(f"{link} (no such file)")
        elif parts.fragment and target.suffix == ".md" and parts.fragment not in _anchors(target):
            broken.append(f"{link} (no such heading)")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"


def test_link_checker_sees_a_broken_link(tmp_path):
    """The checker itself: a missing file and a missing heading are both found."""
    (tmp_path / "a.md").write_text("# Title here\n\n[ok](#title-here) [bad](b.md) [gone](#nothing)\n")
    assert _links(tmp_path / "a.md") == ["#title-here", "b.md", "#nothing"]
    assert _anchors(tmp_path / "a.md") == {"title-here"}


def _make_target(name: str) -> tuple[list[str], list[str]]:
    """The named prerequisites (not variables) and the programs run by the recipe of a Makefile target."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    prereqs = [p for p in lines[start].split(":", 1)[1].split() if not p.startswith("$(")]
    programs = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        words = line.split()
        program = words[2] if words[0].endswith("/python") and words[1:2] == ["-m"] else words[0]
        programs.append(program.rsplit("/", 1)[-1])
    return prereqs, programs


@pytest.mark.parametrize("target", ["serve", "test"])
def test_readme_says_what_make_does(target):
    """The README's "Two commands" names every step of `make serve` and `make test` in the Makefile."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Two commands") :].split("\n## ", 1)[0].lower()
    prereqs, programs = _make_target(target)
    assert f"make {target}" in section
    missing = [word for word in [*prereqs, *programs] if word.lower() not in section]
    assert not missing, f"README's Two commands does not mention {missing} (Makefile target {target})"
