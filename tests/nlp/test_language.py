"""Language identification: both backends, restriction, determinism and the hint rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from nlp.language import (
    SUPPORTED_LANGUAGES,
    LanguageDetector,
    LanguageGuess,
    LanguageHints,
    choose_language,
    make_detector,
)

BACKENDS = ("lingua", "langdetect")
SHARED_LANGID = Path(__file__).resolve().parents[3] / "shared" / "data" / "langid"

CLEAR_SENTENCES: list[tuple[str, str]] = [
    ("en", "A man has been following me from the bus station and I am scared to walk home alone."),
    ("en", "Someone broke the street lights near the market and women are afraid to pass there at night."),
    ("es", "Un hombre me está siguiendo desde la parada del autobús y tengo miedo de caminar sola a casa."),
    ("es", "Anoche unos policías golpearon a mi hermano y le quitaron todo el dinero que llevaba."),
    ("fr", "Un homme me suit depuis la gare routière et j'ai peur de rentrer seule à la maison."),
    ("fr", "Hier soir des policiers ont frappé mon frère et lui ont pris tout son argent."),
    ("pt", "Um homem está me seguindo desde a rodoviária e eu tenho medo de voltar sozinha para casa."),
    ("pt", "Ontem à noite os policiais bateram no meu irmão e levaram todo o dinheiro dele."),
    ("sw", "Mwanaume ananifuata tangu stendi ya basi na ninaogopa kutembea peke yangu kwenda nyumbani."),
    ("sw", "Jana usiku polisi walimpiga kaka yangu na wakachukua pesa zake zote."),
    ("ar", "رجل يلاحقني منذ محطة الحافلات وأنا خائفة من العودة إلى البيت وحدي."),
    ("ar", "ضرب رجال الشرطة أخي الليلة الماضية وأخذوا كل أمواله."),
]
SENTENCE = dict(CLEAR_SENTENCES)  # one clear sentence per language

# Example numbers from phonenumbers' metadata (not real subscribers).
PHONE = {
    "KE": "+254712123456",
    "TZ": "+255621234567",
    "UG": "+256712345678",
    "BR": "+5511961234567",
    "FR": "+33612345678",
    "EG": "+201001234567",
    "ES": "+34612345678",
    "DE": "+4915123456789",
}


@pytest.fixture(scope="module", params=BACKENDS)
def detector(request: pytest.FixtureRequest) -> LanguageDetector:
    return make_detector(request.param, SUPPORTED_LANGUAGES)


@pytest.mark.parametrize(("expected", "text"), CLEAR_SENTENCES)
def test_clear_sentences(detector: LanguageDetector, expected: str, text: str) -> None:
    guess = detector.detect(text)
    assert guess is not None
    assert guess.language == expected
    assert 0.0 < guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "1", "112 911", "+254 700 000 000", "😀👍🙏", "?!"])
def test_nothing_to_detect(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) is None


def _shared_lines(folder: str, lang: str, count: int) -> list[str]:
    path = SHARED_LANGID / folder / f"{lang}.txt"
    if not path.is_file():
        pytest.skip(f"shared language-id data not found at {SHARED_LANGID}")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines[:count]


@pytest.mark.parametrize("lang", ["lg", "so"])
@pytest.mark.parametrize("folder", ["sentences", "word-pairs"])
def test_unsupported_languages_come_out_as_supported(detector: LanguageDetector, folder: str, lang: str) -> None:
    for text in _shared_lines(folder, lang, 25):
        guess = detector.detect(text)
        assert guess is None or guess.language in SUPPORTED_LANGUAGES


@pytest.mark.parametrize("languages", [["en", "fr"], ["en"]])  # ["en"]: the default deployment
@pytest.mark.parametrize("backend", BACKENDS)
def test_restricted_to_the_given_languages(backend: str, languages: list[str]) -> None:
    narrow = make_detector(backend, languages)
    for _, text in CLEAR_SENTENCES:
        guess = narrow.detect(text)
        assert guess is None or guess.language in languages


def test_langdetect_is_deterministic() -> None:
    # Ambiguous short texts are where an unseeded langdetect flips between answers.
    texts = ["no se", "casa", "taxi", "mama", "a la", "Hotel Continental"]
    first = [make_detector("langdetect", SUPPORTED_LANGUAGES).detect(text) for text in texts]
    for _ in range(20):
        detector = make_detector("langdetect", SUPPORTED_LANGUAGES)
        assert [detector.detect(text) for text in texts] == first


@pytest.mark.parametrize("backend", ["spacy", "", "Lingua"])
def test_invalid_backend(backend: str) -> None:
    with pytest.raises(ValueError, match="langdetect") as error:
        make_detector(backend, SUPPORTED_LANGUAGES)
    assert "lingua" in str(error.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_language(backend: str) -> None:
    with pytest.raises(ValueError, match="xx"):
        make_detector(backend, ["en", "xx"])


# --- choose_language ----------------------------------------------------------------------------

H = LanguageHints

HINT_CASES: list[tuple[str, str, LanguageHints, str]] = [
    # (why, text, hints, expected)
    ("ok keeps sw", "ok", H(established="sw"), "sw"),
    ("si keeps en", "si", H(established="en"), "en"),
    ("digit keeps fr", "1", H(established="fr"), "fr"),
    ("reference code keeps ar", "R-7K3F", H(established="ar"), "ar"),
    ("emoji keeps pt", "😀👍", H(established="pt"), "pt"),
    ("short English keeps sw", "Thank you so much", H(established="sw"), "sw"),
    ("short Spanish keeps en", "hola ayuda", H(established="en"), "en"),
    ("long es switches from en", SENTENCE["es"], H(established="en"), "es"),
    ("long en switches from sw", SENTENCE["en"], H(established="sw"), "en"),
    ("long ar switches from fr", SENTENCE["ar"], H(established="fr"), "ar"),
    ("same language stays", SENTENCE["sw"], H(established="sw"), "sw"),
    ("established beats telegram", "ok", H(established="sw", telegram_code="en"), "sw"),
    ("established beats phone", "ok", H(established="es", phone_number=PHONE["KE"]), "es"),
    ("telegram for hola", "hola", H(telegram_code="es"), "es"),
    ("telegram region stripped", "hola", H(telegram_code="pt-br"), "pt"),
    ("telegram underscore", "hi", H(telegram_code="fr_CA"), "fr"),
    ("telegram beats phone", "ok", H(telegram_code="fr", phone_number=PHONE["KE"]), "fr"),
    ("long text beats telegram", SENTENCE["sw"], H(telegram_code="en"), "sw"),
    ("unsupported telegram -> phone", "hola", H(telegram_code="de", phone_number=PHONE["ES"]), "es"),
    ("unsupported telegram -> default", "ok", H(telegram_code="zh-hans"), "en"),
    ("phone Kenya", "ok", H(phone_number=PHONE["KE"]), "sw"),
    ("greeting beats phone country", "hola", H(phone_number=PHONE["KE"]), "es"),
    ("greeting never switches", "bonjour", H(established="sw"), "sw"),
    ("phone Tanzania", "ok", H(phone_number=PHONE["TZ"]), "sw"),
    ("phone Uganda", "1", H(phone_number=PHONE["UG"]), "sw"),
    ("phone Brazil", "ok", H(phone_number=PHONE["BR"]), "pt"),
    ("phone France", "R-7K3F", H(phone_number=PHONE["FR"]), "fr"),
    ("phone Egypt", "👍", H(phone_number=PHONE["EG"]), "ar"),
    ("phone Germany -> default", "ok", H(phone_number=PHONE["DE"]), "en"),
    ("bad phone -> default", "ok", H(phone_number="not a number"), "en"),
    ("unsupported established ignored", "ok", H(established="de", telegram_code="pt"), "pt"),
    ("nothing at all", "ok", H(), "en"),
    ("long text, no hints", SENTENCE["fr"], H(), "fr"),
]


@pytest.mark.parametrize(
    ("text", "hints", "expected"),
    [case[1:] for case in HINT_CASES],
    ids=[case[0] for case in HINT_CASES],
)
def test_choose_language(detector: LanguageDetector, text: str, hints: LanguageHints, expected: str) -> None:
    assert choose_language(text, hints, detector, SUPPORTED_LANGUAGES) == expected


def test_choose_language_default_and_supported(detector: LanguageDetector) -> None:
    assert choose_language("ok", H(), detector, SUPPORTED_LANGUAGES, default="es") == "es"
    # A clear French sentence cannot pick a language the deployment does not offer.
    assert choose_language(SENTENCE["fr"], H(established="es"), detector, ["en", "es"]) == "es"
    assert choose_language("ok", H(telegram_code="sw"), detector, ["en", "es"], default="es") == "es"


@dataclass
class FixedDetector:
    """Always answers the same guess: isolates the rules from the models."""

    guess: LanguageGuess | None
    name: str = "fixed"

    def detect(self, text: str) -> LanguageGuess | None:
        return self.guess


@pytest.mark.parametrize(
    ("guess", "expected"),
    [
        (LanguageGuess("es", 0.95), "es"),
        (LanguageGuess("es", 0.5), "en"),  # unsure: keeps the established language
        (LanguageGuess("so", 0.99), "en"),  # not a supported language
        (None, "en"),
    ],
)
def test_confidence_rule(guess: LanguageGuess | None, expected: str) -> None:
    text = "a long enough message with many words in it"
    assert choose_language(text, H(established="en"), FixedDetector(guess), SUPPORTED_LANGUAGES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok", "en"),
        ("si", "en"),
        ("1", "en"),
        ("R-7K3F", "en"),
        ("😀😀😀😀😀", "en"),
        ("Nimeshambuliwa barabarani usiku", "en"),  # 29 letters but 3 words
        ("je ne sais pas", "en"),  # 4 words but 11 letters
        ("ayuda por favor me siguen", "es"),  # 5 words, 21 letters: long enough
    ],
)
def test_length_rule_even_when_the_detector_is_sure(text: str, expected: str) -> None:
    sure = FixedDetector(LanguageGuess("es", 0.99))
    assert choose_language(text, H(established="en"), sure, SUPPORTED_LANGUAGES) == expected
    hints = H(telegram_code="en") if expected == "en" else H()
    assert choose_language(text, hints, sure, SUPPORTED_LANGUAGES) == expected


def test_never_logs_text_or_number(detector: LanguageDetector, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    choose_language(SENTENCE["sw"], H(phone_number=PHONE["KE"], telegram_code="sw"), detector, SUPPORTED_LANGUAGES)
    choose_language("R-7K3F", H(phone_number=PHONE["KE"]), detector, SUPPORTED_LANGUAGES)
    logged = caplog.text
    assert "Mwanaume" not in logged and "R-7K3F" not in logged and "712123456" not in logged


# --- Arabizi ------------------------------------------------------------------------------------
ARABIZI = [
    "ana 5ayfa",
    "7ad ta7arash biya",
    "wa7ed yetba3ni daba",
    "sa3douni",
    "fi wa7ed 3and el bab w howa lessa barra",  # Egyptian / Levantine
    "rah kayt3a9eb fiya men l mahatta, 3afak ajiw",  # Darija
    "ya jama3a el 7a2ouni, el bolis 3am yedrabo l shabeb",
]
NOT_ARABIZI = [
    "meet me at 5pm near the 2nd gate",
    "R-7K3F",
    "gr8, c u 2day b4 9",
    "Habari, 3 watu wamepigwa stendi",
    "KCA 123B ilinigonga na kukimbia",
    "unos de 3ro le dijeron a mi hijo q lo esperan a la salida",
    "wesh 3afak un mec en scoot m'a traitee de pute parce que j'ai pas repondu, il repasse en boucle",
    "Luis Martinez30 de mayo de 2014 a las 08:29",
    "رجل يلاحقني",  # Arabic script: the general detector's business
]


@pytest.mark.parametrize("text", ARABIZI)
def test_arabizi_is_detected_as_arabic_before_the_general_detector(detector: LanguageDetector, text: str) -> None:
    from nlp.language import is_arabizi

    assert is_arabizi(text)
    guess = detector.detect(text)
    assert guess is not None and guess.language == "ar"
    assert choose_language(text, LanguageHints(), detector, SUPPORTED_LANGUAGES, "en") == "ar"  # short ones too


@pytest.mark.parametrize("text", NOT_ARABIZI)
def test_digits_in_other_languages_are_not_arabizi(text: str) -> None:
    from nlp.language import is_arabizi

    assert not is_arabizi(text)


@pytest.mark.parametrize("backend", BACKENDS)
def test_arabizi_is_not_arabic_where_arabic_is_not_a_language(backend: str) -> None:
    narrow = make_detector(backend, ["en", "sw"])
    guess = narrow.detect("7ad ta7arash biya fel otobis w howa lessa wa2ef")
    assert guess is None or guess.language in {"en", "sw"}
    assert choose_language("ana 5ayfa", LanguageHints(), narrow, ["en", "sw"], "sw") in {"en", "sw"}


def test_the_corpus_arabizi_lines_are_arabic_and_no_other_line_is() -> None:
    from nlp.corpus import load_corpus
    from nlp.language import is_arabizi

    examples = load_corpus()
    latin_arabic = [e for e in examples if e.lang == "ar" and not any("\u0600" <= ch <= "\u06ff" for ch in e.text)]
    assert len(latin_arabic) >= 500
    assert sum(is_arabizi(e.text) for e in latin_arabic) / len(latin_arabic) >= 0.98
    assert not [e.text for e in examples if e.lang != "ar" and is_arabizi(e.text)]
