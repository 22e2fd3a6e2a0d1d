"""Competency questions: one ``cqNN_<slug>.rq`` file each, first line ``# CQ: <question>``, with the
expected result beside it (``.srj``, SPARQL 1.1 Query Results JSON). They are the test suite of the
graph, the example library of the web page and the README's showcase.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from workforce_kg.paths import QUERIES_DIR
from workforce_kg.store.kg import KnowledgeGraph

CQ_LINE = re.compile(r"^#\s*CQ:\s*(.+)$")


@dataclass(frozen=True)
class CompetencyQuestion:
    """A competency question file."""

    path: Path
    question: str
    sparql: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".srj")

    @property
    def separators(self) -> list[str]:
        """GROUP_CONCAT separators: SPARQL leaves the order of concatenated values undefined."""
        return re.findall(r'separator\s*=\s*"([^"]+)"', self.sparql, re.IGNORECASE)

    @property
    def ordered(self) -> bool:
        return re.search(r"\bORDER\s+BY\b", self.sparql, re.IGNORECASE) is not None


def load(folder: Path = QUERIES_DIR) -> list[CompetencyQuestion]:
    """Every competency question in ``folder``, by file name."""
    out = []
    for path in sorted(Path(folder).glob("cq*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        m = CQ_LINE.match(first)
        if not m:
            raise ValueError(f"{path.name}: first line must be '# CQ: <question>'")
        out.append(CompetencyQuestion(path, m.group(1).strip(), text))
    return out


def run_json(kg: KnowledgeGraph, cq: CompetencyQuestion) -> dict:
    """Run a question; its result as SPARQL JSON results (SELECT and ASK)."""
    result = kg.query(cq.sparql)
    if isinstance(result, ox.QueryTriples):
        raise ValueError(f"{cq.name}: competency questions are SELECT or ASK queries")
    return json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))


def _term_key(term: dict, separators: list[str]) -> tuple:
    if term.get("type") == "bnode":
        return ("bnode",)
    value = term["value"]
    for sep in separators:  # concatenated lists compare as sorted lists
        if sep in value:
            value = sep.join(sorted(value.split(sep)))
    return (term.get("type"), value, term.get("datatype", ""), term.get("xml:lang", ""))


def normalise(results: dict, ordered: bool, separators: list[str] | None = None):
    """A comparable form: booleans as is; rows as tuples, sorted unless the query orders them."""
    if "boolean" in results:
        return results["boolean"]
    names = results["head"]["vars"]
    seps = separators or []
    rows = [tuple(_term_key(b[n], seps) if n in b else None for n in names) for b in results["results"]["bindings"]]
    return (tuple(names), rows if ordered else sorted(rows, key=repr))


def expected(cq: CompetencyQuestion) -> dict:
    return json.loads(cq.expected_path.read_text(encoding="utf-8"))


def matches(kg: KnowledgeGraph, cq: CompetencyQuestion) -> bool:
    return normalise(run_json(kg, cq), cq.ordered, cq.separators) == normalise(expected(cq), cq.ordered, cq.separators)


def write_expected(kg: KnowledgeGraph, cq: CompetencyQuestion) -> None:
    """Record the current answer as the expected one (review the diff before committing it)."""
    cq.expected_path.write_text(json.dumps(run_json(kg, cq), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
