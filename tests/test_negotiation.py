"""Content negotiation (``sparql.negotiation``) tested directly: q-values, wildcards, exclusions, parameters,
malformed headers, ties and case (RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from workforce_kg.sparql.negotiation import best_match, parse_accept, quality

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json"]
PAGE = ["application/json", "text/html"]


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_accept_header_gives_the_first_offer(header):
    assert best_match(header, RESULTS) == RESULTS[0]
    assert best_match(header, GRAPHS) == GRAPHS[0]


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("text/csv", RESULTS, "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
        ("application/sparql-results+xml;q=0.2, text/csv;q=0.9", RESULTS, "text/csv"),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.2", RESULTS, "text/csv"),
        ("text/html;q=0.9, application/json;q=0.91", PAGE, "application/json"),
        ("text/html;q=.8, application/json;q=0.7", PAGE, "text/html"),  # a q-value may start with a dot
        ("text/html;q=1.0, application/json;q=1", PAGE, "application/json"),  # equal weight: the server's order
    ],
)
def test_q_values_rank_the_offers(header, offers, expected):
    assert best_match(header, offers) == expected


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("*/*", GRAPHS, "text/turtle"),  # any type: the server's first offer
        ("*", GRAPHS, "text/turtle"),  # a bare "*" (sent by some Java clients) as */*
        ("application/*", GRAPHS, "application/n-triples"),  # type/*: the first offer of that type
        ("application/*;q=0.5, text/*;q=0.6", GRAPHS, "text/turtle"),
        ("text/*;q=0.4, */*;q=0.5", GRAPHS, "application/n-triples"),  # */* outweighs text/* here
        ("text/*;q=0.5, application/ld+json", GRAPHS, "application/ld+json"),
        ("image/*", GRAPHS, None),  # no offer of that type
        ("*/*;q=0.1, application/ld+json;q=0.2", GRAPHS, "application/ld+json"),
    ],
)
def test_wildcards(header, offers, expected):
    assert best_match(header, offers) == expected


def test_the_most_specific_range_decides_an_offers_weight():
    header = "text/*;q=0.3, text/csv;q=0.9, */*;q=0.1"
    assert quality(header, "text/csv") == 0.9  # exact beats text/*
    assert quality(header, "text/plain") == 0.3  # text/* beats */*
    assert quality(header, "application/json") == 0.1
    assert quality("text/csv", "application/json") == 0.0


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("text/turtle;q=0", GRAPHS, None),  # the only range names an offer as not acceptable
        ("*/*, text/turtle;q=0", GRAPHS, "application/n-triples"),  # everything but Turtle
        ("*/*;q=0", GRAPHS, None),
        ("application/*;q=0, */*", GRAPHS, "text/turtle"),
        ("text/*;q=0, */*;q=0.1", ["text/csv", "application/json"], "application/json"),
        ("application/json;q=0, text/*;q=0", PAGE, None),
        ("text/html;q=0.000", PAGE, None),
        ("text/html;q=0.001", PAGE, "text/html"),  # the smallest weight above zero is still acceptable
    ],
)
def test_q_zero_excludes(header, offers, expected):
    assert best_match(header, offers) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/json;charset=utf-8", "application/json"),  # parameters other than q do not stop a match
        ("text/html;level=1;q=0.4, application/json;q=0.3", "text/html"),
        ("text/html;q=0.4;level=1, application/json;q=0.3", "text/html"),  # q before other parameters
        ("text/html ; q=0.2 , application/json ; q=0.3", "application/json"),  # whitespace around ; and ,
        ('application/json;profile="a,b";q=0.2, text/html;q=0.3', "text/html"),  # a comma inside quotes
        ('text/html;x="q=0";q=0.9, application/json;q=0.3', "text/html"),  # "q=" inside a quoted value
        ('text/html;x="a\\",b";q=0.1, application/json;q=0.2', "application/json"),  # an escaped quote
    ],
)
def test_parameters(header, expected):
    assert best_match(header, PAGE) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("TEXT/HTML", "text/html"),
        ("Text/Html;Q=0.9, application/JSON;q=0.5", "text/html"),
        ("APPLICATION/*", "application/json"),
    ],
)
def test_media_types_and_parameter_names_are_case_insensitive(header, expected):
    assert best_match(header, PAGE) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (",,, text/html", "text/html"),  # empty elements are skipped
        ("text/html;q=high, application/json;q=0.5", "application/json"),  # an unreadable weight counts as 0
        ("text/html;q=7, application/json;q=0.9", "text/html"),  # weights are clipped to [0, 1]
        ("text/html;q=-1, application/json;q=0.1", "application/json"),
        ("garbage, text/html;q=0.2", "text/html"),  # a range without a slash matches nothing
        ("text/html;;q=0.5;, application/json;q=0.4", "text/html"),  # empty parameters
    ],
)
def test_malformed_headers_do_not_break_negotiation(header, expected):
    assert best_match(header, PAGE) == expected


@pytest.mark.parametrize("header", ["garbage", ",", "text/html;q=nothing", "image/png", ";q=1"])
def test_nothing_acceptable_is_none(header):
    assert best_match(header, PAGE) is None


def test_ties_keep_the_servers_order_not_the_clients():
    header = "application/json, text/html"
    assert best_match(header, PAGE) == "application/json"
    assert best_match(header, list(reversed(PAGE))) == "text/html"
    assert best_match("text/*, application/*", GRAPHS) == "text/turtle"


def test_parse_accept_orders_by_weight_then_position():
    assert parse_accept("a/a;q=0.5, b/b, c/c;q=0.5, D/D;q=0.9") == [
        ("b/b", 1.0),
        ("d/d", 0.9),
        ("a/a", 0.5),
        ("c/c", 0.5),
    ]
