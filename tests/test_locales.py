"""Translations: complete, placeholders intact, short enough for SMS; keyword matching; SMS arithmetic."""

from __future__ import annotations

import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import locales
from locales import catalog
from locales.segments import for_sms, sms_encoding, sms_segments
from taxonomy import INCIDENT_TYPES

LOCALE_DIR = Path(locales.__file__).resolve().parent
LANGS = locales.SUPPORTED_LANGUAGES
LATIN_LANGS = tuple(lang for lang in LANGS if lang != "ar")

# Reporter messages that must fit one SMS segment in every language (Arabic: 70 characters).
SINGLE = {
    "ASK_WHAT",
    "ASK_WHERE",
    "ASK_DANGER",
    "CONFIRM_EMERGENCY",
    "CONFIRM_RECORDED",
    "ADDED",
    "STOPPED",
    "DELETED",
    "LANGUAGE_SET",
    "NOT_UNDERSTOOD",
    "TEXT_ONLY",
    "TRY_AGAIN",
    "QUIET_SET",
    "ACKNOWLEDGED_TO_REPORTER",
    "STATUS_WAITING",
    "STATUS_TAKEN",
    "STATUS_CLOSED",
    "STATUS_UNKNOWN",
}
# ... and those that fit one segment in the Latin-script languages (GSM-7), but need two in Arabic.
SINGLE_IN_GSM7 = {"NOTICE", "CONFIRM", "HELP"}
# Everything else gets at most two: ASK_WHERE_TELEGRAM (Telegram only) and LANGUAGE_CHOICES (its list
# of language names includes Arabic, so it is UCS-2 in every language).


def _extracted() -> list[tuple[str | None, str]]:
    keywords = {"N_": None, "NC_": ((1, "c"), 2)}
    return [
        (context, message)
        for _line, message, _comments, context in extract_from_file("python", LOCALE_DIR / "catalog.py", keywords)
    ]


EXTRACTED = _extracted()
MSGIDS = sorted(set(EXTRACTED), key=lambda key: (key[0] or "", key[1]))


def _read(path: Path):
    with open(path, "rb") as fileobj:
        return read_po(fileobj)


POT = _read(LOCALE_DIR / "messages.pot")
PO = {lang: _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po") for lang in LANGS}


def _fields(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def _entries(cat) -> set[tuple[str | None, str]]:
    return {(message.context, message.id) for message in cat if message.id}


def _params(lang: str) -> dict[str, str]:
    """Realistic values, the longest ones where there is a choice."""
    types = sorted((locales.type_name(lang, label) for label in INCIDENT_TYPES), key=len)[-2:]
    return {
        "ref": "R-7K3F",
        "emergency": "112",
        "yes": locales.keyword(lang, "YES"),
        "no": locales.keyword(lang, "NO"),
        "quiet": locales.keyword(lang, "QUIET"),
        "stop": locales.keyword(lang, "STOP"),
        "delete": locales.keyword(lang, "DELETE"),
        "ack": locales.keyword(lang, "ACK"),
        "done": locales.keyword(lang, "DONE"),
        "choices": locales.language_choices(),
        "urgency": max((locales.urgency_name(lang, u) for u in ("emergency", "urgent", "routine")), key=len),
        "types": ", ".join(types),
        "type": types[-1],
        "area": "Central Market (Mama Afrika Lounge)",
        "time": "23:40 14/11",
        "count": "2",
        "summary": "",
        "name": "Amina Wanjiru",
    }


def _render(lang: str, name: str) -> str:
    return for_sms(locales.translate(lang, getattr(catalog, name), **_params(lang)))


# --- catalogue completeness -------------------------------------------------------------------------


def test_every_constant_is_marked_for_extraction():
    marked = {message for _context, message in EXTRACTED}
    for name in catalog.REPORTER_MESSAGES + catalog.RESPONDER_MESSAGES:
        assert getattr(catalog, name) in marked, name
    assert set(catalog.TYPE_NAMES) == set(INCIDENT_TYPES)
    assert {(catalog.TYPE_CONTEXT, msgid) for msgid in catalog.TYPE_NAMES.values()} <= set(EXTRACTED)
    assert {(catalog.KEYWORD_CONTEXT, name) for name in catalog.KEYWORDS} <= set(EXTRACTED)
    assert set(catalog.KEYWORDS) == {"HELP", "STOP", "DELETE", "YES", "NO", "QUIET", "ACK", "DONE"}
    assert len(EXTRACTED) == len(set(EXTRACTED)), "a msgid is marked twice"


def test_template_matches_catalog():
    assert _entries(POT) == set(MSGIDS), "regenerate locales/messages.pot (see locales/catalog.py)"


@pytest.mark.parametrize("lang", LANGS)
def test_po_has_exactly_the_template_entries(lang):
    po = PO[lang]
    assert _entries(po) == set(MSGIDS)
    assert not [message.id for message in po if message.id and message.fuzzy]
    assert not po.obsolete


def _raw_header(path: Path) -> dict[str, str]:
    """The header entry as written in the file (babel's mime_headers fills in fields of its own)."""
    lines = path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
    start = lines.index('msgid ""')
    assert lines[start + 1] == 'msgstr ""'
    text = "".join(line[1:-1] for line in lines[start + 2 :]).replace("\\n", "\n")
    return dict(field.split(": ", 1) for field in text.splitlines())


@pytest.mark.parametrize("lang", LANGS)
def test_po_header(lang):
    headers = _raw_header(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po")
    assert headers["Language"] == lang
    assert headers["Content-Type"].lower().replace(" ", "") == "text/plain;charset=utf-8"
    assert headers["Content-Transfer-Encoding"] == "8bit"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("context,msgid", MSGIDS)
def test_translated(lang, context, msgid):
    message = PO[lang].get(msgid, context=context)
    assert message is not None and message.string, f"{lang}: untranslated {msgid!r}"
    assert message.string == message.string.strip()
    if lang == "en":
        first = message.string.split("|")[0] if context == catalog.KEYWORD_CONTEXT else message.string
        assert first == msgid


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("context,msgid", MSGIDS)
def test_placeholders_identical(lang, context, msgid):
    text = PO[lang].get(msgid, context=context).string
    assert _fields(text) == _fields(msgid)
    assert all(field.isidentifier() for field in _fields(text))
    text.format(**{field: "x" for field in _fields(text)})


@pytest.mark.parametrize("lang", LANGS)
def test_translations_are_in_use(lang):
    params = _params(lang)
    for name in catalog.REPORTER_MESSAGES + catalog.RESPONDER_MESSAGES:
        assert locales.translate(lang, getattr(catalog, name), **params)
    if lang != "en":
        assert locales.translate(lang, catalog.ASK_WHAT) != catalog.ASK_WHAT
        assert locales.type_name(lang, "robbery") != "robbery"
    assert locales.translate(lang, catalog.LANGUAGE_SET).split(":")[1].strip(" .").lower() == (
        locales.LANGUAGE_NAMES[lang].lower()
    )


# --- SMS length -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", catalog.REPORTER_MESSAGES)
def test_reporter_message_fits_two_segments(lang, name):
    text = _render(lang, name)
    assert sms_segments(text) <= 2, f"{lang} {name} ({len(text)} chars, {sms_encoding(text)}): {text}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(SINGLE))
def test_short_message_fits_one_segment(lang, name):
    text = _render(lang, name)
    assert sms_segments(text) == 1, f"{lang} {name} ({len(text)} chars, {sms_encoding(text)}): {text}"


@pytest.mark.parametrize("lang", LATIN_LANGS)
@pytest.mark.parametrize("name", sorted(SINGLE_IN_GSM7))
def test_long_message_fits_one_segment_in_gsm7(lang, name):
    text = _render(lang, name)
    assert sms_segments(text) == 1, f"{lang} {name} ({len(text)} chars): {text}"


@pytest.mark.parametrize("lang", LATIN_LANGS)
def test_latin_script_messages_become_gsm7(lang):
    # A stray « » … or ° would silently make a message UCS-2 and halve its room.
    for name in catalog.REPORTER_MESSAGES + catalog.RESPONDER_MESSAGES:
        if name != "LANGUAGE_CHOICES":  # carries the Arabic language name
            assert sms_encoding(_render(lang, name)) == "GSM-7", name
    for label in INCIDENT_TYPES:
        assert sms_encoding(for_sms(locales.type_name(lang, label))) == "GSM-7", label


AREA = {
    "en": "Old Town",
    "es": "Centro Histórico",
    "fr": "Vieille Ville",
    "pt": "Cidade Velha",
    "sw": "Mji Mkongwe",
    "ar": "المدينة القديمة",
}


def _alert(lang: str, **values: str) -> str:
    """An alert as routing/incidents.py writes it, without the quoted report."""
    params = _params(lang) | values
    names = ("ALERT_TITLE", "ALERT_TYPE", "ALERT_WHERE", "ALERT_WHEN", "ALERT_HOW_TO_ACK")
    return for_sms("\n".join(locales.translate(lang, getattr(catalog, name), **params) for name in names))


@pytest.mark.parametrize("lang", LANGS)
def test_alert_fits(lang):
    fixed = _alert(lang, types="", area="")
    assert sms_segments(fixed) <= (1 if sms_encoding(fixed) == "GSM-7" else 2), fixed
    typical = _alert(lang, types=locales.type_name(lang, "sexual_harassment"), area=AREA[lang])
    assert sms_segments(typical) <= 2, typical
    params = _params(lang)
    assert sms_segments(for_sms(locales.translate(lang, catalog.ALERT_UPDATE, **params))) == 1
    for name in ("ACK_CONFIRMED", "ACK_TAKEN_BY_OTHER", "ACK_REFUSED", "UNKNOWN_AREA"):
        assert sms_segments(for_sms(locales.translate(lang, getattr(catalog, name), **params))) == 1, name


# --- runtime API ------------------------------------------------------------------------------------


def test_fallbacks_to_english():
    assert locales.translate("xx", catalog.ASK_WHAT) == catalog.ASK_WHAT
    assert locales.translate("", catalog.ADDED, ref="R-1") == "Thank you, we added this to report R-1."
    assert locales.translate("es", "Not in any catalogue {x}.", x="1") == "Not in any catalogue 1."
    assert locales.translate("es-MX", catalog.ASK_WHAT) == locales.translate("es", catalog.ASK_WHAT)
    assert locales.translate("pt_BR", catalog.ASK_WHAT) == locales.translate("pt", catalog.ASK_WHAT)
    assert locales.keyword("xx", "HELP") == "HELP"
    assert locales.type_name("xx", "gun_violence") == "gun violence"
    with pytest.raises(KeyError):
        locales.translate("en", catalog.ADDED, reference="R-1")


def test_runtime_values():
    assert locales.SUPPORTED_LANGUAGES == ("en", "es", "fr", "pt", "sw", "ar")
    assert set(locales.LANGUAGE_NAMES) == set(LANGS)
    assert locales.translate("es", catalog.LANGUAGE_SET) == "Idioma: español."
    assert locales.translate("es", catalog.ADDED, ref="R-7K3F") == "Gracias, lo agregamos a tu reporte R-7K3F."
    assert locales.keyword("es", "HELP") == "AYUDA"
    assert locales.keyword("sw", "YES") == "NDIYO"
    assert locales.keyword("ar", "NO") == "لا"
    assert locales.keyword("fr", "ack") == "ACK"
    assert locales.type_name("fr", "drink_spiking") == "boisson droguée"
    assert locales.urgency_name("sw", "emergency") == "DHARURA"
    with pytest.raises(ValueError):
        locales.keyword("en", "PLEASE")
    choices = locales.language_choices()
    assert all(f"{code} {name}" in choices for code, name in locales.LANGUAGE_NAMES.items())


# --- keywords ---------------------------------------------------------------------------------------


def _is_latin(word: str) -> bool:
    return all("LATIN" in unicodedata.name(ch, "") for ch in word if ch.isalpha())


@pytest.mark.parametrize("lang", LANGS)
def test_keyword_words_are_typeable(lang):
    for name in catalog.KEYWORDS:
        words = locales.keyword_words(lang, name)
        assert 1 <= len(words) <= 4, (name, words)
        for word in words:
            assert word and not any(ch.isspace() for ch in word), (name, word)
            if _is_latin(word):
                assert word.isascii() and word.isalpha() and word == word.upper(), (name, word)
        if name in ("ACK", "DONE"):
            assert words[0] == name


def test_keywords_are_unambiguous():
    owner: dict[str, tuple[str, str]] = {}
    for lang in LANGS:
        for name in catalog.KEYWORDS:
            for word in locales.keyword_words(lang, name):
                key = locales._normalize(word)
                assert owner.setdefault(key, (name, lang))[0] == name, f"{word!r} is {owner[key]} and {name} ({lang})"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", catalog.KEYWORDS)
def test_every_keyword_word_matches(lang, name):
    for word in locales.keyword_words(lang, name):
        for typed in (word, word.lower(), word.capitalize(), f"/{word.lower()}", f"  {word}!  ", f"{word}."):
            assert locales.match_keyword(typed) == name, typed


@pytest.mark.parametrize(
    "text,expected",
    [
        ("HELP", "HELP"),
        ("help", "HELP"),
        ("/help", "HELP"),
        ("Help!", "HELP"),
        ("/help@SalamaBot", "HELP"),
        ("ayuda", "HELP"),
        ("¡Ayuda!", "HELP"),
        ("AIDE", "HELP"),
        ("aide ?", "HELP"),
        ("Ajuda", "HELP"),
        ("msaada", "HELP"),
        ("Msaada!", "HELP"),
        ("مساعدة", "HELP"),
        ("مساعده", "HELP"),
        ("مُسَاعَدَة", "HELP"),
        ("/مساعدة", "HELP"),
        ("STOP", "STOP"),
        ("stop.", "STOP"),
        ("Parar", "STOP"),
        ("baja", "STOP"),
        ("arrêt", "STOP"),
        ("ARRÊT", "STOP"),
        ("sair", "STOP"),
        ("acha", "STOP"),
        ("Sitisha", "STOP"),
        ("توقف", "STOP"),
        ("إيقاف", "STOP"),
        ("ايقاف", "STOP"),
        ("DELETE", "DELETE"),
        ("/delete", "DELETE"),
        ("borrar", "DELETE"),
        ("Effacer", "DELETE"),
        ("supprimer", "DELETE"),
        ("apagar", "DELETE"),
        ("futa", "DELETE"),
        ("حذف", "DELETE"),
        ("QUIET", "QUIET"),
        ("silencio", "QUIET"),
        ("Silêncio", "QUIET"),
        ("silence", "QUIET"),
        ("kimya", "QUIET"),
        ("صمت", "QUIET"),
        ("ack", "ACK"),
        ("Tomo", "ACK"),
        ("chukua", "ACK"),
        ("done", "DONE"),
        ("listo", "DONE"),
        ("تم", "DONE"),
        ("help me he is here", None),
        ("he is here help", None),
        ("stop him", None),
        ("please stop", None),
        ("ayuda por favor", None),
        ("necesito ayuda", None),
        ("aidez-moi", None),
        ("nisaidie", None),
        ("msaada tafadhali", None),
        ("ساعدني", None),
        ("delete this", None),
        ("helping", None),
        ("helpme", None),
        ("h e l p", None),
        ("", None),
        ("   ", None),
        ("!!!", None),
        ("/", None),
        ("/start", None),
        ("R-7K3F", None),
        ("help/stop", None),
    ],
)
def test_match_keyword(text, expected):
    assert locales.match_keyword(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", True),
        ("Y", True),
        ("YES!", True),
        ("si", True),
        ("Sí", True),
        ("oui", True),
        ("Sim", True),
        ("ndiyo", True),
        ("Ndio", True),
        ("نعم", True),
        ("نعم.", True),
        ("no", False),
        ("N", False),
        ("No.", False),
        ("non", False),
        ("nao", False),
        ("não", False),
        ("NÃO", False),
        ("hapana", False),
        ("Hapana!", False),
        ("لا", False),
        ("ﻻ", False),
        ("yes he is here", None),
        ("no one", None),
        ("maybe", None),
        ("help", None),
        ("", None),
        ("si no", None),
    ],
)
def test_match_answer(text, expected):
    assert locales.match_answer(text) is expected


# --- SMS arithmetic ---------------------------------------------------------------------------------

EMOJI = "\N{GRINNING FACE}"


@pytest.mark.parametrize(
    "text,encoding,segments",
    [
        ("", "GSM-7", 1),
        ("Hello", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("a" * 459, "GSM-7", 3),
        ("a" * 460, "GSM-7", 4),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r", "GSM-7", 1),
        ("¿Qué? ¡Sí!", "UCS-2", 1),  # í is not GSM-7 (é is)
        ("¿Qué? ¡Ya!", "GSM-7", 1),
        ("€" * 80, "GSM-7", 1),  # extension characters take two places
        ("€" * 81, "GSM-7", 2),
        ("a" * 159 + "^", "GSM-7", 2),
        ("a" * 158 + "[", "GSM-7", 1),
        ("{}[]~|\\^\f", "GSM-7", 1),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),  # 306 places, but the escape pair cannot be split
        ("a" * 153 + "€" + "a" * 151, "GSM-7", 2),
        ("ç", "UCS-2", 1),
        ("`", "UCS-2", 1),
        ("ا" * 70, "UCS-2", 1),
        ("ا" * 71, "UCS-2", 2),
        ("ا" * 134, "UCS-2", 2),
        ("ا" * 135, "UCS-2", 3),
        ("a" * 69 + "á", "UCS-2", 1),
        ("a" * 70 + "á", "UCS-2", 2),
        (EMOJI * 35, "UCS-2", 1),  # a surrogate pair takes two places
        (EMOJI * 36, "UCS-2", 2),
        ("a" * 66 + EMOJI + "a" * 66, "UCS-2", 3),  # 134 places, but the pair cannot be split
    ],
)
def test_sms_segments(text, encoding, segments):
    assert sms_encoding(text) == encoding
    assert sms_segments(text) == segments


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Plain text.", "Plain text."),
        ("¿Dónde pasó? Cuéntanos.", "¿Donde paso? Cuéntanos."),
        ("Français, ça va", "Francais, ca va"),
        ("Você está em perigo? Não.", "Voce esta em perigo? Nao."),
        ("EMERGÊNCIA", "EMERGENCIA"),
        ("l’été « oui » – fin…", 'l\'été " oui " - fin...'),
        ("naïve cœur", "naive coeur"),
        ("Ça", "Ça"),  # capital Ç is GSM-7
        ("a\u00a0b\u200bc", "a bc"),
        ("مساعدة", "مساعدة"),
        ("Olá " + EMOJI, "Olá " + EMOJI),  # the emoji keeps it UCS-2: nothing is changed
        ("Envía /language: es Español, ar العربية", "Envía /language: es Español, ar العربية"),
    ],
)
def test_for_sms(text, expected):
    assert for_sms(text) == expected


def test_for_sms_gains_room():
    spanish = "¿Qué pasó? " * 10
    assert sms_segments(spanish) == 2 and sms_encoding(spanish) == "UCS-2"
    assert sms_segments(for_sms(spanish)) == 1 and sms_encoding(for_sms(spanish)) == "GSM-7"
