"""Text normalisation shared by the matchers: lower case, no accents, no Arabic diacritics."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alif, tatweel
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip Latin accents and Arabic diacritics, collapse spaces."""
    text = _ARABIC_MARKS.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # NFKD splits Arabic letters like alif-with-hamza; recompose what is not a Latin accent.
    stripped = unicodedata.normalize("NFKC", stripped)
    stripped = stripped.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه").replace("ى", "ي")
    return _SPACES.sub(" ", stripped).strip()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))
