"""Translations at run time: each locales/<lang>/LC_MESSAGES/messages.po is read once and kept.

    translate("es", catalog.ASK_DANGER, yes=keyword("es", "YES"), no=keyword("es", "NO"))
    match_keyword("¡Ayuda!") == "HELP"; match_answer("ndiyo") is True

The English texts in locales/catalog.py are the msgids. An unknown language or a missing translation
falls back to English, so a reporter always gets an answer.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path

from babel.messages.pofile import read_po

from locales import catalog

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "sw", "ar")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
    "sw": "Kiswahili",
    "ar": "العربية",
}
KEYWORD_NAMES: tuple[str, ...] = catalog.KEYWORDS  # HELP, STOP, DELETE, YES, NO, QUIET, ACK, DONE

LOCALE_DIR = Path(__file__).resolve().parent

_lock = threading.Lock()
_catalogs: dict[str, dict[tuple[str | None, str], str]] = {}
_keyword_index: dict[str, str] | None = None


def normalize_language(code: str | None) -> str:
    """A supported language code for "es", "es-MX", "pt_BR", "AR"...; English for anything else."""
    if code:
        base = re.split(r"[-_@.]", code.strip().lower(), maxsplit=1)[0]
        if base in SUPPORTED_LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def _load(lang: str) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) -> msgstr for one language; empty and fuzzy entries are left out."""
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as fileobj:
        po = read_po(fileobj)
    table: dict[tuple[str | None, str], str] = {}
    for message in po:
        if not message.id or message.fuzzy or isinstance(message.id, tuple):
            continue
        if isinstance(message.string, str) and message.string and isinstance(message.id, str):
            table[(message.context, message.id)] = message.string
    return table


def _table(lang: str) -> dict[tuple[str | None, str], str]:
    table = _catalogs.get(lang)
    if table is None:
        with _lock:
            table = _catalogs.get(lang)
            if table is None:
                try:
                    table = _load(lang)
                except OSError:
                    log.error("no catalogue for language %r; using English", lang)
                    table = {}
                _catalogs[lang] = table
    return table


def _lookup(lang: str, msgid: str, context: str | None = None) -> str:
    return _table(normalize_language(lang)).get((context, msgid)) or msgid


def translate(lang: str, msgid: str, /, **params: object) -> str:
    """The text of msgid in lang (English when missing), with its {named} placeholders filled in."""
    text = _lookup(lang, msgid)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        if text == msgid:
            raise
        log.error("bad placeholders in the %r translation of %r; using English", lang, msgid)
        return msgid.format(**params)


def pgettext(lang: str, context: str, msgid: str) -> str:
    """The translation of msgid with a msgctxt (English when missing)."""
    return _lookup(lang, msgid, context)


def _alternatives(lang: str, name: str) -> list[str]:
    return [word.strip() for word in pgettext(lang, catalog.KEYWORD_CONTEXT, name).split("|") if word.strip()]


def keyword(lang: str, name: str) -> str:
    """The word shown to users of lang for a keyword ("HELP", "STOP", ...): keyword("es", "HELP") == "AYUDA"."""
    name = name.upper()
    if name not in KEYWORD_NAMES:
        raise ValueError(f"unknown keyword {name!r}; known: {', '.join(KEYWORD_NAMES)}")
    words = _alternatives(lang, name)
    return words[0] if words else name


def keyword_words(lang: str, name: str) -> tuple[str, ...]:
    """Every word accepted for a keyword in lang, the shown one first."""
    name = name.upper()
    if name not in KEYWORD_NAMES:
        raise ValueError(f"unknown keyword {name!r}")
    return tuple(_alternatives(lang, name)) or (name,)


def type_name(lang: str, label: str) -> str:
    """The name of an incident type label ("sexual_harassment") in lang."""
    msgid = catalog.TYPE_NAMES.get(label)
    if msgid is None:
        log.error("unknown incident type %r", label)
        return label.replace("_", " ")
    return pgettext(lang, catalog.TYPE_CONTEXT, msgid)


def urgency_name(lang: str, urgency: str) -> str:
    """The name of an urgency label ("emergency", "urgent", "routine") in lang."""
    msgid = catalog.URGENCY_NAMES.get(urgency)
    return translate(lang, msgid) if msgid else urgency.upper()


def language_choices() -> str:
    """The {choices} of catalog.LANGUAGE_CHOICES: "en English, es Español, ..., ar العربية"."""
    return ", ".join(f"{code} {LANGUAGE_NAMES[code]}" for code in SUPPORTED_LANGUAGES)


# --- keyword matching -------------------------------------------------------------------------------

# Arabic spelling variants people mix up when typing: ta marbuta / ha, alef maqsura / ya; tatweel dropped.
# (Hamza and madda on alef, and the short vowels, go with the other combining marks.)
_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
_BOT_COMMAND = re.compile(r"^\s*/(\w+)@\w+\s*$")  # Telegram's "/help@SalamaBot"


def _normalize(text: str) -> str:
    """Case, accents, Arabic diacritics and punctuation dropped; words separated by single spaces."""
    text = _BOT_COMMAND.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_FOLD).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join(text.split())


def _index() -> dict[str, str]:
    global _keyword_index
    if _keyword_index is None:
        index: dict[str, str] = {}
        for name in KEYWORD_NAMES:
            index[_normalize(name)] = name
        for lang in SUPPORTED_LANGUAGES:
            for name in KEYWORD_NAMES:
                for word in _alternatives(lang, name):
                    key = _normalize(word)
                    if key and index.setdefault(key, name) != name:
                        log.error("keyword %r (%s) is also %s; keeping %s", word, lang, index[key], index[key])
        _keyword_index = index
    return _keyword_index


def match_keyword(text: str) -> str | None:
    """The keyword name ("HELP", "STOP", ...) when the whole message is that keyword in any language.

    Case, accents, punctuation, surrounding space and a leading "/" are ignored: "/help", "¡Ayuda!",
    "Sí", "NÃO", "مساعدة" all match. A keyword inside a sentence ("help me he is here") does not.
    """
    if not text:
        return None
    key = _normalize(text)
    return _index().get(key) if key else None


def match_answer(text: str) -> bool | None:
    """True for a yes-word in any supported language ("yes", "si", "oui", "sim", "ndiyo", "نعم"...),
    False for a no-word ("no", "non", "não", "hapana", "لا"...), None for anything else."""
    return {"YES": True, "NO": False}.get(match_keyword(text) or "")
