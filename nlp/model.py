"""The trained triage classifier: spaCy pipelines on disk behind nlp.triage's Classifier interface.

A model directory (built by `bot.py train`, see nlp/training.py) holds:

    types/            spaCy pipeline with one `textcat_multilabel` (or `textcat`) component, "types"
    urgency/          spaCy pipeline with one `textcat` component, "urgency" (the shipped model only)
    thresholds.json   {"types": {label: threshold}, "urgency": {"emergency": threshold}}, tuned on dev
    meta.json         labels, architecture, corpus hash, preprocessing, training command, dev scores

Types and urgency are two pipelines because spaCy's exclusive `textcat` refuses training examples
whose `cats` hold more than one positive, and a report has several types. Texts are folded
(nlp.text.fold: lower case, no accents, no Arabic diacritics) and given feature tokens (`model_input`)
before either pipeline sees them; the same function serves training and inference.

This module also registers the character n-gram bag-of-words architecture `salama.TextCatCharBOW.v1`
used by nlp/configs/char_bow.cfg: import it before loading such a pipeline (SpacyClassifier does).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import ORTH
from spacy.ml.extract_ngrams import extract_ngrams
from spacy.strings import hash_string
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted, resize_model

from nlp.text import fold
from settings import ConfigError

URGENCY_LABELS = ("emergency", "urgent", "routine")
META_FILE = "meta.json"
THRESHOLDS_FILE = "thresholds.json"
NEG_VALUE = -5000.0


class ModelError(ConfigError):
    """A model directory is missing or unusable; the message says what to do (bot.py prints it, exit 2)."""


def default_model_dir() -> Path:
    from settings import PROJECT_ROOT

    return PROJECT_ROOT / "var" / "model"


# --- model input ------------------------------------------------------------------------------------
def model_input(text: str, language: str | None, meta: dict[str, Any]) -> str:
    """The string both pipelines are trained on and fed: the folded text, led by a language token and followed
    by feature tokens, as the model's meta.json says (the [salama] section of its config):
    `kw<label>` (nlp/keywords.py stem hits), `cx<concept>` (CONCEPTS below), `sf<class>` (nlp/safety.py term
    classes and cues) and `tn<aspect>` (TENSE_PATTERNS below). They carry what one language teaches to the
    others: about two thousand lines per language are still few for every word and dialect."""
    folded = fold(text)
    if meta.get("language_token") and language:
        folded = f"lang{language} {folded}"
    extra: list[str] = []
    if meta.get("keyword_features"):
        extra += keyword_tokens(folded)
    if meta.get("concept_features"):
        extra += concept_tokens(folded)
    if meta.get("safety_features"):
        extra += safety_tokens(text)
    if meta.get("tense_features"):
        extra += tense_tokens(folded)
    repeat = int(meta.get("feature_repeat", 1) or 1)  # counts weigh in the bag of words: >1 favours the features
    return f"{folded} {' '.join(extra * repeat)}" if extra else folded


def safety_tokens(text: str) -> list[str]:
    """The safety net's term classes and cues as tokens (sfNOW, sfPAST, sfWEAPON, sffollowing...), and
    `sfsettled` when the message tells no present danger (SafetyCheck.settled)."""
    from nlp.safety import default_net

    net = default_net()
    found = net.spans(text)
    check = net.check(text)
    return [f"sf{name}" for name in sorted(found)] + [f"sfcue{cue}" for cue in check.cues] + (
        ["sfsettled"] if check.settled else [])


def keyword_tokens(folded: str) -> list[str]:
    from nlp import keywords

    padded = folded + " "
    tokens = [f"kw{label}" for label, pattern in keywords._TYPE_PATTERNS.items() if pattern.search(padded)]
    for name, pattern in (("emergency", keywords._EMERGENCY), ("urgent", keywords._URGENT), ("routine", keywords._ROUTINE)):
        if pattern.search(padded):
            tokens.append(f"kw{name}")
    return tokens


# --- cross-lingual concepts -------------------------------------------------------------------------------
# Stems matched at word starts on folded text (nlp.text.fold), in en, es, fr, pt, sw (with Sheng) and ar (with
# Arabizi); Arabic stems also after clitics and verb prefixes (و ف ب ل ك ح ه س ي ت ن ا, ال): "بيضربها". A hit adds the token
# `cx<concept>` to the model input, so what the model learns about "a partner" or "the police" in one language
# carries to the others: about two thousand lines per language are still too few to learn each word alone.
# A stem starting with `~` matches inside a word (Swahili verb roots after their prefixes: "a-li-ni-piga").
CONCEPTS: dict[str, list[str]] = {
    "partner": [
        "husband", "my wife", "wife", "boyfriend", "girlfriend", "partner", "my ex", "ex ", "ex-", "fiance", "spouse",
        "marido", "esposo", "esposa", "novio", "novia", "pareja", "mi ex", "concubin", "mari ", "mon mari", "ma femme",
        "copain", "copine", "conjoint", "compagnon", "compagne", "fiance", "namorad", "companheir", "mume", "mke wangu",
        "mke wake", "mpenzi", "bwana yangu", "bwanangu", "mchumba", "baby daddy", "زوج", "جوز", "خطيب", "طليق",
        "حبيبي", "zawj", "jouz", "jozi", "rajli", "khatib", "ta3ib",
        "مرت", "مراته", "مراتي", "مرتي", "مرتو", "جوزها", "جوزي", "خطيبها", "خطيبي", "طليقي", "طليقها", "حبيبها", "ابو ولادي", "ام ولادي", "صاحبها", "mrati", "mratou", "jozi", "jawzi", "zoji", "5atibi", "7abibi", "abu wladi", "abou wladi", "tali2i",
        "rajel dyali", "marti", "راجلي", "zawji", "baby mama", "man dem",
    ],
    "family": [
        "father", "dad", "stepfather", "stepdad", "mother", "mum", "mom", "stepmother", "uncle", "aunt", "brother",
        "sister", "cousin", "son ", "my son", "daughter", "in-law", "in law", "grandfather", "grandmother", "nephew",
        "niece", "family", "padre", "papa", "padrastro", "madre", "mama", "madrastra", "tio", "tia", "hermano",
        "hermana", "primo", "prima", "suegr", "cunad", "hijo", "hija", "sobrin", "abuel", "familia", "pere", "beau-pere",
        "beau pere", "mere", "belle-mere", "belle mere", "maman", "oncle", "tante", "frere", "soeur", "fils", "fille",
        "neveu", "niece", "famille", "pai", "padrasto", "mae", "mama", "madrasta", "irmao", "irma", "sogr", "cunhad",
        "filho", "filha", "sobrinh", "avo", "familia", "baba", "mama", "mjomba", "shangazi", "kaka", "dada", "binamu",
        "mkwe", "wakwe", "mwanangu", "mwanawe", "shemeji", "bibi", "babu", "familia", "ndugu", "ابو", "اب ", "امي",
        "ام ", "عمي", "عم ", "خالي", "خال ", "اخوي", "اخويا", "اخو", "اخي", "اخت", "ابن", "بنت عمي", "حماتي", "حمايا", "ابويا",
        "بابا", "ماما", "عيلت", "اهل", "baba", "abouya", "omi", "khali", "3ami", "akhouya", "okhti", "7amati",
        "اخويا", "اخوي", "خيي", "اختي", "امي", "ابوي", "بيي", "عمي", "خالي", "جوز امي", "مرات ابويا", "حماتي", "صهري", "سلفي", "ابن عمي", "بنت خالتي", "بنت عمي", "ولادي", "العيال", "بنتي", "ابني", "5ayye", "5ayi", "o5ti", "ommi", "emmi", "abouy", "bayye", "sehri", "ebni", "binti", "wladi", "el wled",
    ],
    "home": [
        "home", "house", "my room", "apartment", "flat", "casa", "hogar", "depa", "cuarto", "maison", "chez moi",
        "chez nous", "appart", "chambre", "casa", "lar", "apartamento", "quarto", "nyumbani", "nyumba", "chumba",
        "keja", "البيت", "بيت", "الدار", "الشقه", "اوضتي", "el beit", "lbit",
    ],
    "police": [
        "police", "cop", "cops", "officer", "policeman", "policemen", "detective", "soldier", "military", "army",
        "guard", "guards", "security guard", "security", "askari", "checkpoint", "roadblock", "traffic police",
        "policia", "policias", "poli ", "la poli", "agente", "patrulla", "militar", "soldad", "guardia", "vigilante",
        "reten", "tombo", "chota", "federal", "gendarm", "policier", "flic", "keuf", "militaire", "soldat", "vigile",
        "garde", "commissariat", "agent", "barrage", "condé", "polícia", "policia", "policial", "pm ", "pms", "militar",
        "soldado", "seguranca", "vigia", "delegacia", "blitz", "gambé", "polisi", "karao", "afande", "askari", "sirikali",
        "ldu", "kanjo", "mlinzi", "walinzi", "sonko", "شرط", "بوليس", "ظابط", "ضابط", "عسكري", "امين شرطه", "الامن",
        "امن", "حارس", "حراس", "القسم", "كمين", "الحاجز", "جيش", "chorta", "bolis", "l7ako", "boulis", "3askari",
        "dabet", "amn ", "watchman", "watchmen", "chowkidar", "chowkidaar", "warden", "constable", "havaldar",
        "hawaldar", "sub inspector", "home guard", "gatekeeper", "gateman", "security man",
        "gardien", "guarda ", "guardas ", "porteiro", "celador", "carcelero", "mlinzi wa", "bawab",
        "بواب", "غفير", "خفير", "ghafir", "bawwab", "7aras", "7ares",
        "المخفر", "الدرك", "امن الدوله", "حاجز", "دوريه", "عسكر", "بودي جارد", "سيكيوريتي", "mokhfar", "darak", "7ajez", "dawriyye", "sekuriti", "police",
        "bolice", "bouliss", "l7akem", "البوليس", "الحاكم", "شرطي", "شرطه", "mshoter", "police man", "babylon", "agbero", "sotra", "polis", "agente da", "bófia", "chui", "mpolisi",
    ],
    "custody": [
        "~kamat", "~fung",
        "arrest", "detain", "cell", "custody", "locked up", "handcuff", "jail", "prison", "station", "lock-up",
        "detuv", "detenid", "arrest", "calabozo", "carcel", "separo", "esposad", "arrete", "garde a vue", "cellule",
        "menott", "prison", "preso", "prenderam", "prendeu", "algemad", "cela", "cadeia", "xadrez", "kamatwa",
        "wamekamata", "alikamatwa", "amekamatwa", "rumande", "selo", "jela", "korokoro", "pingu", "اعتقل", "حبس",
        "زنزان", "سجن", "محضر", "اتقبض", "قبضوا", "مسكوه", "kelabsh", "7abs", "sjen",
    ],
    "money": [
        "~lip",
        "bribe", "pay", "paid", "money", "cash", "fee", "dollars", "shillings", "soborno", "mordida", "dinero", "pagar",
        "pague", "plata", "lana", "pesos", "cuota", "renta", "vacuna", "pot-de-vin", "argent", "payer", "paie", "fric",
        "bakchich", "francs", "propina", "suborno", "dinheiro", "pagar", "paga", "arrego", "grana", "reais", "taxa",
        "hongo", "chai", "pesa", "kulipa", "alipe", "tulipe", "walipe", "elfu", "ganji", "رشو", "فلوس",
        "ادفع", "يدفع", "ندفع", "دفع", "مصاري", "جنيه", "دولار", "flous", "floos", "masari", "rashwa",
    ],
    "threat": [
        "~tishi", "~tisho",
        "threat", "threaten", "will kill", "kill you", "kill me", "warned", "intimidat", "or else", "disappear",
        "amenaz", "te vamos a", "te voy a", "te mato", "matarte", "advirt", "menac", "tuer", "te tuer", "gare a toi",
        "ameac", "vou te matar", "matar", "desaparec", "tishi", "vitisho", "atakuua", "watakuua", "nitakuua", "kuua",
        "onyo", "تهديد", "هدد", "يهدد", "بيهدد", "هقتلك", "هيقتل", "راح يقتل", "هموتك", "تختفي", "tahdid", "hadedni",
        "بيهدد", "هيموت", "هيقتل", "هخلص عليك", "راح يقتل", "رح يقتل", "hadded", "haneweslak", "hay2tol", "ra7 y2tol", "byhadded",
    ],
    "gang": [
        "gang", "thugs", "the boys from", "youths", "mara ", "maras", "pandill", "cartel", "sicari", "narco", "banda",
        "gang", "bande", "caid", "voyou", "racaille", "dealer", "gangue", "faccao", "traficant", "milicia", "bandid",
        "o movimento", "genge", "panya road", "wahuni", "mungiki", "majambazi", "jambazi", "gaidi", "chokora",
        "vijana wa", "عصاب", "بلطجي", "شبيح", "زعران", "3esaba", "baltagi",
        "زعران", "بلطجيه", "شبيحه", "عصابه", "zo3ran", "baltagiyye", "3esabe",
    ],
    "extortion": [
        "protection money", "extort", "pay or", "pay up", "weekly fee", "monthly fee", "toll", "extorsi", "cobro de piso",
        "derecho de piso", "impuesto", "racket", "rancon", "extorsion", "taxe", "extorsao", "pedagio", "mensalidade",
        "kutoza", "ushuru", "pesa ya", "kodi ya", "ابتزاز", "خاو", "اتاو", "ارضيه", "khawa", "itawa",
        "خوه", "اتاوه", "ارضيه", "5owwa", "5awa",
    ],
    "gun": [
        "gun", "shot", "shoot", "shots", "gunmen", "gunman", "gunshot", "bullet", "pistol", "rifle", "ak-47", "ak47",
        "cartridge", "fired", "firing", "armed men", "revolver", "disparo", "dispar", "bala", "balacera", "balazo",
        "balea", "tiroteo", "pistola", "arma de fuego", "armado", "cartucho", "casquillo", "fusil", "plomo", "cuete",
        "coup de feu", "coups de feu", "tir ", "tirs", "tire ", "fusillade", "balle", "pistolet", "kalach", "flingue",
        "arme a feu", "tiro", "tiroteio", "bala", "baleado", "baleada", "rajada", "revolver", "pistola", "fuzil",
        "oitao", "armado", "bunduki", "risasi", "bastola", "milio ya risasi", "rifle", "رصاص", "اطلاق نار",
        "اطلاق", "مسدس", "سلاح", "بندقي", "رشاش", "طلق", "كلاشن", "فرد", "rsas", "rosas", "mosadas", "sla7", "tal9",
        "طبنجه", "ضرب نار", "بارود", "فوارغ", "msadas", "rsas", "tal2", "darb nar", "rsasa",
        "shotgun", "kalash", "kalachnikov", "rafale", "disparou", "arma", "cartuch", "قرطاس", "فشك", "mosaddas", "krtas", "رمي",
    ],
    "blade": [
        "~dung", "~chom",
        "knife", "knives", "machete", "blade", "stab", "stabbed", "razor", "broken bottle", "cuchill", "navaja",
        "machete", "punal", "apunal", "filero", "fierro", "couteau", "machette", "poignard", "lame", "cutter", "faca",
        "facao", "esfaque", "canivete", "kisu", "visu", "panga", "mapanga", "dunga", "kudungwa", "amedungwa", "wembe",
        "سكين", "ساطور", "مطوه", "طعن", "خنجر", "شفره", "موس", "sekkin", "sekina", "ta3n",
        "سكينه", "طعنه", "sekkine", "matwa", "mous",
        "cutlass", "jooks", "juk", "ripper", "جنوي", "jenwi", "catana", "catanas", "navalha",
    ],
    "hit": [
        "~piga", "~pigw", "~pigan", "~umiz", "~shambul", "~chap", "~sukum",
        "hit", "beat", "beating", "punch", "kick", "slap", "jumped", "assault", "attack", "fight", "brawl", "bruise",
        "injur", "hurt", "strangl", "chok", "push", "shov", "throw", "threw", "broke my", "broken", "golpe", "golpea",
        "pega", "pego", "patad", "cachetad", "bofetad", "pelea", "paliza", "agred", "madrea", "cacheta", "empuj",
        "ahorc", "frapp", "coup", "gifle", "tabass", "bagarre", "agress", "bless", "cogn", "pousse", "etrangl",
        "bater", "bate", "bateu", "batendo", "soco", "chute", "tapa", "briga", "porrada", "espanc", "agred",
        "empurr", "estrangul", "enforc", "pancad", "machuc", "piga", "pigwa", "pigana", "ngumi", "kofi", "teke",
        "ugomvi", "vita", "jeraha", "umiza", "shambuli", "kaba", "chapa", "ضرب", "بوكس", "لكم", "كف ", "خناق",
        "عرك", "اعتد", "اعتدا", "شلوت", "رفس", "زق", "جرح", "خنق", "darab", "drab", "darb", "m3arka",
        "khna2a", "boks", "kaff",
        "ضربها", "انضرب", "طوشه", "مضاربه", "كسروا", "كسر", "جرحني", "رمى", "رمت", "دفش", "لطش", "ضربوا", "dareb", "5ena2a", "tawshe", "kasaro", "jara7", "madrube", "darabni", "darabo",
        "flog", "wound", "lick", "box am", "beat am", "dreb", "drebni", "derbou", "كتلوه", "katlo", "surr", "sova", "tareia", "chapad", "baff", "claque", "madriz", "putiz", "vergazo", "cachetea", "~tandik", "kichapo", "~dreb",
    ],
    "rob": [
        "~nyang", "~ibi", "~ibw", "~por",
        "rob", "robbed", "robber", "mug", "mugged", "snatch", "steal", "stole", "stolen", "thief", "thieves", "took my",
        "take my", "grabbed my bag", "hold up", "holdup", "robo", "robar", "robaron", "roba", "asalt", "arrebat",
        "ladron", "ratero", "quitaron", "bolsear", "vol ", "vole", "voler", "volé", "arrach", "voleur", "braqu",
        "derob", "piqu", "roubo", "roub", "assalt", "ladrao", "ladroes", "furt", "arrastao", "levaram", "puxaram",
        "wizi", "ibiwa", "ibia", "iba ", "wameiba", "ameiba", "mwizi", "wezi", "nyang", "vibaka", "kibaka", "pora",
        "kunyang", "سرق", "حرامي", "نشل", "خطف", "شلح", "نهب", "sara2", "sere2", "7arami", "nashal", "khataf",
        "سرقوا", "اتسرق", "شلحوني", "شلح", "ثبتوني", "قلبوني", "sara2o", "sar2a", "5ataf", "sha7atouni", "tashlee7", "sara2ouni",
        "tief", "teef", "sre9", "ser9", "sra9", "sar9", "chfar", "شفار", "سراق", "gatun", "larapi", "djoss", "arrache", "baq ", "باق", "نهبوا", "سلبوا", "slab", "carjack", "hijack",
    ],
    "valuables": [
        "phone", "bag", "wallet", "purse", "handbag", "money", "laptop", "necklace", "chain", "celular", "cel ",
        "cartera", "bolso", "bolsa", "cadena", "portable", "telephone", "sac", "portefeuille", "collier", "celular",
        "telemovel", "bolsa", "carteira", "mochila", "corrente", "cordao", "simu", "pochi", "mkoba", "mkufu",
        "موبايل", "تليفون", "جوال", "شنط", "محفظ", "سلسل", "mobile", "tel ",
        "تلفون", "جزدان", "دهب", "telefon", "shanta", "jezdan", "mobayl",
    ],
    "sex_touch": [
        "~shik", "~tomas", "~bak", "~lazimish", "~gus",
        "touch", "touched", "grope", "groped", "grab", "grabbed", "breast", "boob", "butt", "bum", "thigh",
        "between my legs", "kiss", "forced", "rape", "raped", "molest", "fondl", "private parts", "undress", "tocar",
        "toco", "toca", "manose", "manoseo", "agarr", "nalga", "pecho", "senos", "beso", "viol", "abuso sexual",
        "abuso", "entrepierna", "toucher", "touche", "attouch", "main aux fesses", "fesse", "seins", "poitrine",
        "embrass", "viol", "agression sexuelle", "caress", "tocar", "tocou", "passou a mao", "apalp", "bunda", "seios",
        "peito", "beij", "estupr", "abus", "coxa", "shika", "shik", "tomasa", "tomaswa", "matiti", "makalio",
        "mapaja", "busu", "baka", "bakwa", "ubakaji", "nyonyo", "lazimisha", "لمس", "لمسني", "تحرش جسدي", "مسك",
        "اغتصا", "اغتصب", "بوس", "صدري", "صدر", "فخذ", "هتك", "يحسس", "lamas", "ghtasab",
        "يلمس", "بيلمس", "حسس", "تحسس", "يحك", "لازق", "باسها", "يبوس", "اتغتصبت", "غصب", "يغصب", "يغتصب", "اعتدى جنسيا", "مسكني", "قفش", "yeghteseb", "ightisab", "ghtesab", "bous", "7asses", "lamasni", "lamasha",
        "feel her up", "feel me up", "feeling up", "rub", "encox", "frott", "pelot", "mains baladeuses", "arrimon", "repegon", "manosea", "tocaba", "~papas", "يدعك", "قرص",
    ],
    "sex_verbal": [
        "~sumbu", "~tongoz", "~jionyesh", "~tukan",
        "harass", "catcall", "comment", "whistl", "stare", "staring", "sexy", "nude", "naked", "photos", "pics",
        "messages", "texts", "exposed", "expose", "masturbat", "flash", "lewd", "dirty", "sex", "sleep with",
        "his lap", "acos", "piropo", "chifl", "mira", "fotos", "desnud", "mensaj", "exhib", "masturb",
        "sexo", "cosas sucias", "mamacita", "guapa", "harcel", "sifl", "regard", "photo", "nu ", "nue", "message",
        "exhib", "drague", "sexe", "salope", "assedi", "cantad", "assobi", "encar", "nudes", "fotos", "mensage",
        "exib", "gostosa", "sexo", "sumbua", "tongoza", "matusi", "uchi", "picha", "jumbe", "sms", "jionyesha",
        "tusi", "miluzi", "mapenzi", "kuniita", "malaya", "تحرش", "معاكس", "بيعاكس", "يعاكس", "صفر", "بيبص",
        "يبص", "صور", "رسايل", "رسائل", "عريان", "يتعرى", "كلام وسخ", "كلام قذر", "قليل الادب", "ta7arosh", "m3aksa",
        "kalam",
        "يعاكس", "بيتحرش", "يتحرش", "كلام جنسي", "يكشف نفسه", "من غير هدوم", "صور", "صوّر", "يصور", "يتطلع", "فويسات", "ysawar", "bey2olo", "bi3akes", "yet7arash", "bisawer", "yetla3 fiyye",
        "hiss", "psst", "bsbs", "basbas", "mater", "fiu fiu", "mexer com", "piropos", "بصبص", "يبصبص", "kalam khayeb", "كلام خايب",
    ],
    "follow": [
        "~fuat", "~fwat", "~fatil",
        "follow", "stalk", "behind me", "walking behind", "chas", "segui", "sigue", "persegu", "persig", "detras de mi",
        "suit", "suiv", "poursuiv", "derriere moi", "seguir", "seguindo", "segue", "persegu", "atras de mim", "fuata",
        "fwata", "fatilia", "nyuma yangu", "يلاحق", "بيلاحق", "يتبع", "يمشي ورا", "ماشي ورا", "ورايا", "tba3",
        "la7e", "la7a",
    ],
    "drink": [
        "drink", "drinks", "glass", "cup", "juice", "beer", "wine", "cocktail", "soda", "bebida", "trago", "copa",
        "vaso", "cerveza", "chela", "jugo", "refresco", "boisson", "verre", "biere", "jus", "cocktail", "bebida", "copo",
        "cerveja", "suco", "drinque", "vinho", "kinywaji", "glasi", "bia", "pombe", "juisi", "soda", "kikombe",
        "مشروب", "كاس", "كوباي", "عصير", "بير", "شراب", "كوب", "sharab", "kas ", "3asir",
        "كبايه", "ديسكو", "حفله", "بار",
    ],
    "spiked": [
        "~zimi", "~zirai",
        "spike", "drugged", "roofie", "something in", "weird after", "dizzy", "memory", "woke up", "remember",
        "blackout", "blacked out", "passed out", "drowsy", "burundanga", "escopolamina", "drog", "mareada", "mareo",
        "no recuerdo", "desperte", "algo en", "drogu", "ghb", "etourdi", "souvenir", "reveill", "quelque chose dans",
        "batizad", "dopad", "boa noite cinderela", "tonta", "zonza", "apagad", "nao lembro", "acordei", "algo na",
        "algo no", "mchele", "dawa", "kizunguzungu", "sikumbuki", "nilizinduka", "kuzimia", "wekewa", "mekewa",
        "مخدر", "دايخ", "دوخ", "مش فاكر", "مش فاكره", "فقت", "حطوا", "حطو", "mkhadder", "dayekh", "dawkha",
        "حطلها", "حطلي", "مخدرات", "دايخه", "مش فاكره", "مش متذكره", "فقدت الوعي", "7atlha", "dayi5a", "dayekha",
    ],
    "nightlife": [
        "bar", "club", "disco", "party", "bouncer", "barman", "bartender", "waiter", "dance floor", "dj", "venue",
        "lounge", "nightclub", "antro", "fiesta", "boliche", "mesero", "discoteca", "soiree", "boite", "videur",
        "serveur", "piste", "balada", "festa", "boate", "garcom", "segurança da", "klabu", "sherehe", "baa",
        "kilabu", "bouncer", "ملهى", "حفله", "ديسكو", "بار", "كلوب", "club", "la bodega", "skybar", "neon",
        "blue lagoon", "mama afrika",
    ],
    "dark_place": [
        "dark", "light", "lights", "streetlight", "street light", "lamp", "unlit", "abandoned", "empty", "bush",
        "bushes", "tall grass", "overgrown", "alley", "path", "shortcut", "underpass", "bridge", "plot", "building site",
        "vacant", "derelict", "no cctv", "oscur", "luz", "luces", "farol", "alumbrado", "lampara", "abandon", "baldio",
        "monte", "maleza", "callejon", "vacio", "sendero", "puente", "sombre", "noir", "lumiere", "eclairage",
        "lampadaire", "abandonn", "terrain vague", "brouss", "ruelle", "sentier", "pont", "escur", "luz",
        "poste", "iluminacao", "lampada", "abandonad", "terreno baldio", "mato", "beco", "vazio", "ponte", "trilha",
        "giza", "taa", "hakuna taa", "vichaka", "kichaka", "pori", "kichochoro", "vichochoro", "jengo", "tupu",
        "nyasi", "daraja", "njia ya mkato", "مظلم", "ظلام", "ضلمه", "نور", "انار", "اضاء", "عمود", "لمبه", "مهجور",
        "خراب", "حشائش", "زقاق", "ممر", "كوبري", "جسر", "فاضي", "d3ma", "dalma", "nour", "mhjour",
        "عتمه", "ضلمه", "معتم", "كهربا", "لمبه", "عمود نور", "اناره", "خرابه", "ارض فاضيه", "زاروب", "3atme", "dalma", "zarub", "3atmeh",
    ],
    "danger_feel": [
        "~ogop",
        "scared", "afraid", "unsafe", "dangerous", "fear", "frighten", "terrified", "miedo", "peligr", "insegur",
        "asust", "peur", "dangereu", "insecur", "effray", "medo", "perig", "insegur", "assust", "ogopa", "hofu",
        "hatari", "wasiwasi", "خايف", "خوف", "خطر", "مرعوب", "khayfa", "khayef", "khatar",
    ],
    "question": [
        "how do i", "how can i", "can i", "where can", "where do", "what number", "is there", "is it", "who do i",
        "do you", "number for", "puedo", "donde", "como", "que numero", "hay ", "es delito", "a quien", "est-ce",
        "comment", "ou ", "puis-je", "peut-on", "quel numero", "y a-t-il", "posso", "onde", "como", "qual numero",
        "tem como", "e crime", "naweza", "wapi", "namba", "nifanyeje", "nani", "ni kosa", "ممكن", "فين",
        "ازاي", "هل ", "رقم", "مين", "وين", "كيف", "momken", "fein", "ezay", "kifash", "?",
        "شو", "شلون", "كيف", "وين", "فين", "ازاي", "مين", "هل", "ممكن", "بدي اعرف", "عايزه اعرف", "shu", "kif", "wein", "fein", "ezay", "momken", "mumken",
    ],
    "emergency_other": [
        "~ungua", "~potea",
        "fire", "burning", "crash", "accident", "ambulance", "cpr", "heart attack", "seizure", "collapsed", "flood",
        "drunk driver", "drunk driving", "lost", "missing", "alone crying", "incendio", "fuego", "accidente",
        "choque", "ambulancia", "perdid", "desaparec", "borracho manejando", "incendie", "feu", "accident", "ambulance",
        "perdu", "disparu", "ivre au volant", "incendio", "fogo", "acidente", "batida", "ambulancia", "perdid",
        "desaparec", "motorista bebado", "inaungua", "ajali", "gari la wagonjwa", "amepotea", "potea",
        "dereva mlevi", "amelewa", "حريق", "نار", "بتولع", "حادث", "اسعاف", "تايه", "مفقود", "ضايع", "سكران",
        "7ari2", "7adsa", "isaaf",
    ],
    "child": [
        "child", "kid", "boy", "girl", "minor", "baby", "school", "student", "pupil", "teen", "nino", "nina", "menor",
        "bebe", "escuela", "colegio", "alumn", "enfant", "gamin", "gosse", "mineur", "bebe", "ecole", "college",
        "lycee", "eleve", "crianca", "menino", "menina", "menor", "escola", "aluno", "aluna", "mtoto", "watoto",
        "msichana", "mvulana", "mwanafunzi", "shule", "طفل", "اطفال", "عيل", "قاصر", "مدرس", "طالب", "طالبه",
        "tifl", "3ayel", "madrasa",
        "طفله", "ولد صغير", "الولاد", "مدرسه", "tefl", "walad",
    ],
    "authority": [
        "boss", "lecturer", "teacher", "professor", "coach", "pastor", "priest", "doctor", "landlord", "manager",
        "employer", "supervisor", "jefe", "profesor", "maestro", "patron", "casero", "entrenador", "cura", "medico",
        "patron", "prof", "professeur", "chef", "proprietaire", "entraineur", "pretre", "medecin", "chefe",
        "professor", "patrao", "senhorio", "treinador", "padre", "medico", "mwalimu", "bosi", "mwenye nyumba",
        "daktari", "mchungaji", "kocha", "meneja", "مدير", "استاذ", "مدرس", "دكتور", "صاحب الشغل", "صاحب البيت",
        "شيخ", "modir", "ostaz", "mo3alem",
        "المدير", "الاستاذ", "المعلم", "الشيخ", "صاحب الشغل", "el modir", "el ostaz",
    ],
    "hate": [
        "racist", "racism", "graffiti", "homophob", "slur", "hate", "racis", "pintad", "grafiti", "odio", "raciste",
        "tag", "haine", "pichac", "pixa", "odio", "ubaguzi", "chuki", "عنصري", "كراهي", "كتابه على", "3onsori",
    ],
}

_ARABIC = re.compile(r"[\u0600-\u06FF]")


def _fold_stem(stem: str) -> str:
    return fold(stem) + (" " if stem.endswith(" ") else "")  # a trailing space means "whole word"


def _concept_pattern(stems: list[str]) -> re.Pattern[str]:
    inside = sorted({_fold_stem(s[1:]) for s in stems if s.startswith("~")}, key=len, reverse=True)
    stems = [s for s in stems if not s.startswith("~")]
    latin = sorted({_fold_stem(s) for s in stems if not _ARABIC.search(s) and s != "?"}, key=len, reverse=True)
    arabic = sorted({_fold_stem(s) for s in stems if _ARABIC.search(s)}, key=len, reverse=True)
    parts = ["[?؟]"] if "?" in stems else []
    if inside:  # Swahili roots: after subject, tense and object prefixes ("a-li-ni-piga")
        parts.append("(?:" + "|".join(map(re.escape, inside)) + ")")
    if latin:
        parts.append(r"(?<!\w)(?:" + "|".join(map(re.escape, latin)) + ")")
    if arabic:  # after up to three clitic / tense letters (و ف ب ل ك, ح ه س, ي ت ن ا), then an optional article
        parts.append(r"(?<!\w)[وفبلكحهسيتنا]{0,3}(?:ال)?(?:" + "|".join(map(re.escape, arabic)) + ")")
    return re.compile("|".join(parts))


_CONCEPT_PATTERNS = {name: _concept_pattern(stems) for name, stems in CONCEPTS.items()}


def concept_tokens(folded: str) -> list[str]:
    """`cx<concept>` for each concept whose stems occur in the folded text."""
    padded = folded.replace("'", " ").replace("\u2019", " ") + " "
    return [f"cx{name}" for name, pattern in _CONCEPT_PATTERNS.items() if pattern.search(padded)]


# --- tense and time ------------------------------------------------------------------------------------
# Urgency is mostly grammar: "is beating" (now) vs "beat" (past) vs "just beat" (recent) vs "beats me every
# week" (habitual). These patterns run on the folded words (apostrophes split, punctuation dropped) and add
# `tn<aspect>` tokens shared by the six languages, including Swahili's tense prefixes (a-na-piga now,
# a-me-piga just/has, a-li-piga past, hu-piga habitual).
_NOT_ING = r"(?!(?:morn|even|noth|someth|anyth|everyth|th|k|r|s|dur|build|ceil|wedd|meet|park|cloth|bor)ing\b)"
TENSE_PATTERNS: dict[str, list[str]] = {
    "progressive": [
        r"\b(?:is|are|am|im|m|s|re|was|were|keeps?|still)\s+(?:\w+\s+)?" + _NOT_ING + r"\w{2,}ing\b",
        r"\b(?:esta|estan|estoy|estamos|sigue|siguen|anda|andan|viene|vienen)\s+(?:\w+\s+)?\w+(?:ando|iendo|yendo)\b",
        r"\b(?:esta|estao|estou|to|ta|tao|fica|ficam|continua|continuam)\s+(?:me\s+|te\s+|a\s+)?\w+(?:ando|endo|indo)\b",
        r"\b(?:esta|estao|estou|ta|tao)\s+a\s+\w+[aei]r\b",
        r"\ben train d",
        r"\b(?:ana|wana|nina|tuna|una|mna|ina|zina|kina)\w{3,}",
        r"(?<!\w)(?:عم|قاعد|قاعده|عمال|عماله|3am|2a3ed)\s",
        r"\bdey\s+\w{3,}", r"(?<!\w)(?:rah|raha|rahom|راه|راها|راهم|داي|دا)\s+\w{3,}",
    ],
    "recent": [
        r"\bjust\b", r"\b(?:minutes?|mins?|hours?|hrs?|an hour|a moment)\s+ago\b", r"\bearlier\b",
        r"\bacab(?:a|an|o|amos|ou|aram|ei)\s+de\b", r"\bhace\s+(?:un\s+)?rato\b", r"\bhace\s+\w+\s+(?:minutos|horas?|min)\b",
        r"\b(?:vient|viennent|viens|venons)\s+d", r"\bil y a\s+\w+\s+(?:minutes?|heures?|min)\b", r"\btout a l heure\b",
        r"\b(?:agora\s+)?ha\s+pouco\b", r"\b(?:faz|ha)\s+\w+\s+(?:minutos|horas?|min)\b",
        r"\b(?:ame|wame|nime|tume|ume|mme)\w{3,}", r"\bmuda mfupi\b", r"\bpunde\b", r"\biliyopita\b",
        r"(?<!\w)(?:لسه|لسا|توا|تو)\s", r"(?<!\w)من\s+(?:شوي|شويه|ساعه|ساعتين|\w+\s+دقايق|\w+\s+دقائق)", r"\b(?:lissa|tawwa|men shway)\b",
        r"\bdon\s+(?!t\b)\w{2,}", r"\b(?:twa|tawa|tawwa|3ad|ghir daba)\b",
    ],
    "past": [
        r"\b(?:was|were|had|did|used to)\b", r"\blast\s+(?:week|month|year|night|weekend|friday|saturday|sunday)\b",
        r"\byesterday\b", r"\b(?:days?|weeks?|months?|years?)\s+ago\b", r"\bin\s+(?:19|20)\d\d\b",
        r"\b(?:ayer|anoche|antier)\b", r"\bpasad[oa]s?\b", r"\b\w+(?:aron|ieron)\b",
        r"\bhier\b", r"\bderni[e]re?s?\b", r"\bil y a\s+\w+\s+(?:jours?|semaines?|mois|ans?)\b",
        r"\b(?:ontem|anteontem)\b", r"\bpassad[oa]s?\b", r"\b\w+(?:aram|eram|iram)\b",
        r"\b(?:ali|wali|nili|tuli|uli|mli)\w{3,}", r"\b(?:jana|juzi|zamani)\b", r"\bmwaka\b",
        r"(?<!\w)(?:كان|كانت|كانوا|امبارح|امس|البارح|البارحه)(?!\w)", r"الماضي",
        r"\b(?:kan|kant|kanet|kanou|kano|lbare7|lbar7|el bare7)\b", r"(?<!\w)من\s+\w*\s*(?:سنين|سنه|شهور|شهر|اسبوع|ايام)",
    ],
    "habitual": [
        r"\b(?:every|always|often|usually|each\s+(?:night|day|week))\b", r"\bkeeps?\b",
        r"\b(?:siempre|cada|suele|suelen)\b", r"\btod[oa]s\s+l[oa]s\b",
        r"\btous\s+les\b", r"\btoutes\s+les\b", r"\bchaque\b", r"\bsouvent\b",
        r"\b(?:sempre|tod[oa]s?\s+(?:dia|noite|semana|os|as))\b",
        r"\bhu\w{4,}", r"\bkila\b", r"\bmara\s+nyingi\b",
        r"(?<!\w)(?:كل|دايما|دائما|دايم)(?!\w)",
    ],
    "future": [
        r"\b(?:will|gonna|going to|tomorrow)\b", r"\b(?:va|van|vamos|voy)\s+a\b", r"\bmanana\b",
        r"\b(?:va|vont|vais)\s+\w+r\b", r"\bdemain\b", r"\b(?:vai|vao|vou)\s+\w+r\b", r"\bamanha\b",
        r"\b(?:ata|wata|nita|tuta)\w{3,}", r"\bkesho\b", r"(?<!\w)(?:راح|رح|بكره|بكرا|سوف)(?!\w)", r"(?<!\w)هي\w{3,}", r"\bbokra\b",
        r"\b(?:ghadi|ghad|ghedwa|ghodwa)\b", r"(?<!\w)(?:غادي|غدوه)(?!\w)",
    ],
}
_TENSE = {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in TENSE_PATTERNS.items()}
_TENSE_WORDS = re.compile(r"\w+")


def tense_tokens(folded: str) -> list[str]:
    joined = " ".join(_TENSE_WORDS.findall(folded.replace("'", " ").replace("\u2019", " ")))
    return [f"tn{name}" for name, pattern in _TENSE.items() if pattern.search(joined)]


# --- decisions shared by Triage and the evaluation ---------------------------------------------------
def assign_types(
    type_scores: dict[str, float], thresholds: dict[str, float], exclusive: bool = False
) -> list[tuple[str, float]]:
    """Labels at or above their threshold, best first; at least the best one; `other` only alone."""
    best = max(type_scores, key=lambda label: type_scores[label])
    if exclusive:
        return [(best, type_scores[best])]
    assigned = sorted(
        ((label, score) for label, score in type_scores.items() if score >= thresholds.get(label, 0.5)),
        key=lambda item: -item[1],
    )
    if len(assigned) > 1:
        assigned = [item for item in assigned if item[0] != "other"]
    return assigned or [(best, type_scores[best])]


def decide_urgency(urgency_scores: dict[str, float], urgency_thresholds: dict[str, float] | None = None) -> str:
    """`emergency` when its score reaches the tuned threshold (recall first), else the best of the rest."""
    threshold = (urgency_thresholds or {}).get("emergency")
    if threshold is None:
        return max(urgency_scores, key=lambda u: urgency_scores[u])
    if urgency_scores.get("emergency", 0.0) >= threshold:
        return "emergency"
    rest = {u: s for u, s in urgency_scores.items() if u != "emergency"}
    return max(rest, key=lambda u: rest[u])


def decide_final_urgency(
    urgency_scores: dict[str, float], urgency_thresholds: dict[str, float] | None, check: Any
) -> str:
    """The urgency a report gets: the model's (`decide_urgency`), at most `urgent` when the message tells no
    present danger (a past narrative, "I am safe now", "at my neighbour's", a threat by text message:
    `check.settled`), and `emergency` whenever the safety net finds a present-danger cue (`check.cues`).
    `check` is an nlp.safety.SafetyCheck."""
    urgency = decide_urgency(urgency_scores, urgency_thresholds)
    if urgency == "emergency" and getattr(check, "settled", False) and not check.cues:
        rest = {u: s for u, s in urgency_scores.items() if u != "emergency"}
        urgency = max(rest, key=lambda u: rest[u]) if rest else "urgent"
    if check.cues:
        return "emergency"
    return urgency


# --- character n-gram bag of words ------------------------------------------------------------------
@functools.lru_cache(maxsize=200_000)
def _char_keys(word: str, low: int, high: int) -> tuple[int, ...]:
    marked = f"<{word}>"
    keys = []
    for n in range(low, high + 1):
        for start in range(0, max(0, len(marked) - n) + 1):
            gram = marked[start : start + n]
            if len(gram) == n:
                keys.append(hash_string("#c" + gram))
    return tuple(keys)


def extract_char_ngrams(low: int, high: int) -> Model:
    """Docs -> (keys, counts, lengths) of hashed character n-grams of each word, fastText style."""

    def forward(model: Model, docs: Sequence[Any], is_train: bool):  # type: ignore[no-untyped-def]
        xp = model.ops.xp
        batch_keys, batch_vals = [], []
        for doc in docs:
            keys: list[int] = []
            for token in doc:
                if not token.is_space:
                    keys.extend(_char_keys(token.text, low, high))
            array = xp.asarray(keys, dtype="uint64") if keys else xp.zeros((0,), dtype="uint64")
            array, counts = xp.unique(array, return_counts=True)
            batch_keys.append(array)
            batch_vals.append(counts)
        lengths = model.ops.asarray([len(k) for k in batch_keys], dtype="int32")
        keys_out = xp.concatenate(batch_keys) if batch_keys else xp.zeros((0,), dtype="uint64")
        vals_out = model.ops.asarray(xp.concatenate(batch_vals) if batch_vals else xp.zeros((0,)), dtype="f")
        return (keys_out, vals_out, lengths), lambda d_out: []

    return Model("extract_char_ngrams", forward, attrs={"low": low, "high": high})


def _merge_features() -> Model:
    """Concatenate two (keys, vals, lengths) feature sets doc by doc."""

    def forward(model: Model, inputs: list, is_train: bool):  # type: ignore[no-untyped-def]
        xp = model.ops.xp
        (k1, v1, l1), (k2, v2, l2) = inputs
        keys, vals = [], []
        s1 = s2 = 0
        for a, b in zip(l1.tolist(), l2.tolist()):
            keys.append(k1[s1 : s1 + a])
            keys.append(k2[s2 : s2 + b])
            vals.append(v1[s1 : s1 + a])
            vals.append(v2[s2 : s2 + b])
            s1, s2 = s1 + a, s2 + b
        lengths = model.ops.asarray(l1 + l2, dtype="int32")
        return (xp.concatenate(keys), model.ops.asarray(xp.concatenate(vals), dtype="f"), lengths), lambda d: []

    return Model("merge_features", forward)


def _both(first: Model, second: Model) -> Model:
    def forward(model: Model, docs: Any, is_train: bool):  # type: ignore[no-untyped-def]
        return [first.predict(docs), second.predict(docs)], lambda d: []

    return Model("both_features", forward, layers=[first, second])


def _resize_and_set_ref(model: Model, new_nO: int, resizable_layer: Model) -> Model:
    resizable_layer = resize_model(resizable_layer, new_nO)
    model.set_ref("output_layer", resizable_layer.layers[0])
    model.set_dim("nO", new_nO, force=True)
    return model


@registry.architectures("salama.TextCatCharBOW.v1")
def build_char_bow_text_classifier(
    exclusive_classes: bool,
    ngram_size: int,
    char_min: int = 3,
    char_max: int = 5,
    length: int = 262144,
    nO: int | None = None,
) -> Model:
    """TextCatBOW plus hashed character n-grams (char_min..char_max) of every word, one sparse linear layer.

    Character n-grams carry stems through inflection, clitics (Arabic و/ال/ب), spelling variants and
    SMS shorthand, which word n-grams alone miss on a small corpus.
    """
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": NEG_VALUE, "W": 0}
    resizable_layer = resizable(sparse_linear, resize_layer=functools.partial(resize_linear_weighted, fill_defaults=fill_defaults))
    features = chain(_both(extract_ngrams(ngram_size, attr=ORTH), extract_char_ngrams(char_min, char_max)), _merge_features())
    model = with_cpu(chain(features, resizable_layer), resizable_layer.ops)
    output_layer = softmax_activation() if exclusive_classes else Logistic()
    model = chain(model, with_cpu(output_layer, output_layer.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = functools.partial(_resize_and_set_ref, resizable_layer=resizable_layer)
    return model


# --- the classifier ---------------------------------------------------------------------------------
def read_meta(model_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_dir} is not a Salama model (no {META_FILE}); build one with `make model`") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{model_dir / META_FILE} is not valid JSON ({exc.msg}); rebuild with `make model`") from None


class SpacyClassifier:
    """Types (and urgency, for a full model) from the spaCy pipelines in `model_dir`; loads once."""

    def __init__(self, model_dir: Path | str) -> None:
        self.model_dir = Path(model_dir)
        if not self.model_dir.is_dir():
            raise ModelError(f"no model at {self.model_dir}: run `make model` (or `bot.py train`) to build it")
        self.meta = read_meta(self.model_dir)
        try:
            thresholds = json.loads((self.model_dir / THRESHOLDS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            raise ModelError(f"{self.model_dir / THRESHOLDS_FILE} is missing or broken: run `make model`") from None
        self._type_thresholds: dict[str, float] = {k: float(v) for k, v in thresholds.get("types", {}).items()}
        self._urgency_thresholds: dict[str, float] = {k: float(v) for k, v in thresholds.get("urgency", {}).items()}
        self.type_labels: tuple[str, ...] = tuple(self.meta["labels"]["types"])
        self.exclusive_types: bool = not self.meta.get("multilabel", True)
        self.name = f"spacy:{self.meta.get('architecture', '?')}"
        self._types = self._load("types")
        self._urgency = self._load("urgency") if (self.model_dir / "urgency").is_dir() else None

    def _load(self, part: str) -> spacy.Language:
        path = self.model_dir / part
        if not path.is_dir():
            raise ModelError(f"{path} is missing: run `make model` (or `bot.py train`) to rebuild {self.model_dir}")
        try:
            return spacy.load(path)
        except Exception as exc:  # a broken or incompatible pipeline: say which and what to do
            raise ModelError(f"cannot load {path} ({type(exc).__name__}: {exc}); rebuild with `make model`") from None

    @property
    def has_urgency(self) -> bool:
        return self._urgency is not None

    def _input(self, text: str, language: str | None) -> str:
        return model_input(text, language, self.meta)

    def type_scores(self, text: str, language: str | None = None) -> dict[str, float]:
        cats = self._types(self._input(text, language)).cats
        return {label: float(cats[label]) for label in self.type_labels}

    def urgency_scores(self, text: str, language: str | None = None) -> dict[str, float]:
        if self._urgency is None:
            raise ModelError(f"{self.model_dir} has no urgency model (a custom type model): use the shipped one for urgency")
        cats = self._urgency(self._input(text, language)).cats
        return {label: float(cats[label]) for label in URGENCY_LABELS}

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]:
        if self._urgency is None:
            raise ModelError(f"{self.model_dir} has no urgency model (a custom type model): use the shipped one for urgency")
        model_text = self._input(text, language)  # features computed once for both pipelines
        types = self._types(model_text).cats
        urgency = self._urgency(model_text).cats
        return (
            {label: float(types[label]) for label in self.type_labels},
            {label: float(urgency[label]) for label in URGENCY_LABELS},
        )

    def thresholds(self) -> dict[str, float]:
        return {label: self._type_thresholds.get(label, 0.5) for label in self.type_labels}

    def urgency_thresholds(self) -> dict[str, float]:
        return dict(self._urgency_thresholds)

    # Batches, for the evaluation: much faster than one call per text.
    def batch_type_scores(self, texts: Iterable[str], languages: Iterable[str | None]) -> list[dict[str, float]]:
        inputs = [self._input(t, lang) for t, lang in zip(texts, languages)]
        return [{label: float(doc.cats[label]) for label in self.type_labels} for doc in self._types.pipe(inputs, batch_size=256)]

    def batch_urgency_scores(self, texts: Iterable[str], languages: Iterable[str | None]) -> list[dict[str, float]]:
        if self._urgency is None:
            raise ModelError(f"{self.model_dir} has no urgency model")
        inputs = [self._input(t, lang) for t, lang in zip(texts, languages)]
        return [{label: float(doc.cats[label]) for label in URGENCY_LABELS} for doc in self._urgency.pipe(inputs, batch_size=256)]


class CompositeClassifier:
    """Types from one classifier (a deployment's own taxonomy), urgency from another (the shipped one)."""

    def __init__(self, types: SpacyClassifier, urgency: SpacyClassifier) -> None:
        self._types, self._urgency = types, urgency
        self.type_labels = types.type_labels
        self.exclusive_types = types.exclusive_types
        self.name = f"{types.name}+urgency:{urgency.name}"

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]:
        return self._types.type_scores(text, language), self._urgency.urgency_scores(text, language)

    def thresholds(self) -> dict[str, float]:
        return self._types.thresholds()

    def urgency_thresholds(self) -> dict[str, float]:
        return self._urgency.urgency_thresholds()


def load_classifier(model_dir: Path | str | None = None) -> SpacyClassifier:
    """The shipped triage model (var/model) or the one in `model_dir`; ModelError says to run `make model`.

    Loaded once per process and directory (reloaded when its meta.json changes)."""
    path = Path(model_dir) if model_dir is not None else default_model_dir()
    meta = path / META_FILE
    if not meta.exists():
        raise ModelError(f"no trained triage model at {path}: run `make model` (or `.venv/bin/python bot.py train`)")
    classifier = _load_cached(str(path.resolve()), meta.stat().st_mtime_ns)
    if model_dir is None and not classifier.has_urgency:
        raise ModelError(f"{path} has no urgency model: run `make model` to rebuild the shipped model")
    return classifier


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> SpacyClassifier:
    return SpacyClassifier(Path(path))


def load_triage_classifier(model_dir: str | Path | None = None) -> SpacyClassifier | CompositeClassifier:
    """For `bot.py triage [--model DIR]`: the shipped model, or DIR's types with the shipped urgency."""
    shipped = load_classifier(None)
    if model_dir is None:
        return shipped
    custom = load_classifier(model_dir)
    if custom.has_urgency and Path(model_dir).resolve() == default_model_dir().resolve():
        return custom
    return CompositeClassifier(custom, shipped)
