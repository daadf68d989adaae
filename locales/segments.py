"""SMS length arithmetic: encoding, segment count, and an accent-stripping fallback to GSM-7.

A message in the GSM-7 alphabet fits 160 characters in one SMS, 153 per segment when split; the
extension characters (^ { } \\ [ ~ ] | € and form feed) take two of those places each. Any character
outside GSM-7 makes the whole message UCS-2: 70 UTF-16 code units in one SMS, 67 per segment when
split (a character outside the BMP, e.g. most emoji, takes two). A segment never splits an escape
pair or a surrogate pair.
"""

from __future__ import annotations

import unicodedata

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# 3GPP TS 23.038 default alphabet, in table order (0x1B is the escape to the extension table).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"

_BASIC = frozenset(GSM7_BASIC) - {"\x1b"}
_EXTENSION = frozenset(GSM7_EXTENSION)
_GSM7 = _BASIC | _EXTENSION

SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}

# Characters outside GSM-7 with a plain GSM-7 form that decomposition does not give.
_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00b7": ".",
    "\u2022": "-",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\t": " ",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f0": "d",
    "\u00d0": "D",
    "\u00fe": "th",
    "\u00de": "TH",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u00b0": "o",
}


def sms_encoding(text: str) -> str:
    """ "GSM-7" when every character is in the GSM-7 alphabet (or its extension), else "UCS-2"."""
    return GSM7 if all(ch in _GSM7 for ch in text) else UCS2


def _units(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if ch in _EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_segments(text: str) -> int:
    """How many SMS segments the text takes (an empty text still takes one)."""
    encoding = sms_encoding(text)
    units = _units(text, encoding)
    if sum(units) <= SINGLE_LIMIT[encoding]:
        return 1
    limit = PART_LIMIT[encoding]
    segments, used = 1, 0
    for size in units:
        if used + size > limit:  # an escape or surrogate pair never straddles two segments
            segments, used = segments + 1, 0
        used += size
    return segments


def _plain(ch: str) -> str | None:
    """A GSM-7 stand-in for one character outside GSM-7, or None when there is none."""
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    if unicodedata.category(ch) == "Cf":  # invisible: zero-width space, direction marks, ...
        return ""
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if bare and all(c in _GSM7 for c in bare):
        return bare
    return None


def for_sms(text: str) -> str:
    """The text in GSM-7 if dropping accents from the characters outside GSM-7 gets it there, else unchanged.

    Characters already in GSM-7 (é, è, ñ, ü, à, ¿, ¡ ...) are kept; á -> a, ç -> c, ã -> a, ê -> e,
    ’ -> ', « -> ". Text that would still need UCS-2 (Arabic, emoji) is returned exactly as given.
    """
    if sms_encoding(text) == GSM7:
        return text
    out = []
    for ch in text:
        if ch in _GSM7:
            out.append(ch)
            continue
        plain = _plain(ch)
        if plain is None:
            return text
        out.append(plain)
    return "".join(out)
