"""Language identification for incoming reports.

Two interchangeable detectors restricted to a deployment's languages (``make_detector``) and one
decision function (``choose_language``) that combines a detection with what else is known about the
sender: the conversation's language so far, Telegram's ``language_code`` and the phone number's
country. Models are built once per process and per language set; a call costs well under a
millisecond with lingua (see docs/BENCHMARKS.md). Nothing here logs the text or the phone number.
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import phonenumbers

if TYPE_CHECKING:
    from langdetect.detector_factory import DetectorFactory
    from lingua import LanguageDetector as LinguaModel

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "sw", "ar")

# Chosen by bench/langid.py (docs/BENCHMARKS.md): more accurate on short texts, faster per call.
DEFAULT_BACKEND: str = "lingua"

# Rules of choose_language (see its docstring). Lingua's confidence is well calibrated above 0.7
# (>96% right on word pairs); langdetect reports ~1.0 for most guesses, so for it the length rule
# does the work.
MIN_WORDS = 4
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.7

# First words of a first contact: too short for any detector ("hello" comes out Spanish), yet they
# say the language plainly. Only used when the conversation has no language yet.
GREETINGS: dict[str, str] = {
    **dict.fromkeys(["hello", "hi", "hey", "good morning", "good evening", "good night"], "en"),
    **dict.fromkeys(["hola", "buenas", "buenos dias", "buenas tardes", "buenas noches", "que tal"], "es"),
    **dict.fromkeys(["bonjour", "bonsoir", "salut", "coucou", "allo"], "fr"),
    **dict.fromkeys(["ola", "oi", "bom dia", "boa tarde", "boa noite"], "pt"),
    **dict.fromkeys(["habari", "jambo", "mambo", "hujambo", "salama", "niaje", "sasa", "shikamoo"], "sw"),
    **dict.fromkeys(["مرحبا", "السلام عليكم", "سلام", "اهلا", "marhaba", "salam", "ahlan"], "ar"),
}

# Only the start of a long message is looked at: it keeps the cost per call bounded.
MAX_CHARS = 1000

_LANGDETECT_SEED = 0


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1 code, one of the detector's languages
    confidence: float  # 0..1


class LanguageDetector(Protocol):
    name: str

    def detect(self, text: str) -> LanguageGuess | None:
        """The most likely language, or None when the text says nothing (empty, digits, emoji only)."""
        ...


@dataclass(frozen=True)
class LanguageHints:
    established: str | None = None  # the conversation's language so far
    telegram_code: str | None = None  # Telegram's user.language_code, e.g. "pt-br"
    phone_number: str | None = None  # E.164 sender number, e.g. "+254700000000" (never log it)


def _letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _word_count(text: str) -> int:
    """Tokens with at least one letter: "R-7K3F" is one, "112" and emoji are none."""
    return sum(1 for token in text.split() if any(ch.isalpha() for ch in token))


def _normalize_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """A sorted, de-duplicated, lower-case key, so equal language sets share one cached model."""
    codes = tuple(sorted({code.strip().lower() for code in languages}))
    if not codes:
        raise ValueError("a language detector needs at least one language")
    return codes


# --- langdetect -------------------------------------------------------------------------------


@functools.cache
def _langdetect_factory(languages: tuple[str, ...]) -> DetectorFactory:
    """A private, seeded factory holding only the given languages' profiles.

    Loading only these profiles is what restricts the output: a language whose profile is not
    loaded can never come out. It gives the same answers as loading all 55 profiles with a prior
    map that zeroes the others, but loads in ~10 ms instead of ~250 ms and is 3-4x faster per call
    (each n-gram updates 6 probabilities instead of 55).
    """
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.utils.lang_profile import LangProfile

    factory = DetectorFactory()
    factory.set_seed(_LANGDETECT_SEED)  # Detector reseeds its RNG with this on every text
    for index, code in enumerate(languages):
        path = os.path.join(PROFILES_DIRECTORY, code)
        if not os.path.isfile(path):
            raise ValueError(f"langdetect has no profile for language {code!r}")
        with open(path, encoding="utf-8") as profile_file:
            profile = LangProfile(**json.load(profile_file))
        factory.add_profile(profile, index, len(languages))
    return factory


class LangdetectDetector:
    """langdetect (n-gram naive Bayes, pure Python), seeded and restricted to ``languages``."""

    name = "langdetect"

    def __init__(self, languages: Sequence[str]) -> None:
        self._factory = _langdetect_factory(_normalize_languages(languages))

    def detect(self, text: str) -> LanguageGuess | None:
        from langdetect.lang_detect_exception import LangDetectException

        if not any(ch.isalpha() for ch in text):
            return None
        detector = self._factory.create()
        detector.set_max_text_length(MAX_CHARS)
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no known n-gram in the text
            return None
        if not ranked:
            return None
        return LanguageGuess(ranked[0].lang, float(ranked[0].prob))


# --- lingua -----------------------------------------------------------------------------------


@functools.cache
def _lingua_model(languages: tuple[str, ...]) -> LinguaModel:
    from lingua import Language, LanguageDetectorBuilder

    by_code = {language.iso_code_639_1.name.lower(): language for language in Language.all()}
    unknown = [code for code in languages if code not in by_code]
    if unknown:
        raise ValueError(f"lingua has no model for language(s) {', '.join(unknown)}")
    builder = LanguageDetectorBuilder.from_languages(*(by_code[code] for code in languages))
    # Preloading moves the model loading to start-up instead of the first messages.
    return builder.with_preloaded_language_models().build()


class LinguaDetector:
    """lingua (n-gram models in Rust, high-accuracy mode), restricted to ``languages``."""

    name = "lingua"

    def __init__(self, languages: Sequence[str]) -> None:
        self._model = _lingua_model(_normalize_languages(languages))

    def detect(self, text: str) -> LanguageGuess | None:
        if not any(ch.isalpha() for ch in text):
            return None
        ranked = self._model.compute_language_confidence_values(text[:MAX_CHARS])
        if not ranked or ranked[0].value <= 0.0:  # lingua found nothing to go on
            return None
        best = ranked[0]
        return LanguageGuess(best.language.iso_code_639_1.name.lower(), float(best.value))


_BACKENDS: dict[str, Callable[[Sequence[str]], LanguageDetector]] = {
    "lingua": LinguaDetector,
    "langdetect": LangdetectDetector,
}
BACKENDS: tuple[str, ...] = tuple(_BACKENDS)


def make_detector(backend: str, languages: Sequence[str]) -> LanguageDetector:
    """A detector of ``backend`` that can only answer one of ``languages``; with Arabic among them,
    Arabizi is recognised first (``ArabiziFirst``).

    Cheap after the first call for a given backend and language set: the model is cached per
    process. Raises ValueError for an unknown backend or a language the backend does not know.
    """
    try:
        build = _BACKENDS[backend]
    except KeyError:
        raise ValueError(
            f"unknown language-detection backend {backend!r}; valid backends: {', '.join(BACKENDS)}"
        ) from None
    detector = build(languages)
    if "ar" in _normalize_languages(languages):
        return ArabiziFirst(detector)
    return detector


# --- Arabizi ---------------------------------------------------------------------------------
# Arabic written in Latin letters, with digits for the letters Latin lacks: 2 (hamza), 3 (ain), 5 (kha),
# 6 (ta), 7 (ha), 9 (qaf/sad): "ana 5ayfa", "7ad ta7arash biya", "wa7ed yetba3ni daba". Neither lingua
# nor langdetect knows it as Arabic (they answer English, Swahili or French), so it is recognised first:
# by words with such a digit inside or at the start (or after one to three letters: "ma3", "la2"), and a
# few common Arabizi words. On the corpus: 692 of its 700 Arabizi lines, none of its 10,000 other lines and
# none of the 24,000 shared langid samples (docs/BENCHMARKS.md, langid).
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
_LATIN_TOKEN = re.compile(r"[a-z0-9']+")
_ARABIZI_DIGIT_WORD = re.compile(r"^(?!.*\d\d)(?=.*[aeiouy])(?:[a-z']*[235679][a-z][a-z0-9']*|[a-z]{1,3}[235679])$")
# Digits in ordinary SMS and ordinals: "5pm", "2nd", "3ro", "b4", "gr8", "2day", Somali "2aad".
_NOT_ARABIZI = re.compile(
    r"^(?:\d+(?:st|nd|rd|th|am|pm|h|hr|hrs|min|mins|km|kg|k|ksh|kes|bob|yrs|y|x|s|m|g|gb|mb|ish|pc|l)|\d+aad|"
    r"1ro|1ra|2do|2da|3ro|3ra|4to|4ta|5to|5ta|6to|7mo|9no|3eme|2eme|5eme|2e|3e|"
    r"2day|2moro|2morrow|2nite|2night|gr8|l8r|l8|b4|4u|2u|m8|w8|h8|sk8|2go|any1|some1|no1|ne1|"
    r"cr7|mp3|mp4|h2o|co2|g7|a4|b2b)$"
)
_ARABIZI_WORDS = frozenset(
    """ana enta inta enti inti howa huwa hiya heya ehna e7na ahna entu intu homma humma mesh msh mish mafi mafish
bas wallah walla wallahi yalla ya3ni yani kifak kifik keefak shu shou leh lesh lish ahu aho dlw2ti dlwa2ti delwa2ti halla2
daba bzaf bezzaf rani rah raha wach wesh chno shno kifach kifash labas safi wakha bghit mzyan mezyan khoya khouya 7abibi habibi
habibti 3la 3al fel fil mn men elli illi eli kanet ma3a m3a m3aya wayah 3ayez 3ayza 3awez 5ayfa 5ayef khayfa khayef
bte3mel bta3 beta3 ta3 dyal dial hna hena hnak fin fein wein feen wa7ed wahed wa7da wahda""".split()
)
ARABIZI_CONFIDENCE = 0.95


def arabizi_evidence(text: str) -> tuple[int, int, int]:
    """(words with an Arabizi digit, common Arabizi words, words) of a text in Latin script; zeros when the
    text has Arabic script (the general detectors know that)."""
    if _ARABIC_SCRIPT.search(text):
        return 0, 0, 0
    tokens = _LATIN_TOKEN.findall(text[:MAX_CHARS].lower())
    digit_words = sum(1 for t in tokens if _ARABIZI_DIGIT_WORD.match(t) and not _NOT_ARABIZI.match(t))
    known = sum(1 for t in tokens if t in _ARABIZI_WORDS)
    return digit_words, known, len(tokens)


def is_arabizi(text: str) -> bool:
    """Arabic in Latin letters and digits: two words with an Arabizi digit, or one in a text of one or two
    words, or digit words and common Arabizi words making at least 12% of the words (code-switched French or
    Spanish with one "wesh" or "3ro" stays what it is)."""
    digit_words, known, count = arabizi_evidence(text)
    if digit_words >= 2 or (digit_words and count <= 2):
        return True
    return digit_words + known >= 2 and (digit_words + known) / max(count, 1) >= 0.12


class ArabiziFirst:
    """A detector that answers Arabic for Arabizi before asking the general detector (which cannot)."""

    def __init__(self, inner: LanguageDetector) -> None:
        self.inner = inner
        self.name = inner.name

    def detect(self, text: str) -> LanguageGuess | None:
        if is_arabizi(text):
            return LanguageGuess("ar", ARABIZI_CONFIDENCE)
        return self.inner.detect(text)


# --- choosing the reply language -------------------------------------------------------------

# Main language of a country, for the phone-number fallback. Only countries where one of the
# deployment languages is clearly the usual written language; others (Belgium, Switzerland,
# Rwanda, Somalia, ...) fall through to the default.
_LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "US",
        "CA",
        "GB",
        "IE",
        "AU",
        "NZ",
        "ZA",
        "NG",
        "GH",
        "LR",
        "SL",
        "GM",
        "ZM",
        "ZW",
        "MW",
        "BW",
        "NA",
        "LS",
        "SZ",
        "SS",
        "JM",
        "TT",
        "BS",
        "BB",
        "IN",
        "PH",
    ),
    "es": (
        "ES",
        "MX",
        "GT",
        "HN",
        "SV",
        "NI",
        "CR",
        "PA",
        "CU",
        "DO",
        "PR",
        "CO",
        "VE",
        "EC",
        "PE",
        "BO",
        "CL",
        "AR",
        "UY",
        "PY",
        "GQ",
    ),
    "fr": (
        "FR",
        "MC",
        "SN",
        "CI",
        "ML",
        "BF",
        "NE",
        "GN",
        "TG",
        "BJ",
        "CM",
        "CF",
        "TD",
        "CG",
        "CD",
        "GA",
        "MG",
        "BI",
        "DJ",
        "KM",
        "HT",
        "RE",
        "GP",
        "MQ",
        "GF",
        "YT",
        "NC",
        "PF",
    ),
    "pt": ("PT", "BR", "AO", "MZ", "GW", "CV", "ST", "TL"),
    "sw": ("KE", "TZ", "UG"),
    "ar": (
        "SA",
        "AE",
        "QA",
        "KW",
        "BH",
        "OM",
        "YE",
        "IQ",
        "SY",
        "JO",
        "LB",
        "PS",
        "EG",
        "SD",
        "LY",
        "TN",
        "DZ",
        "MA",
        "MR",
    ),
}
_REGION_LANGUAGE: dict[str, str] = {
    region: language for language, regions in _LANGUAGE_REGIONS.items() for region in regions
}


def _phone_language(phone_number: str) -> str | None:
    try:
        parsed = phonenumbers.parse(phone_number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return _REGION_LANGUAGE.get(region) if region else None


def _greeting_key(text: str) -> str:
    """Lower case, no accents or Arabic marks, no punctuation: "¡Hola!" -> "hola", "Olá" -> "ola"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    letters = "".join(ch if ch.isalnum() else " " for ch in unicodedata.normalize("NFKC", letters))
    return " ".join(letters.split())


def _telegram_language(code: str) -> str:
    """Telegram's IETF tag to its base ISO 639-1 code: "pt-br" -> "pt", "en_US" -> "en"."""
    return code.replace("_", "-").split("-", 1)[0].strip().lower()


def _decisive_guess(text: str, detector: LanguageDetector, supported: frozenset[str]) -> str | None:
    """The detected language if this one message is enough to decide on; else None. Arabizi decides for
    Arabic even when short ("ana 5ayfa"): its digits say the language plainly."""
    if "ar" in supported and is_arabizi(text):
        return "ar"
    if _word_count(text) < MIN_WORDS or _letter_count(text) < MIN_LETTERS:
        return None  # short texts ("ok", "si", "1", "R-7K3F", emoji) decide nothing
    guess = detector.detect(text)
    if guess is None or guess.confidence < MIN_CONFIDENCE or guess.language not in supported:
        return None
    return guess.language


def choose_language(
    text: str,
    hints: LanguageHints,
    detector: LanguageDetector,
    supported: Sequence[str],
    default: str = "en",
) -> str:
    """The language to answer this sender in.

    A detection is *decisive* when the message has at least ``MIN_WORDS`` words and
    ``MIN_LETTERS`` letters and the detector names a supported language with confidence at least
    ``MIN_CONFIDENCE``. Short or unsure texts ("ok", "si", "1", a reference code, emoji) decide
    nothing by themselves.

    Arabizi ("ana 5ayfa", "7ad ta7arash biya") is decisive for Arabic when Arabic is supported, whatever its
    length (``is_arabizi``).

    1. If the conversation already has a supported language, keep it unless a decisive detection
       names another one (one long, clear message switches; a short one never does).
    2. With nothing established: a decisive detection wins; else Telegram's language_code (its
       base code, "pt-br" -> "pt") if supported; else a greeting's language ("hola", "habari",
       see GREETINGS); else the main language of the phone number's
       country if supported (Kenya, Tanzania, Uganda -> sw); else ``default``.
    """
    allowed = frozenset(code.lower() for code in supported)
    detected = _decisive_guess(text, detector, allowed)
    if detected is not None:
        return detected
    candidates = (
        hints.established.lower() if hints.established else None,
        _telegram_language(hints.telegram_code) if hints.telegram_code else None,
        GREETINGS.get(_greeting_key(text)),  # "hola" says more than the phone's country
        _phone_language(hints.phone_number) if hints.phone_number else None,
    )
    for candidate in candidates:
        if candidate in allowed:
            return candidate
    return default
