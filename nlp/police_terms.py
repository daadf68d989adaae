"""Words that name the police or other armed or security forces, in the deployment languages.

A second look, beside the classifier, for the police safeguard: a reporter's follow-up on an incident
the police were told about that names them ("the police who came are beating people") is treated as a
complaint about the police whatever label the model gives it. Matched at word starts on folded text.
"""

from __future__ import annotations

import re

from nlp.text import fold

POLICE_WORDS: tuple[str, ...] = (
    # en
    "police",
    "policeman",
    "policemen",
    "policewoman",
    "cop",
    "cops",
    "officer",
    "officers",
    "soldier",
    "soldiers",
    "army",
    "military",
    "guard",
    "guards",
    "watchman",
    "askari",
    "constable",
    # es, pt
    "policia",
    "policias",
    "policial",
    "policiais",
    "agente",
    "agentes",
    "militar",
    "militares",
    "soldado",
    "soldados",
    "guardia",
    "guarda",
    "tombo",
    "tombos",
    "paco",
    "pacos",
    "pm",
    # fr
    "policier",
    "policiers",
    "flic",
    "flics",
    "gendarme",
    "gendarmes",
    "keuf",
    "keufs",
    "militaire",
    # sw
    "polisi",
    "afande",
    "mwanajeshi",
    "wanajeshi",
    "jeshi",
    "mgambo",
    # ar (folded: alif forms and ta marbuta normalised)
    "الشرطه",
    "شرطه",
    "شرطي",
    "بوليس",
    "البوليس",
    "الامن",
    "عسكري",
    "الجيش",
    "حارس",
)
_PATTERN = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in POLICE_WORDS) + r")(?!\w)")


def mentions_police(text: str) -> bool:
    return _PATTERN.search(fold(text)) is not None
