"""Keyword triage: the first, transparent classifier, and the fallback when no trained model is built.

Stems are matched at word starts on folded text (see nlp.text.fold), all six languages at once.
Scores are coarse on purpose: a stem hit is 0.9, nothing found leaves `other`.
"""

from __future__ import annotations

import re

from nlp.text import fold

# Each entry: stems matched at the start of a word (regex allowed), across en, es, fr, pt, sw, ar.
TYPE_STEMS: dict[str, list[str]] = {
    "sexual_harassment": [
        "harass", "following me", "followed me", "catcall", "whistl", "stare", "staring", "flash", "expos", "pervert", "acoso", "acosa",
        "piropo", "me sigue", "harcel", "harcèl", "assedi", "cantad", "ananisumbua", "ananitongoza", "matusi ya",
        "تحرش", "معاكس", "يلاحق", "ta7arosh",
    ],
    "sexual_assault": [
        "rape", "raped", "grop", "touched me", "molest", "sexual assault", "violaci", "violad", "manose", "toco mis",
        "viol", "attouch", "estupr", "apalpa", "abuso sexual", "alinibaka", "kubaka", "amebaka", "alinishika",
        "اغتصاب", "اغتصب", "لمسني", "تحرش جسدي",
    ],
    "domestic_violence": [
        "husband", "my wife", "boyfriend", "partner", "ex ", "my ex", "domestic", "marido", "esposo", "novio",
        "pareja", "copain", "conjoint", "namorado", "companheiro", "mume wangu", "mpenzi", "bwana yangu",
        "زوجي", "زوجها", "طليقي", "violencia domestica", "violence conjugale", "mon mari",
    ],
    "physical_assault": [
        "beat", "beating", "punch", "hit ", "hitting", "fight", "stab", "knife", "kick", "attack", "assault",
        "golpe", "golpea", "pelea", "pega", "cuchill", "apuñal", "apunal", "frapp", "bagarre", "couteau", "poignard",
        "agress", "bate", "briga", "faca", "esfaque", "kupiga", "anapiga", "wanapigana", "vita", "kisu", "amechomwa",
        "ضرب", "يضرب", "خناقة", "سكين", "طعن", "عراك",
    ],
    "gun_violence": [
        "gun", "shot", "shoot", "firearm", "pistol", "bullet", "disparo", "balacera", "balea", "arma de fuego",
        "tiroteo", "pistola", "fusil", "coup de feu", "coups de feu", "tir ", "tiro", "bunduki", "risasi",
        "amepigwa risasi", "رصاص", "مسدس", "اطلاق نار", "سلاح",
    ],
    "threats_extortion": [
        "threat", "extort", "gang", "protection money", "intimidat", "amenaz", "extorsi", "renta", "mara ", "pandill",
        "menac", "racket", "rançon", "ameaç", "ameac", "extorsão", "vitisho", "ananitishia",
        "تهديد", "يهدد", "ابتزاز", "عصابة", "خاوة",
    ],
    "robbery": [
        "rob", "mugg", "stole", "snatch", "theft", "asalt", "robo", "roba", "robaron", "arrebat", "vol ", "volé", "vole",
        "arrach", "roubo", "roub", "assalt", "furt", "wizi", "ameniibia", "wameiba", "kuibiwa", "mwizi", "vibaka",
        "سرق", "سرقة", "نشل", "حرامي",
    ],
    "police_misconduct": [
        "police beat", "police took", "officer", "cops", "a cop", "the cop", "policia me", "policía me", "policias", "policías", "agente",
        "militar", "soldad", "guard", "gendarm", "policier", "flic", "policial", "pm me", "polisi", "karao", "askari",
        "afande", "hongo", "الشرطة", "شرطي", "الامن", "حارس", "عسكري",
    ],
    "drink_spiking": [
        "spike", "spiked", "drugged", "roofie", "my drink", "her drink", "his drink", "friend's drink", "friends drink", "in my friend", "droga", "drogad",
        "trago", "bebida", "burundanga", "verre", "drogu", "boisson", "bebida batizada", "batizad", "dopad",
        "kinywaji", "amewekewa dawa", "dawa kwenye", "مخدر", "شراب", "كاس", "مشروب",
    ],
    "unsafe_place": [
        "no light", "dark", "streetlight", "street light", "abandoned", "unsafe", "bush", "oscur", "sin luz",
        "abandonad", "insegur", "baldio", "sombre", "eclairage", "éclairage", "abandonn", "dangereux", "escur",
        "sem luz", "abandonad", "giza", "hakuna taa", "pori", "مظلم", "ظلام", "مهجور", "بدون اضاءة",
    ],
}

# Present danger: someone is in danger now.
EMERGENCY_STEMS: list[str] = [
    "now", "right now", "rn", "help me", "still here", "following me", "he is here", "he's here", "outside my",
    "bleeding", "unconscious", "ahora", "ahorita", "ayuda", "me sigue", "esta aqui", "sangrando", "inconscien",
    "maintenant", "au secours", "il me suit", "saign", "inconscient", "agora", "socorro", "sangrando", "desmaiad",
    "sasa hivi", "sasa", "saidia", "ananifuata", "yuko hapa", "damu", "amezimia", "الان", "الحين", "ساعدوني",
    "يلاحقني", "ينزف", "فاقد الوعي", "النجدة",
]
# Just happened or needs support within hours.
URGENT_STEMS: list[str] = [
    "just", "tonight", "an hour ago", "minutes ago", "earlier", "this morning", "hace rato", "hace un rato",
    "esta noche", "hace una hora", "hoy", "tout a l'heure", "ce soir", "ce matin", "il y a une heure",
    "agora pouco", "hoje", "esta noite", "hace poco", "leo", "usiku huu", "asubuhi hii", "muda mfupi", "توا",
    "الليلة", "اليوم", "قبل ساعة",
]
# Past incidents and standing information.
ROUTINE_STEMS: list[str] = [
    "yesterday", "last week", "last month", "last year", "every night", "always", "ayer", "la semana pasada",
    "el mes pasado", "siempre", "hier", "la semaine derniere", "le mois dernier", "toujours", "ontem",
    "semana passada", "mes passado", "sempre", "jana", "wiki iliyopita", "mwezi uliopita", "kila siku",
    "امس", "الاسبوع الماضي", "الشهر الماضي", "دائما",
]


def _compile(stems: list[str], whole_words: bool = False) -> re.Pattern[str]:
    folded = sorted({fold(stem) for stem in stems}, key=len, reverse=True)
    end = r"(?!\w)" if whole_words else ""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(stem) for stem in folded) + ")" + end)


_TYPE_PATTERNS = {label: _compile(stems) for label, stems in TYPE_STEMS.items()}
_EMERGENCY = _compile(EMERGENCY_STEMS, whole_words=True)
_URGENT = _compile(URGENT_STEMS, whole_words=True)
_ROUTINE = _compile(ROUTINE_STEMS, whole_words=True)
_VIOLENT = {"sexual_assault", "domestic_violence", "physical_assault", "gun_violence", "robbery", "drink_spiking"}

HIT, MISS = 0.9, 0.05


class KeywordClassifier:
    """Types and urgency from stems; implements the classifier interface of nlp.triage."""

    name = "keywords"
    type_labels = (*TYPE_STEMS, "other")

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]:
        folded = fold(text) + " "  # trailing space lets stems like "ex " match at the end
        type_scores = {label: HIT if pattern.search(folded) else MISS for label, pattern in _TYPE_PATTERNS.items()}
        found = [label for label, score in type_scores.items() if score >= HIT]
        type_scores["other"] = MISS if found else HIT
        if _EMERGENCY.search(folded):
            urgency = "emergency"
        elif _URGENT.search(folded):
            urgency = "urgent"
        elif _ROUTINE.search(folded):
            urgency = "routine"
        else:
            urgency = ""  # no cue: an even guess, which the conversation may ask about
        if urgency:
            urgency_scores = {u: (HIT if u == urgency else MISS) for u in ("emergency", "urgent", "routine")}
        else:
            lean = "urgent" if _VIOLENT & set(found) else "routine"
            urgency_scores = {"emergency": 0.2, "urgent": 0.4 if lean == "urgent" else 0.3, "routine": 0.3}
            urgency_scores[lean] = 0.45
        return type_scores, urgency_scores

    def thresholds(self) -> dict[str, float]:
        return {label: 0.5 for label in self.type_labels}
