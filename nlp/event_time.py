"""When did it happen? A stated past time ("yesterday", "hace tres días", "jana") as an offset from now.

Clustering compares event times, not arrival times: a report about last night must not join a live
incident, and a live emergency must not be swallowed by an incident about yesterday. Only explicit
time words count; a report that states none is taken to be about now. Matching runs on folded text
(nlp.text.fold: lower case, no accents, Arabic letters normalised).
"""

from __future__ import annotations

import re
from datetime import timedelta

from nlp.text import fold

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "few": 3,
    "several": 3,
    "un": 1,
    "una": 1,
    "une": 1,
    "um": 1,
    "uma": 1,
    "dos": 2,
    "deux": 2,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "trois": 3,
    "quelques": 3,
    "unos": 3,
    "unas": 3,
    "alguns": 3,
    "algumas": 3,
    "moja": 1,
    "mbili": 2,
    "tatu": 3,
    "kadhaa": 3,
}
_UNITS = {
    "hour": HOUR,
    "hours": HOUR,
    "hora": HOUR,
    "horas": HOUR,
    "heure": HOUR,
    "heures": HOUR,
    "h": HOUR,
    "day": DAY,
    "days": DAY,
    "dia": DAY,
    "dias": DAY,
    "jour": DAY,
    "jours": DAY,
    "week": 7 * DAY,
    "weeks": 7 * DAY,
    "semana": 7 * DAY,
    "semanas": 7 * DAY,
    "semaine": 7 * DAY,
    "semaines": 7 * DAY,
    "month": 30 * DAY,
    "months": 30 * DAY,
    "mes": 30 * DAY,
    "meses": 30 * DAY,
    "mois": 30 * DAY,
    "year": 365 * DAY,
    "years": 365 * DAY,
    "ano": 365 * DAY,
    "anos": 365 * DAY,
    "an": 365 * DAY,
    "ans": 365 * DAY,
    "annee": 365 * DAY,
    "annees": 365 * DAY,
}
_COUNT = r"(?P<n>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
# "3 days ago", "two weeks ago"; "hace 3 dias"; "il y a deux jours"; "ha 3 dias", "faz uma semana"
_AGO = [
    re.compile(rf"\b{_COUNT}\s+{_UNIT}\s+ago\b"),
    re.compile(rf"\b(?:hace|desde hace|il y a|ha|faz)\s+{_COUNT}\s+{_UNIT}\b"),
]
# Swahili: "siku tatu zilizopita", "wiki mbili zilizopita", "saa moja iliyopita"
_SW_UNITS = {"saa": HOUR, "siku": DAY, "wiki": 7 * DAY, "mwezi": 30 * DAY, "miezi": 30 * DAY, "mwaka": 365 * DAY}
_SW_AGO = re.compile(
    r"\b(?P<unit>saa|siku|wiki|mwezi|miezi|mwaka)\s+(?P<n>\d+|\w+)\s+(?:zilizopita|iliyopita|uliopita)\b"
)

# Fixed phrases, longest offset wins. Folded forms (no accents; Arabic alif and ta marbuta normalised).
_PHRASES: tuple[tuple[timedelta, tuple[str, ...]], ...] = (
    (
        365 * DAY,
        (
            "last year",
            "el ano pasado",
            "l'an dernier",
            "l'annee derniere",
            "ano passado",
            "mwaka jana",
            "السنه الماضيه",
            "العام الماضي",
        ),
    ),
    (30 * DAY, ("last month", "el mes pasado", "le mois dernier", "mes passado", "mwezi uliopita", "الشهر الماضي")),
    (
        7 * DAY,
        (
            "last week",
            "la semana pasada",
            "la semaine derniere",
            "semana passada",
            "wiki iliyopita",
            "الاسبوع الماضي",
            "الاسبوع اللي فات",
        ),
    ),
    (
        3 * DAY,
        (
            "the other day",
            "days ago",
            "el otro dia",
            "l'autre jour",
            "outro dia",
            "siku zilizopita",
            "منذ ايام",
            "من كام يوم",
            "قبل ايام",
        ),
    ),
    (DAY, ("yesterday", "ayer", "hier", "ontem", "jana", "امس", "امبارح", "البارحه", "مبارح")),
    (
        12 * HOUR,
        (
            "last night",
            "anoche",
            "la nuit derniere",
            "hier soir",
            "ontem a noite",
            "ontem de noite",
            "usiku wa jana",
            "jana usiku",
            "ليله امس",
            "امبارح بالليل",
        ),
    ),
    (
        4 * HOUR,
        (
            "this morning",
            "earlier today",
            "esta manana",
            "hoy temprano",
            "ce matin",
            "hoje de manha",
            "esta manha",
            "asubuhi ya leo",
            "leo asubuhi",
            "الصبح",
            "هذا الصباح",
        ),
    ),
    (
        HOUR,
        (
            "an hour ago",
            "hace una hora",
            "il y a une heure",
            "ha uma hora",
            "saa moja iliyopita",
            "قبل ساعه",
            "من ساعه",
        ),
    ),
)


def _count(raw: str) -> int:
    return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 1)


def stated_offset(text: str) -> timedelta | None:
    """How long ago the text says it happened, or None when it states no past time."""
    folded = fold(text)
    found: list[timedelta] = []
    for pattern in _AGO:
        for match in pattern.finditer(folded):
            found.append(_count(match["n"]) * _UNITS[match["unit"]])
    for match in _SW_AGO.finditer(folded):
        found.append(_count(match["n"]) * _SW_UNITS[match["unit"]])
    for offset, phrases in _PHRASES:
        if any(re.search(rf"(?<!\w){re.escape(fold(p))}(?!\w)", folded) for p in phrases):
            found.append(offset)
    return max(found) if found else None
