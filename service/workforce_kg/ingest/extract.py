"""Rules that find facts in a sentence: amounts of money, figures, dates, commitments, names, roles.

The rules are written for the genre (government responses, evaluations, workforce plans and
strategies, council minutes, news reports), never for sentences of particular documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"

# -- sentences -------------------------------------------------------------------------------------

_SENT_SPLIT = re.compile(r"(?<=[.!?;”\"])\s+(?=[A-Z“\"‘(£0-9])|\s+(?=[-•·▪]\s)|(?<=:)\s+(?=[-•·]\s)")


def sentences(segment: str) -> list[tuple[int, str]]:
    """The sentences of a (normalised) segment with their offsets; list items count as sentences."""
    out, pos = [], 0
    for part in _SENT_SPLIT.split(segment):
        start = segment.find(part, pos)
        pos = start + len(part)
        stripped = part.strip()
        if stripped:
            out.append((start + (len(part) - len(part.lstrip())), stripped))
    return out


def shorten(sentence: str, start: int, end: int, limit: int = 300) -> str:
    """A span of ``sentence`` of at most ``limit`` characters that contains ``sentence[start:end]``.

    Cuts at clause boundaries (commas, dashes) where it can, else at word boundaries.
    """
    if len(sentence) <= limit:
        return sentence
    left = max(0, start - (limit - (end - start)) // 2)
    right = min(len(sentence), left + limit)
    left = max(0, min(left, right - limit))
    for mark in (", ", " – ", " - ", "; "):
        i = sentence.rfind(mark, left, start)
        if i != -1 and end - (i + len(mark)) < limit:
            left = i + len(mark)
            break
    else:
        while left > 0 and not sentence[left - 1].isspace():
            left += 1
    while right < len(sentence) and right > end and not sentence[right].isspace():
        right -= 1
    return sentence[left:right].strip()


# -- numbers and money -----------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUAL = r"(?:over|more than|at least|up to|around|about|approximately|nearly|almost|an extra|an additional|a further|a total of|in excess of|less than|under)"
_MULT = {
    "billion": Decimal(10**9),
    "bn": Decimal(10**9),
    "b": Decimal(10**9),
    "million": Decimal(10**6),
    "m": Decimal(10**6),
    "mn": Decimal(10**6),
    "k": Decimal(1000),
    "thousand": Decimal(1000),
}
MONEY = re.compile(
    rf"(?:\b(?P<qual>{_QUAL})\s+)?£\s?(?P<num>{_NUM})(?:\s?(?P<mult>billion|million|thousand|bn|mn|m|k|b)\b)?",
    re.IGNORECASE,
)
QUALIFIERS = {
    "more than": "over",
    "in excess of": "over",
    "an extra": None,
    "an additional": None,
    "a further": None,
    "a total of": None,
    "about": "around",
    "approximately": "around",
    "less than": "under",
}


def to_decimal(num: str, mult: str | None = None) -> Decimal:
    """``"1,500"`` → 1500; with ``mult`` ``"million"``/``"m"``/``"bn"``/``"k"`` multiplied out."""
    value = Decimal(num.replace(",", ""))
    if mult:
        value *= _MULT[mult.lower()]
    return value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))


def qualifier(word: str | None) -> str | None:
    """The qualifier as the graph records it (``over``, ``at least``, ``up to``, ``around`` …)."""
    if not word:
        return None
    w = word.lower()
    return QUALIFIERS.get(w, w)


_RECURRENCE = [
    (
        re.compile(
            r"\bper (?:person|student|head|trainee|learner|worker|nurse|place)\b.{0,20}\b(?:per|a|each) (?:year|annum)\b|\ba year (?:per|for each) (?:person|student)\b",
            re.I,
        ),
        "per-person-per-year",
    ),
    (
        re.compile(
            r"\bper (?:person|student|head|trainee|learner|worker|nurse|place|participant)\b|\beach (?:student|trainee|person|learner)\b",
            re.I,
        ),
        "per-person",
    ),
    (
        re.compile(
            r"\b(?:per|a|each|every) (?:year|annum)\b|\bannual(?:ly)?\b|\byearly\b|\brecurrent\b|\bper month\b", re.I
        ),
        "per-year",
    ),
    (re.compile(r"\bone[- ]off\b|\bsingle payment\b|\bnon[- ]recurrent\b", re.I), "one-off"),
    (
        re.compile(
            r"\bover (?:the )?(?:next |coming |following )?(?:\w+ )?(?:years|spending review|period|parliament)\b|\bin total\b|\bbetween 20\d\d and 20\d\d\b|\bfrom 20\d\d(?:/\d\d)? to 20\d\d\b",
            re.I,
        ),
        "total-over-period",
    ),
]


def recurrence(text: str) -> str:
    """The recurrence of an amount from the words near it (``unspecified`` when they say none)."""
    for pattern, value in _RECURRENCE:
        if pattern.search(text):
            return value
    return "unspecified"


_PERIOD = re.compile(r"\b(?P<a>(?:19|20)\d\d)\s?(?P<sep>[/–-]|to)\s?(?P<b>(?:19|20)?\d\d)\b")


def period(text: str) -> tuple[str | None, str | None, str | None]:
    """A period named in ``text``: (label, start date, end date); financial years ``2022/23`` get dates."""
    m = _PERIOD.search(text)
    if not m:
        return None, None, None
    a, b = int(m.group("a")), m.group("b")
    end = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
    if end <= a or end - a > 15:
        return None, None, None
    label = m.group(0)
    if m.group("sep") == "/" and end == a + 1:
        return label, f"{a}-04-01", f"{end}-03-31"
    return label, None, None


# -- figures ---------------------------------------------------------------------------------------

PEOPLE = (
    r"(?:nurses|midwives|doctors|GPs|consultants|dentists|pharmacists|paramedics|physiotherapists|"
    r"therapists|psychologists|practitioners|clinicians|professionals|staff|people|workers|carers|"
    r"students|trainees|apprentices|graduates|recruits|leavers|joiners|starters|colleagues|employees|"
    r"health visitors|social workers|care workers|support workers|members|volunteers|individuals|"
    r"patients|residents|learners|applicants|users|participants|candidates|trainees|starters|nurses|"
    r"apprenticeships|apprenticeship starts|acceptances|starts|appointments|hires|"
    r"midwives|doctors|registrants|specialists|surgeons|AHPs|HCSWs|personnel|"
    r"allied health professionals|health care support workers|healthcare support workers|nursing associates|"
    r"physician associates|international recruits|vacancies filled)"
)
_UNITS = [
    (re.compile(r"^\s?(?:%|per ?cent\b|percent\b)", re.I), "percent"),
    (re.compile(r"^\s?percentage points?\b|^\s?(?:pp|ppts?)\b", re.I), "percentage-point"),
    (re.compile(r"^\s?(?:FTE|WTE|whole[- ]time equivalents?|full[- ]time equivalents?)\b", re.I), "fte"),
]
_NOUN_UNITS = [
    (re.compile(r"^(?:places|training places|placements|school places|commissions)\b", re.I), "places"),
    (re.compile(r"^(?:posts|roles|vacancies|jobs|positions)\b", re.I), "posts"),
    (re.compile(r"^(?:applications)\b", re.I), "applications"),
    (
        re.compile(r"^(?:organisations|trusts|practices|providers|employers|care homes|councils|boards)\b", re.I),
        "organisations",
    ),
    (re.compile(rf"^{PEOPLE}\b", re.I), "people"),
]
FIGURE = re.compile(
    rf"(?:\b(?P<qual>{_QUAL})\s+)?(?<![£€$\d.,/])(?P<num>{_NUM})(?:\s(?P<mult>million|thousand)\b)?(?!\s?(?:billion|bn|m\b|k\b))",
    re.I,
)
_WORD_NUM = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
WORD_FIGURE = re.compile(rf"(?:\b(?P<qual>{_QUAL})\s+)?\b(?P<word>{'|'.join(_WORD_NUM)})\s+(?=[a-z])", re.I)
FRACTION = re.compile(
    r"\b(?P<qual>(?:over|more than|almost|nearly|around|about|approximately|under|less than) )?"
    r"(?P<frac>a third|one third|two[- ]thirds|a quarter|one quarter|three[- ]quarters|half|a fifth|one fifth)"
    r"\s+of\s+(?:the\s+|all\s+|our\s+)?(?=[a-z])",
    re.I,
)
_FRACTIONS = {
    "third": Decimal("33.3"),
    "two-thirds": Decimal("66.7"),
    "quarter": Decimal(25),
    "three-quarters": Decimal(75),
    "half": Decimal(50),
    "fifth": Decimal(20),
}
_NOT_PLURAL = {
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "times",
    "is",
    "was",
    "has",
    "this",
    "its",
    "as",
    "plus",
    "us",
    "less",
    "across",
    "process",
    "access",
    "progress",
    "business",
    "success",
    "status",
    "basis",
    "analysis",
    "always",
    "towards",
    "thus",
    "whereas",
    "per",
    "cents",
    "points",
    "does",
    "goes",
    "sessions",
    "others",
    "levels",
    "pounds",
    "includes",
    "means",
    "steps",
    "terms",
    "results",
    "stages",
    "phases",
    "pillars",
    "commitments",
    "paragraphs",
    "sections",
    "items",
    "cases",
}
_FILLER = {
    "of",
    "to",
    "and",
    "or",
    "in",
    "the",
    "a",
    "an",
    "by",
    "from",
    "than",
    "on",
    "at",
    "for",
    "with",
    "per",
    "across",
    "over",
    "under",
    "into",
    "between",
    "since",
    "as",
    "were",
    "was",
    "are",
    "is",
    "had",
    "have",
    "has",
    "be",
    "been",
    "will",
    "would",
    "year",
    "years",
    "months",
    "weeks",
    "days",
    "which",
    "that",
    "who",
}
_ADJ = re.compile(
    r"^(?:(?:FTE|WTE|more|new|additional|extra|fewer|further|full[- ]time|part[- ]time|qualified|"
    r"registered|international|overseas|trainee|student|[a-z]+-[a-z]+|[a-z]+(?:al|ic|ed|ing|ary)|"
    r"nursing|medical|care|health|social|school|GP|NHS|junior|senior|primary)\s+){0,3}",
    re.I,
)


_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
RANK = re.compile(
    rf"\b(?P<ord>{'|'.join(_ORDINALS)}|[1-9]\d?(?:st|nd|rd|th))[\s-]+(?:largest|biggest|highest|lowest|"
    r"smallest|most|least|best|worst|fastest|slowest)\b",
    re.I,
)


@dataclass
class Number:
    """A figure found in a sentence."""

    value: Decimal
    unit: str
    qualifier: str | None
    start: int
    end: int


_ORG_NOUNS = re.compile(
    r"^(?:organisations|trusts|practices|providers|employers|care homes|homes|councils|boards|"
    r"universities|schools|medical schools|colleges|services|ambulance services|hospitals|"
    r"hospices|pharmacies|systems|ICSs|authorities|networks|sites|partnerships|charities)$",
    re.I,
)
_PLACE_NOUNS = re.compile(r"^(?:places|training places|placements|school places|commissions|beds)$", re.I)
_POST_NOUNS = re.compile(r"^(?:posts|vacancies|jobs|positions)$", re.I)
_HEAD = re.compile(
    r"^\s?((?:[A-Za-z][\w\-’']*\s+){0,4}?)([A-Za-z][\w\-]*[a-z]s|people|staff|personnel|workforce|children)\b"
)


def noun_unit(after: str) -> tuple[str | None, int]:
    """The unit a number takes from the plural noun after it (within three words), and the span used.

    People nouns (nurses, staff, students …) give ``people`` (``fte`` when FTE/WTE is among the words),
    organisations and places theirs, vacancies and posts ``posts``, other plural nouns ``count``.
    """
    m = _HEAD.match(after)
    if not m:
        return None, 0
    mods, head = m.group(1).split(), m.group(2)
    if head.lower() in _NOT_PLURAL or any(w.lower() in _FILLER for w in mods):
        return None, 0
    pair = f"{mods[-1]} {head}" if mods else head
    if any(w.upper() in ("FTE", "WTE") for w in mods):
        return "fte", m.end()
    if head == "years":
        return "years", m.end()
    for candidate in (pair, head):
        if re.fullmatch(rf"{PEOPLE}", candidate, re.I):
            return "people", m.end()
        if _ORG_NOUNS.match(candidate):
            return "organisations", m.end()
        if _PLACE_NOUNS.match(candidate):
            return "places", m.end()
        if _POST_NOUNS.match(candidate):
            return "posts", m.end()
        if candidate.lower() == "applications":
            return "applications", m.end()
    return "count", m.end()


def figures(sentence: str) -> list[Number]:
    """Numbers with a unit in ``sentence`` (percent, percentage points, FTE, people, places, posts …).

    Years, dates, money, paragraph and list numbers are not figures.
    """
    out: list[Number] = []
    for m in FIGURE.finditer(sentence):
        num, start, end = m.group("num"), m.start(), m.end()
        before = sentence[max(0, m.start("num") - 12) : m.start("num")]
        after = sentence[end : end + 60]
        if re.search(
            rf"(?:{_MONTH}|£|€|\$|\bpara(?:graph)?s?|\bsection|\bcommitment|\bphase|\bpillar|\bband|\blevel|\bage[sd]?|\bnumber|\bNo\.?)\s?$",
            before,
            re.I,
        ):
            continue
        if re.match(rf"^\s?(?:{_MONTH}|/|\)|-\d|–\d|:\d|\.\d)", after):
            continue
        unit = None
        for pattern, u in _UNITS:
            um = pattern.match(after)
            if um:
                unit, end = u, end + um.end()
                break
        if unit is None:
            unit, length = noun_unit(after)
            end += length
            if (
                unit == "people"
                and re.search(r"full[- ]time equivalent|\bFTE\b|\bWTE\b", sentence[:start], re.I)
                and not re.search(r"head ?count", sentence[max(0, start - 40) : start], re.I)
            ):
                unit = "fte"  # "44,300 full time equivalents, including 4,900 more doctors" (not "a headcount of")
        if (
            unit is None
            and re.match(r"^\s?(?:more|fewer|additional|extra)\b(?!\s+[a-z]+s\b)", after)
            and re.search(rf"\b{PEOPLE}\b", sentence, re.I)
        ):
            unit = "people"
        if unit is None and re.match(
            r"^\s?(?:training|studying|working|employed|recruited|trained|joined|left)\b", after
        ):
            unit = "people"
        is_year = bool(re.fullmatch(r"(?:19|20)\d\d", num)) and not m.group("mult")
        if (
            unit is None
            and not is_year
            and out
            and re.search(r"\b(?:from|to|than|compared|up|down|of)\b", sentence[out[-1].end : start])
            and start - out[-1].end <= 40
        ):
            unit = out[-1].unit  # "4,000 trainees, up from 2,671"
        if unit == "years" and re.search(
            r"\b(?:next|last|past|over|within|the|every|in|for|than|of|after|first|some)\s*$",
            sentence[max(0, m.start("num") - 12) : m.start("num")],
            re.I,
        ):
            continue
        if unit is None:
            continue
        plain = num.replace(",", "")
        if unit != "percent" and re.fullmatch(r"(?:19|20)\d\d", plain) and "," not in num and not m.group("mult"):
            continue
        out.append(Number(to_decimal(num, m.group("mult")), unit, qualifier(m.group("qual")), start, end))
    for m in FRACTION.finditer(sentence):
        frac = m.group("frac").lower().replace(" ", "-").removeprefix("a-").removeprefix("one-")
        out.append(
            Number(_FRACTIONS[frac], "percent", qualifier((m.group("qual") or "").strip() or None), m.start(), m.end())
        )
    for m in WORD_FIGURE.finditer(sentence):
        unit, length = noun_unit(sentence[m.end() - 1 : m.end() + 60])
        value = _WORD_NUM[m.group("word").lower()]
        if unit is None:
            continue
        if unit == "years" and not re.search(
            r"\b(?:to|up to|for)\s+$", sentence[max(0, m.start() - 8) : m.start()], re.I
        ):
            continue  # "for up to two years" is a figure; "over the next two years" is a period
        if re.search(r"\b(?:the|these|those|our|its|their|all)\s+$", sentence[max(0, m.start() - 8) : m.start()], re.I):
            continue  # "the five pillars": a name, not a figure
        out.append(Number(Decimal(value), unit, qualifier(m.group("qual")), m.start(), m.end() - 1 + length))
    for m in RANK.finditer(sentence):  # "the fourth largest professional group": a rank, unit:rank
        word = m.group("ord").lower()
        value = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        out.append(Number(Decimal(value), "rank", None, m.start(), m.end()))
    out.sort(key=lambda n: n.start)
    return out


# -- dates -----------------------------------------------------------------------------------------

_DATE_FULL = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_DATE_MONTH = re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_DATE_YEAR = re.compile(r"\b(?P<y>(?:19|20)\d\d)(?:\s?[/–-]\s?(?P<y2>\d\d|(?:19|20)\d\d))?\b")


def clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause of ``sentence`` around ``[start, end)`` (cut at , ; : – and "and")."""
    left = max(
        (
            sentence.rfind(mark, 0, start) + len(mark)
            for mark in (", ", "; ", ": ", " – ", " and ")
            if sentence.rfind(mark, 0, start) != -1
        ),
        default=0,
    )
    rights = [sentence.find(mark, end) for mark in (", ", "; ", ": ", " – ", " and ")]
    right = min([r for r in rights if r != -1], default=len(sentence))
    return left, right


_AS_OF = re.compile(
    rf"(?<!than )(?<!since )(?<!from )(?<!with )(?<!to )\b(?:as (?:of|at)|at the end of|by the end of|in|during|at|on|by)\s+"
    rf"(?P<when>(?:\d{{1,2}}\s+)?(?:{_MONTH}\s+)?(?:19|20)\d\d(?:\s?[/–-]\s?\d\d)?)\b",
    re.I,
)


def as_of(text: str) -> str | None:
    """The date a figure holds at ("in March 2023", "as at 2022/23"), not a baseline ("than in 2020")."""
    for m in _AS_OF.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if re.search(r"(?:than|since|from|compared (?:to|with)|with)\s*$", before):
            continue
        return parse_date(m.group("when"))
    return None


def parse_date(text: str) -> str | None:
    """The first explicit date in ``text`` as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    for rx, fmt in ((_DATE_FULL, "d"), (_DATE_MONTH, "m"), (_DATE_YEAR, "y")):
        m = rx.search(text)
        if m:
            y = int(m.group("y"))
            if fmt == "d":
                return f"{y:04d}-{MONTHS[m.group('m').lower()]:02d}-{int(m.group('d')):02d}"
            if fmt == "m":
                return f"{y:04d}-{MONTHS[m.group('m').lower()]:02d}"
            y2 = m.group("y2")
            if y2:  # a financial or academic year "2023/24" ends in its second year
                end = int(y2) if len(y2) == 4 else (y // 100) * 100 + int(y2)
                if end == y + 1:
                    return f"{end:04d}"
            return f"{y:04d}"
    return None


_DEADLINE = re.compile(
    rf"\b(?:by|before|no later than|until|within|in|during|from|over)\s+(?:the\s+)?(?:end of\s+(?:the\s+)?|spring\s+|summer\s+|autumn\s+|winter\s+|early\s+|late\s+)?"
    rf"(?P<when>(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTH}\s+)?(?:19|20)\d\d(?:\s?[/–-]\s?\d\d(?:\d\d)?)?)\b",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?:by|before|within|in|over|during)\s+(?:the\s+)?(?P<rel>end of (?:the|this) year|this year|next year|"
    r"the next (?P<n>\w+) years?|(?P<n2>\w+) years?|this financial year|next financial year|end of the decade)\b"
    r"|\b(?P<bare>this year|next year|by the end of the year)\b",
    re.I,
)
_BARE_MONTH = re.compile(
    rf"\b(?:by|before|no later than|until)\s+(?:the\s+)?(?:end of\s+)?(?P<m>{_MONTH})\b"
    rf"(?!\s+(?:\d|of\b))",
    re.I,
)
_MONTHS_AHEAD = re.compile(r"\b(?:within|in|over the next|in the next|within the next)\s+(?P<n>\w+)\s+months?\b", re.I)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "fifteen": 15,
    "twenty": 20,
    "twenty-four": 24,
    "thirty-six": 36,
}


def months_later(doc_date: str, months: int) -> str:
    """``doc_date`` (YYYY, YYYY-MM or YYYY-MM-DD) moved on by ``months``, as precise as the date was."""
    import calendar

    parts = [int(p) for p in doc_date.split("-")]
    if len(parts) == 1:
        return str(parts[0] + (months + 11) // 12)
    year, month = parts[0], parts[1] + months
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if len(parts) == 2:
        return f"{year:04d}-{month:02d}"
    day = min(parts[2], calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{day:02d}"


_DUE = re.compile(
    rf"\b(?P<cue>by|before|no later than|until|within|due(?:\s+in)?|available in|from|in|during)\s+"
    rf"(?:the\s+)?(?:end of\s+(?:the\s+)?|spring\s+|summer\s+|autumn\s+|winter\s+|early\s+|late\s+)?"
    rf"(?:{_MONTH}\s+or\s+)?"
    rf"(?P<when>(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTH}\s+)?(?:19|20)\d\d(?:\s?[/–-]\s?\d\d(?:\d\d)?)?)\b",
    re.I,
)
_END_OF_TERM = re.compile(r"\bby the end of [^().]{0,80}\((?P<when>(?:19|20)\d\d)\)")
_CUE_RANK = {
    "by": 0,
    "before": 0,
    "no later than": 0,
    "until": 0,
    "within": 1,
    "due": 1,
    "due in": 1,
    "available in": 1,
    "from": 2,
    "in": 3,
    "during": 3,
}


def deadline(sentence: str, doc_date: str | None) -> str | None:
    """The deadline a commitment sentence sets, as ``YYYY[-MM[-DD]]``.

    Explicit ("by March 2024", "by 2023/24", "due February or March 2023", "from April 2023") first,
    preferring "by"; relative ("this year", "next year", "within three years", "by the end of the year")
    only against the document's date when known.
    """
    m = _END_OF_TERM.search(sentence)
    if m:
        return m.group("when")
    found = sorted(_DUE.finditer(sentence), key=lambda x: _CUE_RANK.get(" ".join(x.group("cue").lower().split()), 3))
    strong = [x for x in found if _CUE_RANK.get(" ".join(x.group("cue").lower().split()), 3) <= 2]
    if strong:
        return parse_date(strong[0].group("when"))
    bare = _BARE_MONTH.search(sentence)
    if bare and doc_date and len(doc_date) >= 7:  # "by the end of March": the next March after the document
        month, (year, now) = MONTHS[bare.group("m").lower()], (int(doc_date[:4]), int(doc_date[5:7]))
        return f"{year + (month <= now):04d}-{month:02d}"
    ahead = _MONTHS_AHEAD.search(sentence)
    if ahead and doc_date:
        n = ahead.group("n").lower()
        count = _WORD_NUMBERS.get(n) or (int(n) if n.isdigit() else None)
        if count:
            return months_later(doc_date, count)
    rel = _RELATIVE.search(sentence)
    if rel and doc_date:
        year = int(doc_date[:4])
        phrase = (rel.group("rel") or rel.group("bare") or "").lower()
        n = rel.group("n") or rel.group("n2")
        if "next" in phrase and not n:
            return str(year + 1)
        if "this" in phrase or "end of the year" in phrase:
            return str(year)
        if n:
            count = _WORD_NUMBERS.get(n.lower()) or (int(n) if n.isdigit() else None)
            if count:
                return str(year + count)
        if "decade" in phrase:
            return str((year // 10) * 10 + 10)
    if found and re.search(r"\bwill\b|\btarget\b|\baim\b", sentence, re.I):
        return parse_date(found[0].group("when"))
    return None


# -- commitments -----------------------------------------------------------------------------------

COMMITMENT = re.compile(
    r"\b(?:will(?! not be possible)|shall|are committed to|is committed to|remain committed to|commit(?:s|ted)? to|"
    r"pledge[sd]?|promise[sd]?|aim(?:s|ing)? to|intend(?:s)? to|plan(?:s|ning)? to|want(?:s)? to|"
    r"ambition (?:to|of|is)|target (?:of|to|is)|are going to|(?:has|have) agreed to|agreed to|undertake to|"
    r"seek(?:s|ing)? to|expect(?:s)? to|commitment to|ambitions? for|intention is to|"
    r"(?:are|is|have been|has been) (?:also |currently |now |actively )?(?:working|developing|establishing|investing|introducing|exploring|"
    r"focus+ing|creating|building|trialling|piloting|rolling out|expanding|reviewing|considering)\b|"
    r"(?:are|is) being (?:created|developed|introduced|rolled out|expanded|established|piloted|reviewed)|propose(?:s)? to|is due to|are due to|would be available|to be published|"
    r"wants? (?:[\w’']+\s+){1,4}to|recommend(?:s|ed)? (?:that|to)|must|need(?:s)? to|should|would (?:lead|work|develop|bring|provide|review|report|"
    r"publish|be (?:brought|presented|provided|developed|published|reviewed|set up|ready|in place|completed?|"
    r"available|delivered|launched|established|introduced|in post)|set up|establish|introduce|"
    r"launch|consider|explore|ensure|take|deliver|fund|invest|continue|seek|produce|prepare|return)|"
    r"^\d+\)\s+(?:that|to)\b|^(?:\d+\)\s+)?(?:resolved|agreed)\b[^.]{0,20}?\b(?:that|to)\b|"
    r"(?:we|they|it) are (?:working|developing|establishing|investing|introducing|exploring)|"
    r"continue(?:s)? to|our (?:aim|ambition|goal|priority|vision|commitment) (?:is|was)|"
    r"requested|(?:is|was|are|were) (?:being )?(?:developed|considering|considered)|(?:is|are|was) due|"
    r"will be (?:available|published|launched|set up|established))\b",
    re.I,
)
_PLEDGE = re.compile(r"\bcommit|\bpledge|\bpromise|\bguarantee|\bmanifesto|\bwill\b|\bagreed\b", re.I)
_INTENT = re.compile(
    r"\bconsider|\bexplore|\baim|\bintend|\bplan(?:s|ning)? to|\bwant|\bhope|\bambition|\bseek|\bpropose|\bwork towards",
    re.I,
)
_NON_ACTOR = re.compile(
    r"^(?:this|that|these|those|which|it|they)\s+will\s+(?:allow|mean|enable|help|ensure|give|provide|be|support|make|also)\b",
    re.I,
)


FUTURE = re.compile(
    r"\b(?:will|shall|would|aim|commit|pledge|promise|target|ambition|plan|intend|want|going to|by|"
    r"due|expect|propose|seek|must|need)\b",
    re.I,
)


def commitment_type(sentence: str, has_target: bool) -> tuple[list[str], float]:
    """The commitment classes a sentence suggests and a confidence for it being a commitment."""
    if not COMMITMENT.search(sentence):
        return [], 0.0
    kinds = []
    if has_target:
        kinds.append("Target")
    if _PLEDGE.search(sentence):
        kinds.append("Pledge")
    if _INTENT.search(sentence) or not kinds:
        kinds.append("Intention")
    conf = 0.6
    if re.search(
        r"\b(?:we|the government|the department|ministers?)\s+(?:will|are committed|commit|pledge)", sentence, re.I
    ):
        conf = 0.8
    if _NON_ACTOR.search(sentence):
        conf = 0.4
    return kinds, conf


# -- names -----------------------------------------------------------------------------------------

_CAP = r"(?:[A-Z][A-Za-z’'\-]*|[A-Z]{2,}|NHS)"
_LINK = r"(?:\s+(?:of|for|and|&|on|in|the|de)\s+|\s+)"
ORG_HEADS = (
    r"Council|Board|Boards|Committee|Trust|Agency|Department|College|Colleges|Society|Association|"
    r"Commission|Institute|Institution|Partnership|Authority|Office|Executive|University|Federation|"
    r"Foundation|Union|Panel|Ministry|Inspectorate|Confederation|Network|Alliance|Group|Groups|Unit|Team|"
    r"Government|Parliament|Assembly|Cabinet|Directorate|Centre|Center|Hospital|Hospitals|Corporation|"
    r"Company|Council|Cooperative|Collaborative|Charity|Charities|Organisation"
)
PROG_HEADS = (
    r"Plan|Strategy|Framework|Fund|Grant|Scheme|Programme|Program|Academy|Act|Standard|Standards|"
    r"Review|Pathway|Initiative|Campaign|Charter|Compact|Bill|Guidance|Code of Practice|Code|Policy|"
    r"Promise|Pledge|Offer|Passport|Platform|Hub|Portal|Survey|Census|Dataset|Data Set|Tool|Toolkit|"
    r"White Paper|Green Paper|Model|Bursary|Allowance|Award|Service|Project|Pilot|Collaborative|Approach|"
    r"Agreement|Concordat|Contract|Forum"
)
_PLACE = r"(?:\s+(?:Wales|Scotland|England|Northern Ireland|Cymru|UK))?"
ORG_NAME = re.compile(rf"\b(?P<name>(?:{_CAP}{_LINK}){{0,6}}(?:{ORG_HEADS}){_PLACE})\b(?!\s+(?:{PROG_HEADS})\b)")
PROG_NAME = re.compile(
    rf"\b(?P<name>(?:{_CAP}{_LINK}){{0,7}}(?:{PROG_HEADS})(?:\s+(?:19|20)\d\d(?:/\d\d)?|\s+\d{{1,3}}(?!\d|,))?"
    rf"(?:\s+(?:for|on|of)\s+(?:{_CAP}(?:\s+(?:and|&|of|for)\s+|\s+)){{0,6}}{_CAP}(?<!\bThe))?)\b"
)
PROG_PHRASE = re.compile(
    r"\b(?:established|launched|set up|created|introduced|developed|published|announced|running|runs|ran|"
    r"delivering|delivered|leading|led|funding|funded|hosts?|hosted|expanded|extended|piloted|trialled|"
    r"commissioned|formed|rolled out|for|towards|into|extend|launch|open|approved?|approves|pay for|"
    r"invest(?:s|ed)? in)\s+(?:a|an|the|its|our|their|his|her)\s+"
    r"(?P<name>(?:(?!(?:a|an|the|and|or|to|of|for|in|with|which|that)\b)[\w\-()/’']+\s+){1,7}?"
    r"(?:programme|scheme|strategy|framework|fund|plan|network|forum|review|pilot|trial|toolkit|standard|"
    r"campaign|initiative|service|academy|pathway|collaborative|platform|hub|survey))\b",
    re.I,
)
UNIT_NAME = re.compile(
    r"\bthe\s+(?P<name>(?:(?!(?:and|or|of|to|for|with|in|on|the|a|an)\b)[a-z][\w\-]*\s+){1,4}"
    r"(?:team|unit|directorate|department|division|service))\b"
)
PROG_NAMED = re.compile(
    r"\b(?:programme|scheme|initiative|campaign|network|service|fund|project|pilot|framework|strategy)\s*"
    r"(?:–|—|-|:|,|called|named|known as|entitled)\s*[“\"‘']?"
    r"(?P<name>[A-Z][\w’'\-]*(?:\s+(?:and|&|of|for|the|in|to|at|[A-Z][\w’'\-]*)){0,8}(?:\s+[A-Z][\w’'\-]*))"
)
UNIVERSITY_NAME = re.compile(
    r"\b(?P<name>(?:University|College|Institute|Royal College) of (?:the )?"
    r"[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*){0,3})"
)
NATION_NAME = re.compile(r"\b(?P<name>(?:[A-Z][\w’'\-]*\s+){1,3}(?:England|Wales|Scotland|Northern Ireland|Cymru))\b")
DEPT_NAME = re.compile(
    r"\b(?P<name>(?:Department|Ministry|Office) (?:of|for) (?:the )?[A-Z][\w’'\-]*(?:(?: and| &)? [A-Z][\w’'\-]*){0,4})(?![\w’'\-])"
)
NHS_NAME = re.compile(r"\bNHS\s+(?P<rest>(?:[A-Z][a-z]+\s?){1,3})")
ABBREV_DEF = re.compile(rf"(?P<name>(?:{_CAP}{_LINK}){{1,8}}{_CAP})(?:’s|'s)?\s+\((?P<abbr>[A-Z][A-Za-z&]{{1,9}})\)")
_LEADING = re.compile(
    r"^(?:The|A|An|This|That|These|Those|Our|Their|Its|His|Her|Under|In|On|At|By|For|From|With|Through|Via|As|And|Of|To|Since|During|Following|Whilst|While|When|If|Where|Both|Each|Every|Any|All)\s+"
)


COLLECTIVE_HEADS = (
    r"providers|employers|practices|pharmacies|networks|universities|think tanks|suppliers|trusts|"
    r"organisations|authorities|councils|care homes|boards|partners|stakeholders|unions|colleges|"
    r"regulators|charities|institutes|institutions|sector|commissioners|ambulance services|agencies|"
    r"bodies|schools|hospitals|governments|ministers"
)
_GROUP_MOD = (
    r"(?:NHS|GP|ICS|local|health|care|social|adult|community|primary|secondary|acute|ambulance|"
    r"independent|private|voluntary|third|professional|educational|education|higher|royal|medical|"
    r"nursing|dental|mental|IT|digital|housing|public|national|regional|statutory|integrated|"
    r"home|domiciliary|residential|partner|provider|employer|trade|think|Scottish|Welsh|English|"
    r"devolved|UK|clinical|training|health and care|health and social care|social care|"
    r"care and support|specialist|arm's length|arm’s length)"
)
GROUP_NAME = re.compile(
    rf"\b(?P<name>(?:{_GROUP_MOD}\s+){{1,3}}(?:{COLLECTIVE_HEADS}))\b"
    r"|\b(?P<bare>universities|employers|care homes|ambulance services|regulators|charities|hospices|"
    r"pharmacies|think tanks|trade unions|royal colleges|care providers|councils)\b",
    re.I,
)
POST_NAME = re.compile(
    r"\b(?P<name>(?:the\s+)?(?:Cabinet\s+)?(?:Secretary of State|Health Secretary|Cabinet Secretary|Minister|Ministers|"
    r"Chief (?:Nursing|Medical|Executive|Social Work|Allied Health Professions?|Scientific) Officer|Director|Chair|"
    r"Chief Executive|Commissioner)(?:\s+(?:for|of)\s+(?:[A-Z][\w’'\-]*(?:\s+(?:and|&|of|for)\s+|\s+)?){1,6})?)"
    r"|\b(?P<plural>Scottish Ministers|Welsh Ministers|Ministers)\b"
)


RATING_WORDS = re.compile(r"\b(?:Outstanding|Good|Requires improvement|Inadequate)\b", re.I)
NUMBERED_LABEL = re.compile(
    r"^(?:Pledge|Promise|Offer|Commitment|Review|Standard|Plan|Scheme|Programme|Project|Pilot|"
    r"Phase|Pillar|Priority|Action|Recommendation|Objective)\s+\d+$"
)


def trim_name(name: str) -> str:
    """A name without a leading article or sentence-initial word, or a trailing month or year."""
    name = re.sub(rf"(?:\s+(?:{_MONTH}|(?:19|20)\d\d))+$", "", name)
    prev = None
    while prev != name:
        prev = name
        m = _LEADING.match(name)
        if m and len(name.split()) > 2:
            name = name[m.end() :]
    return name.strip()


def initials_match(name: str, abbr: str) -> bool:
    """Whether ``abbr`` plausibly abbreviates ``name`` (its letters are the initials, in order)."""
    letters = [
        w[0].upper()
        for w in re.findall(r"[A-Za-z][A-Za-z’'\-]*", name)
        if w.lower() not in ("of", "for", "and", "the", "on", "in", "de")
    ]
    initials = "".join(letters)
    a = "".join(ch for ch in abbr if ch.isupper())
    if a.startswith("NHS") and name.startswith("NHS"):
        return True
    if name.startswith("NHS ") and not a.startswith("N"):  # "NHS Northshire Integrated Care Board (NICB)"
        initials = initials[1:]
    it = iter(initials)
    return len(a) >= 2 and a[0] == (initials[:1] or "?") and all(ch in it for ch in a)


PROGRAMME_KIND = [
    ("Act", "legislation"),
    ("Bill", "legislation"),
    ("Plan", "plan"),
    ("Strategy", "strategy"),
    ("Framework", "framework"),
    ("Fund", "fund"),
    ("Grant", "grant"),
    ("Bursary", "grant"),
    ("Allowance", "grant"),
    ("Scheme", "scheme"),
    ("Standard", "standard"),
    ("Code", "standard"),
    ("Guidance", "policy"),
    ("Policy", "policy"),
    ("Review", "report"),
    ("White Paper", "policy"),
    ("Green Paper", "policy"),
    ("Campaign", "campaign"),
    ("Survey", "survey"),
    ("Census", "survey"),
    ("Platform", "platform"),
    ("Portal", "platform"),
    ("Hub", "platform"),
    ("Tool", "platform"),
    ("Forum", "forum"),
    ("Service", "service"),
    ("Centre", "centre"),
    ("Academy", "programme"),
]


def programme_kind(name: str) -> str:
    """The programme kind (``pkind:``) a name's head word suggests."""
    for word, kind in PROGRAMME_KIND:
        if re.search(rf"\b{word}\b", name):
            return kind
    return "programme"


ORG_TYPES = [
    (r"\bTrust\b|\bFoundation Trust\b", "nhs-trust"),
    (r"\bCommittee\b", "committee"),
    (r"\bPanel\b", "expert-panel"),
    (r"\bCouncil\b|\bAuthority\b", "local-authority"),
    (
        r"\bCollege\b|\bSociety\b|\bAssociation\b|\bInstitute\b|\bFederation\b|\bUnion\b|\bConfederation\b",
        "professional-body",
    ),
    (r"\bUniversity\b|\bAcademy\b|\bSchool\b", "education-provider"),
    (r"\bDepartment\b|\bMinistry\b|\bOffice\b", "ministerial-department"),
    (r"\bGovernment\b|\bExecutive\b|\bCabinet\b", "devolved-government"),
    (r"\bCommission\b|\bInspectorate\b|\bRegulator", "regulator"),
    (r"\bBoard\b|\bAgency\b|\bNHS\b", "arms-length-body"),
    (r"\bCharity\b|\bFoundation\b", "charity"),
]


COLLECTIVE_TYPES = [
    (r"trusts", "nhs-trust"),
    (r"councils|authorities", "local-authority"),
    (r"regulators", "regulator"),
    (r"universities|schools|colleges|institutes|institutions", "education-provider"),
    (r"unions|royal colleges|professional", "professional-body"),
    (r"charities|third sector|voluntary", "charity"),
    (r"ministers|governments", "national-government"),
    (r"systems\b", "integrated-care-system"),
]


def collective_type(name: str) -> str:
    """The organisation type of a group the text names ("NHS trusts", "local authorities" …)."""
    for pattern, otype in COLLECTIVE_TYPES:
        if re.search(pattern, name, re.I):
            return otype
    return "service-provider"


def organisation_type(name: str) -> str:
    """The organisation type (``otype:``) a name suggests (``service-provider`` when none does)."""
    for pattern, otype in ORG_TYPES:
        if re.search(pattern, name):
            return otype
    return "service-provider"


# -- responsibilities and changes ------------------------------------------------------------------

ROLE_CUES = [
    (
        re.compile(
            r"\bled by\s+(?P<after>)|\b(?P<before>)(?:is|are|was|were|will be)\s+(?:leading|responsible for leading)\b|\b(?P<before2>)(?:will\s+)?(?:lead|leads|led)\s+(?:on\s+|the\s+|this\s+|a\s+|its\s+)",
            re.I,
        ),
        "lead",
    ),
    (
        re.compile(
            r"\bon behalf of\s+(?P<after3>)|\bcommissioned by\s+(?P<after>)|\b(?P<before>)commissioned\s+(?!by|from|to)",
            re.I,
        ),
        "commissioner",
    ),
    (
        re.compile(
            r"\bcommissioned from\s+(?P<after>)|\b(?P<before>)(?:was|were|has been|have been)\s+commissioned\b", re.I
        ),
        "lead",
    ),
    (
        re.compile(
            r"\bfunded by\s+(?P<after>)|\bfunding from\s+(?P<after2>)|\b(?P<before>)(?:will\s+)?(?:fund|funds|funded|invest|invests|invested|provide[sd]? funding|allocat(?:e|es|ed)|"
            r"set aside|contribut(?:e|es|ed)|approved [^.;]{0,30}?funding)\b|\b(?P<before2>)(?:’s|')?\s*funding of\s+£",
            re.I,
        ),
        "funder",
    ),
    (
        re.compile(
            r"\b(?:working|work|works|worked)\s+(?:closely\s+)?(?:with|alongside)\s+(?P<after>)|\bin (?:close\s+)?(?:collaboration|partnership|conjunction) with\s+(?P<after2>)|\bpartnership (?:between|with)\s+(?P<after3>)|\bwith input from\s+(?P<after4>)|\bconsult(?:ing|ed|ation)? with\s+(?P<after5>)|\b(?:agreed|negotiated|developed|designed|co-produced|signed|established|set up|launched|delivered|jointly)\b[^.;]{0,60}?\bwith\s+(?:the\s+)?(?P<after6>)",
            re.I,
        ),
        "partner",
    ),
    (
        re.compile(
            r"\b(?P<before3>)(?:’s|'s) progress (?:against|on|towards|in)\b|\b(?P<before>)(?:is|are|will be|was|were|remains?)\s+(?:ultimately\s+)?(?:responsible|accountable) for\b|\bresponsibility (?:of|lies with|rests with)\s+(?P<after>)|\b(?P<before2>)(?:has|have) responsibility\b|\breport(?:s|ing)? to\s+(?P<after2>)",
            re.I,
        ),
        "accountable",
    ),
    (
        re.compile(
            r"\bevaluated by\s+(?P<after>)|\b(?P<before>)(?:evaluat(?:ed|es)|rated|rates|assess(?:ed|es))\b", re.I
        ),
        "evaluator",
    ),
    (re.compile(r"\bregulated by\s+(?P<after>)|\b(?P<before>)regulates\b", re.I), "regulator"),
    (re.compile(r"\bemployed by\s+(?P<after>)|\b(?P<before>)employs\b", re.I), "employer"),
    (
        re.compile(
            r"\b(?P<before>)(?:will|is to|are to|shall|to)\s+(?:deliver|develop|publish|implement|establish|set up|introduce|launch|produce|run|oversee|coordinate|host)\b|\b(?P<before2>)hosted\b|\bdelivered by\s+(?P<after>)|\bhosted by\s+(?P<after2>)",
            re.I,
        ),
        "lead",
    ),
]

CHANGE = re.compile(
    r"(?P<a>)(?:was|were|has been|have been|will be|is being|are being)?\s*(?:merged (?:into|with)|"
    r"(?:will|would|is to|are to|is due to|are due to|to)\s+merge (?:into|with)|replaced by|"
    r"became part of|abolished and (?:its|their) functions transferred to|transferred to|absorbed into|"
    r"incorporated into|succeeded by|subsumed into)\s+",
    re.I,
)
