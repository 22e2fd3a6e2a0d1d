"""The notebook API: rows as dicts, DataFrame, errors."""

from __future__ import annotations

import pytest


def test_rows_are_plain_python(kg):
    rows = kg.rows("SELECT ?v ?rank WHERE { ?v wkg:rank ?rank } ORDER BY ?rank")
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["v"].endswith("/def/rating/inadequate")


def test_decimal_amounts_become_numbers(kg):
    rows = kg.rows("SELECT ?v WHERE { ?f a wkg:Funding ; schema:value ?v }")
    assert rows and all(isinstance(r["v"], (int, float)) for r in rows)


def test_dataframe(kg):
    pd = pytest.importorskip("pandas")
    df = kg.dataframe("SELECT ?d ?l WHERE { ?d a wkg:SourceDocument ; skos:prefLabel ?l }")
    assert isinstance(df, pd.DataFrame) and list(df.columns) == ["d", "l"] and len(df) == 5


def test_syntax_error_raises(kg):
    with pytest.raises(SyntaxError):
        kg.rows("SELECT WHERE")
    with pytest.raises(ValueError):
        kg.rows("ASK { ?s ?p ?o }")
