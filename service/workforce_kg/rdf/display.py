"""Literals as people read them: numbers with thousands separators, dates in words, sums of money in £.

Pages show a literal's text from :func:`literal_text` and never its datatype when it is a plain number,
date or string; :func:`money` writes an amount with its currency (``£55 million``, ``£5,000``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from workforce_kg.vocab import RDF, XSD

NUMERIC = {
    XSD + t
    for t in ("decimal", "double", "float", "integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
DATES = {XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth", "gMonthDay")}
#: datatypes shown as their text alone (their datatype is noise to a reader)
PLAIN = NUMERIC | DATES | {XSD + "string", XSD + "boolean", RDF + "langString"}
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


#: numbers written out in full up to this many digits before or after the point; beyond (``1e400000``) the
#: lexical form is shown as given — writing it out would take the time and memory of a million digits
MAX_DIGITS = 40


def sensible(d: Decimal) -> bool:
    """Whether a number is finite and small enough to write out in full (:data:`MAX_DIGITS`)."""
    return d.is_finite() and (d.is_zero() or abs(d.adjusted()) <= MAX_DIGITS)


def decimal_or_none(value: float | int | str | Decimal) -> Decimal | None:
    """The value as a Decimal when it is a finite number of sensible size (:func:`sensible`), else None."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if sensible(d) else None


def number(value: float | int | str | Decimal) -> str:
    """``50000.0`` → ``50,000``; ``2.5`` → ``2.5`` (no trailing zeros, thousands separated); a value that is
    not a finite number of sensible size (``INF``, ``NaN``, ``lots``, ``1e400000``) as it is."""
    d = decimal_or_none(value)
    if d is None:
        return str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def money(amount: float | int | str | Decimal, currency: str | None = "GBP") -> str:
    """``55000000`` → ``£55 million``; ``2.5e9`` → ``£2.5 billion``; ``5000`` → ``£5,000``; other currencies by code."""
    d = decimal_or_none(amount)
    if d is None:
        return str(amount)
    symbol = SYMBOLS.get(currency or "GBP")
    for scale, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(d) >= scale:
            text = f"{number((d / scale).quantize(Decimal('0.01')))} {word}"
            break
    else:
        text = number(d)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def day(text: str) -> str:
    """An ``xsd:date`` / ``gYearMonth`` / ``gYear`` / ``gMonthDay`` lexical form in words (as given if none)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", text)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return text
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{MONTHS[int(m[2]) - 1]} {m[1]}"
    m = re.fullmatch(r"--(\d{2})-(\d{2})", text)
    if m and 1 <= int(m[1]) <= 12:
        return f"{int(m[2])} {MONTHS[int(m[1]) - 1]}"
    return text


def literal_text(value: str, datatype: str | None) -> str:
    """The text a page shows for a literal of ``datatype`` (an IRI; None for a plain string)."""
    if datatype in NUMERIC:
        return number(value)
    if datatype in DATES:
        return day(value)
    if datatype == XSD + "boolean":
        return {"true": "yes", "false": "no", "1": "yes", "0": "no"}.get(value, value)
    return value
