"""Emergency safety net: rules that never let an obvious present danger through as routine.

The trained urgency model decides first; these patterns can only raise a report to `emergency`, never
lower it (`apply`). They look for present danger in all six languages, including SMS shorthand and
code-switching (Sheng, Spanglish, Arabizi, franglais), on folded text (nlp.text.fold) split into
words, so case, accents, Arabic diacritics and punctuation do not matter.

Cues (the names reported in TriageResult.safety_cues):
  weapon_now      a weapon and "now" close together            ("he has a knife right now")
  violence_now    violence and "now" close together            ("they are beating him rn")
  following       someone following the reporter now           ("a man is following me")
  here_now        the aggressor is here / outside / at the door ("he's outside my door")
  bleeding        someone bleeding                             ("she is bleeding a lot")
  unconscious     someone unconscious / not breathing          ("my friend passed out")
  spiked_now      a spiked drink with symptoms or "now"        ("i think my drink was spiked, so dizzy")
  help_now        a cry for help now                           ("help me now", "socorro", "النجدة")

A past or habitual marker ("yesterday", "last week", "every night", "ayer", "jana", "امس") or a sign the
danger is over ("just now", "an hour ago", "I'm home now", "hace rato", "من شوي") in the message switches off the cues that are only present danger when they happen now (weapon_now,
violence_now, following, bleeding, unconscious, spiked_now); here_now and help_now stand regardless.

Time (issue 14): public reports are mostly told after the fact. Each sentence is read for the time it is
told in (TIME_PATTERNS: narrative and past markers, English past verbs, present progressive, presence, calls
for help, in six languages). A cue whose every occurrence sits in a sentence told in the past, with no present
marker of its own, does not fire ("I was walking home when a man started following me"). `SafetyCheck.settled`
says the message tells no present danger: no cue, no present marker, and a past marker, a past narrative or a
SAFE sign ("I am safe now", "I am at my neighbour's", a threat "by text"); nlp.model.decide_final_urgency then
keeps a model's emergency at urgent at most. Spanish, French and Portuguese past is read from narrative openers,
and for `settled` from two or more preterites; Arabic from a few markers only.

Matching is spaCy's PhraseMatcher for phrases plus one regular expression per cue for word stems (a
trailing `*` in a lexicon entry): a call costs a few hundred microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nlp.language import is_arabizi as _is_arabizi
from nlp.text import fold

from taxonomy import URGENCY_ORDER

# Lexicons: per term class, per language (for the tests and for whoever extends them). Entries are folded
# phrases; a single word ending in `*` matches every word that starts with it ("ananifuat*"), one starting
# with `*` every word that ends with it (Arabic clitics: "*الان" also matches "والان").
LEXICON: dict[str, dict[str, list[str]]] = {
    # Present-time markers.
    "NOW": {
        "en": ["now", "right now", "rn", "atm", "at the moment", "as we speak", "still", "currently", "asap",
               "right here", "this minute", "as i type", "as i write"],
        "es": ["ahora", "ahorita", "ahora mismo", "en este momento", "todavia", "aun", "ya mismo", "en este instante",
               "sigue", "siguen", "ahora ya"],
        "fr": ["maintenant", "en ce moment", "la maintenant", "toujours la", "encore la", "actuellement", "tout de suite",
               "en train de", "immediatement", "vite"],
        "pt": ["agora", "agora mesmo", "neste momento", "nesse momento", "ainda", "ta rolando", "esta rolando", "ja ja"],
        "sw": ["sasa", "sasa hivi", "saa hii", "hivi sasa", "bado", "sai", "sahii", "sai hivi", "kwa sasa", "haraka"],
        "ar": ["*الان", "الحين", "دلوقتي", "دلوقت", "هلق", "هلا", "حاليا", "لسه", "مازال", "ما زال", "لا يزال", "لازال",
               "daba", "dlwa2ti", "delwa2ti", "dlw2ti", "halla2", "halla", "alan", "el7in", "l7in", "lissa", "mazal", "mazel"],
    },
    # Past or habitual: the danger is not now.
    "PAST": {
        "en": ["in january", "in february", "in march", "in april", "in june", "in july", "in august", "in september", "in october", "in november", "in december", "last january", "last february", "last march", "last april", "last june", "last july", "last august", "last september", "last october", "last november", "last december", "last term", "last semester", "back in", "the year before", "a year ago", "a month ago", "yesterday", "last week", "last month", "last year", "last night", "weeks ago", "months ago", "years ago",
               "days ago", "every day", "every night", "every weekend", "every time", "always", "used to", "in 2019",
               "in 2020", "in 2021", "in 2022", "in 2023", "in 2024", "when i was", "back then", "last weekend",
               "the other day", "on friday", "on saturday", "last friday", "last saturday"],
        "es": ["en enero", "en febrero", "en marzo", "en abril", "en mayo", "en junio", "en julio", "en agosto", "en septiembre", "en octubre", "en noviembre", "en diciembre", "hace un ano", "hace un mes", "hace una semana", "hace dos", "hace tres", "el sabado", "el viernes", "el domingo", "semana retrasada", "el ano pasado", "fue el", "ayer", "anoche", "semana pasada", "mes pasado", "ano pasado", "hace dias", "hace semanas", "hace meses",
               "hace anos", "todos los dias", "todas las noches", "siempre", "cada noche", "cada dia", "el otro dia",
               "antier", "antes de ayer"],
        "fr": ["en janvier", "en fevrier", "en mars", "en avril", "en mai", "en juin", "en juillet", "en aout", "en septembre", "en octobre", "en novembre", "en decembre", "l an dernier", "l an passe", "samedi dernier", "vendredi dernier", "dimanche dernier", "l ete dernier", "l annee passee", "hier", "semaine derniere", "mois dernier", "annee derniere", "la nuit derniere", "il y a des jours", "il y a des semaines", "il y a des mois", "il y a des annees", "il y a deux",
               "il y a trois", "tous les jours", "tous les soirs", "chaque nuit", "chaque soir", "l autre jour", "avant hier"],
        "pt": ["em janeiro", "em fevereiro", "em marco", "em abril", "em maio", "em junho", "em julho", "em agosto", "em setembro", "em outubro", "em novembro", "em dezembro", "semana retrasada", "ano retrasado", "no sabado", "na sexta", "no domingo", "ha um ano", "ha um mes", "ha dois", "ha tres", "o ano passado", "ontem", "semana passada", "mes passado", "ano passado", "todo dia", "todos os dias", "toda noite",
               "todas as noites", "sempre", "outro dia", "anteontem", "dias atras", "semanas atras", "meses atras"],
        "sw": ["januari", "februari", "machi", "aprili", "julai", "agosti", "septemba", "oktoba", "novemba", "desemba", "iliyopita", "uliopita", "zilizopita", "ilitokea", "mwaka juzi", "jana", "juzi", "wiki iliyopita", "mwezi uliopita", "mwaka jana", "mwaka uliopita", "kila siku",
               "kila usiku", "kila wiki", "zamani", "siku zote", "juzi juzi"],
        "ar": ["*السنه اللي فاتت", "*الشهر اللي فات", "*السنه الماضيه", "*العام الماضي", "*من سنتين", "*من شهرين", "*صار لي شهور", "*فاتت سنه", "*السنه الي فاتت", "امس", "*الماضي", "*الماضيه", "كل يوم", "كل ليله", "دايما", "دائما", "من اسبوع", "من شهر", "من سنه",
               "قبل اسبوع", "قبل شهر", "قبل سنه", "lbar7", "lbareh", "mbare7", "imbare7", "kol yom", "koll yom", "dima"],
    },
    # It has just happened, or the danger is over: blocks the same cues as PAST.
    "OVER": {
        "en": ["gone out", "drove away", "they ran", "he ran", "just now", "ago", "earlier", "this morning", "this afternoon", "this evening", "home now", "safe now",
               "calm now", "calmer now", "quiet now", "at home now", "i m home", "im home", "i m safe", "im safe",
               "i m ok", "im ok", "drove off", "ran off", "ran away", "got away", "is gone", "are gone", "they left",
               "he left", "stopped bleeding", "at the clinic", "in hospital", "at the hospital", "to hospital",
               "woke up", "this month", "this week", "three times now", "many times"],
        "es": ["salieron corriendo", "ya estamos en casa", "en urgencias", "hace rato", "hace un rato", "hace una hora", "hace media hora", "hace minutos", "hace poco", "esta manana",
               "esta tarde", "ya estoy en casa", "ya estoy bien", "estoy bien", "ya se fue", "ya se fueron", "se fue",
               "se fueron", "ya desperto", "ya paso", "en el hospital", "al hospital", "en la clinica", "me escape",
               "sigue escribiendo", "sigue llamando", "sigue mandando", "me sigue escribiendo", "me sigue llamando"],
        "fr": ["est ressorti", "est sorti", "sont sortis", "ont couru", "est rentre chez lui", "au poste", "aux urgences", "au dispensaire", "on est rentres", "il y a", "tout a l heure", "ce matin", "cet apres midi", "je suis rentree", "je suis rentre",
               "je suis chez moi", "je suis en securite", "ca va maintenant", "il est parti", "ils sont partis",
               "s est enfui", "se sont enfuis", "a l hopital", "a la clinique", "s est reveillee", "s est reveille",
               "c est calme"],
        "pt": ["ja foi", "ele ja foi", "to no pronto socorro", "no pronto socorro", "na upa", "ja estamos em casa", "foi embora", "agora pouco", "ha pouco", "ha uma hora", "ha meia hora", "faz uma hora", "mais cedo", "hoje de manha",
               "hoje cedo", "ja estou em casa", "to em casa", "estou em casa", "ja to em casa", "estou bem", "to bem",
               "ja foi embora", "foram embora", "fugiu", "fugiram", "no hospital", "pro hospital", "acordei", "acordou",
               "esta calmo", "ta calmo", "ja passou"],
        "sw": ["ametoka", "wametoka", "amekimbia", "wamekimbia", "tuko nyumbani", "niko nyumbani sasa", "amerudi nyumbani", "muda mfupi uliopita", "dakika", "saa moja iliyopita", "masaa", "asubuhi", "leo asubuhi", "mchana huu",
               "niko nyumbani", "nimefika nyumbani", "niko salama", "yuko salama", "ametoroka", "wametoroka",
               "wameondoka", "ameondoka", "hospitalini", "kliniki", "amepata fahamu", "ameamka"],
        "ar": ["*بالطوارئ", "*في الطوارئ", "*ما حد انصاب", "*ماحد انصاب", "*ما في مصابين", "*مافي مصابين", "*من شوي", "*من ساعه", "*من ساعتين", "*قبل ساعه", "*قبل ساعتين", "*قبل شهر", "*قبل شهرين", "*قبل يومين",
               "*قبل اسبوع", "*منذ شهر", "*منذ شهرين", "*منذ سنه", "*منذ ذلك", "*الصبح", "*الصباح", "*هديت", "*هدا الوضع",
               "*هدا", "*خلاص", "*روحت البيت", "*وصلت البيت", "*انا في البيت", "*انا بخير دلوقتي", "*انا بخير الحين", "*انا بخير الان", "*انا بخير", "*في المستشفى",
               "*بالمستشفى", "*بالاسعاف", "*فاق", "*فاقت", "*هرب", "*هربوا", "*مشيوا", "*محدش",
               "men shway", "mn shwaya", "men sa3a", "9bel sa3a", "l9a7", "sba7", "el sob7", "mnee7", "mni7", "bekhir"],
    },
    # The danger is over and the reporter is safe elsewhere, or the threat is remote (a text message): with
    # no present-danger cue, a message with one of these is at most urgent (SafetyCheck.settled).
    "SAFE": {
        "en": ["safe now", "home now", "at home now", "i m home", "im home", "i m safe", "im safe", "at my neighbour s", "at my neighbor s", "at the neighbours", "at the neighbors", "my neighbour s house", "my neighbor s house", "at my sister s", "at my brother s", "at my mother s", "at my mum s", "at my mom s", "at my aunt s", "at my parents", "at a friend s", "at my friend s", "at my cousin s", "at the shelter", "i am safe", "we are safe", "we re safe", "by text", "texted me", "by sms", "an sms",],
        "es": ["ya estoy en casa", "ya estoy bien", "ya estamos en casa", "donde mi vecina", "en casa de mi vecina", "con mi vecina", "donde la vecina", "en casa de mi hermana", "en casa de mi mama", "donde mi mama", "en casa de una amiga", "estoy a salvo", "por mensaje", "por telefono",],
        "fr": ["je suis chez moi", "je suis en securite", "chez la voisine", "chez le voisin", "chez ma voisine", "chez ma soeur", "chez ma mere", "chez mes parents", "chez une amie", "chez un ami", "je suis a l abri", "par sms", "par message", "au telephone",],
        "pt": ["ja estou em casa", "ja to em casa", "ja estamos em casa", "na casa da vizinha", "na vizinha", "na casa do vizinho", "na casa da minha irma", "na casa da minha mae", "na casa de uma amiga", "estou segura", "to segura", "por mensagem", "por sms", "por telefone",],
        "sw": ["niko nyumbani sasa", "nimefika nyumbani", "niko salama", "kwa jirani", "kwa majirani", "kwa dada yangu", "kwa mama yangu", "kwa rafiki yangu", "kwa shangazi", "niko salama sasa", "kwa ujumbe", "kwa simu", "alinipigia simu", "kwa meseji",],
        "ar": ["*انا في البيت", "*انا بخير دلوقتي", "*انا بخير الحين", "*انا بخير الان", "*انا بخير", "*وصلت البيت", "*عند الجيران", "*عند جارتي", "*عند جارنا", "*عند اختي", "*عند امي", "*عند اهلي", "*بيت الجيران", "*برساله", "*بالتلفون", "*في التلفون", "3and jiran", "3and el jiran", "3and jarti", "3and okhti", "3and mama", "ressala", "f telephone",],
    },
    "WEAPON": {
        "en": ["knife", "knives", "gun", "guns", "pistol", "machete", "blade", "bottle", "firearm", "rifle", "shotgun",
               "panga", "bat", "stick", "iron bar", "armed", "weapon", "weapons", "shooting", "shots"],
        "es": ["cuchillo", "navaja", "pistola", "arma", "armas", "machete", "fierro", "cuete", "filero", "botella",
               "armado", "armados", "disparando", "balazos", "disparos", "palo", "bate"],
        "fr": ["couteau", "couteaux", "flingue", "pistolet", "arme", "armes", "machette", "lame", "bouteille", "arme blanche",
               "armes", "tirent", "tire", "coups de feu", "gourdin", "barre de fer"],
        "pt": ["faca", "facao", "arma", "armas", "revolver", "pistola", "oitao", "garrafa", "armado", "armados",
               "atirando", "tiros", "pau", "barra de ferro", "canivete"],
        "sw": ["kisu", "visu", "bunduki", "panga", "rungu", "silaha", "chupa", "bastola", "wanapiga risasi", "risasi",
               "gun", "knife", "mapanga"],
        "ar": ["*سكين", "*سكينه", "*مسدس", "*سلاح", "*ساطور", "*رشاش", "*خنجر", "*عصا", "*قزازه", "*زجاجه", "*رصاص",
               "*كلاشن", "*شفره", "mos", "sekkina", "sekina", "sekin", "mousad", "msaddas", "sla7", "sila7", "fard"],
    },
    "VIOLENCE": {
        "en": ["beating", "hitting", "punching", "kicking", "stabbing", "attacking", "fighting", "strangling", "choking",
               "dragging", "shooting", "hurting", "raping", "assaulting", "slapping", "fight", "attacked", "stabbed",
               "shot", "beat", "hit", "hits", "beats", "kill", "killing", "break in", "breaking in"],
        "es": ["golpeando", "pegando", "pegandole", "apunalando", "peleando", "pelea", "matando", "ahorcando",
               "estrangulando", "violando", "atacando", "disparando", "lastimando", "agrediendo", "madreando",
               "golpea", "pega", "balacera", "tiroteo"],
        "fr": ["frappe", "frapper", "bagarre", "tabasse", "tabasser", "poignarde", "etrangle", "violente", "attaque",
               "se battent", "bat", "battent", "cogne", "tue", "agresse", "viole", "tire"],
        "pt": ["batendo", "bate", "espancando", "esfaqueando", "brigando", "briga", "matando", "estrangulando",
               "enforcando", "atacando", "atirando", "estuprando", "agredindo", "socando", "chutando", "tiroteio", "porrada"],
        "sw": ["anapiga*", "wanapiga*", "anamchapa", "wanamchapa", "wanapigana", "vita", "anamkaba", "ananikaba",
               "anamuua", "wanamuua", "anamdunga", "amedungwa", "wanamshambulia", "anashambulia", "ananipiga",
               "anambaka", "ngumi", "ugomvi"],
        "ar": ["*يضرب", "*يضربو", "*يضربوا", "*بيضرب", "*بيضربو", "*يضربني", "*يضربها", "*يضربه", "*خناقه", "*عركه",
               "*يطعن", "*بيطعن", "*يخنق", "*بيخنق", "*يقتل", "*يعتدي", "*يهاجم", "*طخ", "*اطلاق",
               "darb", "yedrab", "yodrob", "bidrob", "byedrab", "kayedreb", "kaydrab", "m3arka", "khanaa2a", "yeqtol"],
    },
    "SPIKE": {
        "en": ["spiked", "spike", "spiking", "drugged", "roofied", "roofie", "something in my drink", "something in her drink",
               "something in his drink", "put something in", "slipped something"],
        "es": ["drogaron", "drogada", "drogado", "burundanga", "escopolamina", "algo en mi bebida", "algo en su bebida",
               "algo en el trago", "algo en mi trago", "le echaron algo", "me echaron algo", "le pusieron algo",
               "me pusieron algo"],
        "fr": ["drogue", "droguee", "drogue", "quelque chose dans mon verre", "quelque chose dans son verre", "ghb",
               "mis quelque chose", "verre drogue"],
        "pt": ["batizada", "batizado", "batizaram", "boa noite cinderela", "dopada", "dopado", "drogada", "drogado",
               "colocaram algo", "puseram algo", "algo na bebida", "algo no copo", "algo no meu copo", "algo na minha bebida"],
        "sw": ["mchele", "wamemwekea", "amewekewa", "amemwekea", "wamemwekea dawa", "dawa kwenye kinywaji",
               "kitu kwenye kinywaji", "kinywaji chake", "kinywaji changu", "amenyweshwa", "kumwekea dawa", "drugged",
               "spiked"],
        "ar": ["*مخدر", "*مخدره", "*حطوا", "*حطو", "*حطلها", "*حطلي", "*حطله", "*دسوا", "*دس", "mkhadder", "mkhadra",
               "7atoli", "7atolha", "7atulha", "7atou"],
    },
    "SYMPTOM": {
        "en": ["dizzy", "drowsy", "cant stand", "can t stand", "cannot stand", "cant walk", "can t walk", "cant move",
               "can t move", "blacking out", "fading", "out of it", "falling asleep", "vomiting", "throwing up",
               "barely awake", "barely conscious", "confused", "slurring", "collapsed", "collapsing", "very drunk",
               "so drunk", "v drowsy", "not making sense", "can barely"],
        "es": ["mareada", "mareado", "mareo", "no se puede parar", "no puede caminar", "no puede pararse", "vomitando",
               "no reacciona", "medio dormida", "se esta desmayando", "como ida", "muy borracha"],
        "fr": ["etourdie", "etourdi", "vertiges", "somnolente", "tient plus debout", "tient pas debout", "vomit",
               "ne reagit", "s endort", "bizarre", "completement ivre", "tres ivre", "la tete qui tourne"],
        "pt": ["tonta", "tonto", "zonza", "zonzo", "nao consegue ficar de pe", "vomitando", "apagando", "grogue",
               "nao reage", "sonolenta", "muito bebada", "desnorteada"],
        "sw": ["kizunguzungu", "hawezi kusimama", "anatapika", "amelegea", "ameduwaa", "analala", "hajielewi",
               "amelewa sana", "haongei vizuri", "hajui aliko"],
        "ar": ["*دايخ", "*دايخه", "*دوخه", "*مش قادر", "*مش قادره", "*بترجع", "*تتقيا", "*نعسان", "*نعسانه",
               "dayekh", "daykha", "mdawkha", "mdoukha", "dawkha"],
    },
    # Direct cues.
    "following": {
        "en": ["following me", "following us", "following her", "following my", "follows me", "followed me and is still",
               "is following", "are following", "keeps following", "been following me", "stalking me", "behind me",
               "chasing me", "chasing us", "chasing her", "tailing me", "on my tail", "foll me", "followin me",
               "following me rn"],
        "es": ["me sigue", "me siguen", "me esta siguiendo", "me estan siguiendo", "nos sigue", "nos siguen", "la sigue",
               "la esta siguiendo", "me persigue", "me persiguen", "me viene siguiendo", "detras de mi", "me anda siguiendo",
               "esta siguiendo", "estan siguiendo", "following me"],
        "fr": ["me suit", "me suivent", "nous suit", "la suit", "me poursuit", "me poursuivent", "me suit depuis",
               "derriere moi", "me colle", "me file", "me traque", "est en train de me suivre"],
        "pt": ["me seguindo", "me segue", "me seguem", "nos seguindo", "seguindo ela", "me perseguindo", "atras de mim",
               "ta me seguindo", "esta me seguindo", "tao me seguindo", "estao me seguindo", "seguindo a gente"],
        "sw": ["ananifuata", "wananifuata", "anatufuata", "wanatufuata", "anamfuata", "wanamfuata", "ananifwata",
               "ananifatilia", "ananifuatilia", "wananifuatilia", "nyuma yangu", "ananichase", "ananifollow",
               "ako nyuma yangu", "yuko nyuma yangu"],
        "ar": ["*يلاحقني", "*يلاحقنا", "*يلاحقها", "*بيلاحقني", "*يتبعني", "*يتبعنا", "*بيتبعني", "*ماشي ورايا",
               "*ماشي وراي", "*يمشي ورايا", "*يمشي وراي", "*يطاردني", "*بيطاردني", "*لاحقني", "*تابعني",
               "yetba3ni", "yitba3ni", "tab3ni", "taba3ni", "yla7a9ni", "yla7e9ni", "ylahe9ni", "bila7e2ni",
               "mashi waraya", "mashi wraya"],
    },
    "here_now": {
        "en": ["he s still", "hes still", "they re still", "still in the house", "still inside", "still parked outside", "still standing outside", "still waiting for me", "is still outside", "locked me in", "locked me inside", "won t let me out", "wont let me out", "is still here", "are still here", "he is outside", "he s outside", "hes outside", "is outside my", "outside my door", "outside my house",
               "outside the door", "at my door", "at the door now", "banging on the door", "banging on my door",
               "trying to get in", "trying to break in", "breaking in", "he is here", "he s here", "hes here",
               "they are here", "they re here", "theyre here", "still here", "still outside", "waiting outside",
               "waiting for me outside", "is in the house", "he is inside", "locked myself", "hiding in", "im hiding",
               "i m hiding", "i am hiding", "in the toilet hiding", "wont let me leave", "won t let me leave",
               "will not let me leave", "won t let me go", "wont let me go", "still there"],
        "es": ["esta aqui", "estan aqui", "sigue afuera", "siguen afuera", "sigue en la casa", "siguen aqui", "me encerro", "me encerraron", "no me deja salir", "esta afuera", "estan afuera", "sigue aqui", "sigue afuera",
               "esta en la puerta", "en mi puerta", "golpeando la puerta", "quiere entrar", "tratando de entrar",
               "me encerre", "estoy escondida", "estoy escondido", "me escondi", "no me deja salir", "no me dejan salir",
               "sigue ahi", "siguen ahi", "esta ahi afuera", "afuera de mi casa"],
        "fr": ["il est la maintenant", "il est encore la", "ils sont encore la", "toujours devant", "est toujours dehors", "sont toujours la", "m a enfermee", "m a enferme", "nous a enfermes", "il est devant", "ils sont devant",
               "il est toujours la", "frappe a la porte", "tape a la porte", "essaie d entrer", "veut entrer",
               "je me suis enfermee", "je me suis enferme", "je suis cachee", "je me cache", "m empeche de sortir",
               "m empechent de sortir", "encore la", "est dehors", "sont dehors"],
        "pt": ["aqui na porta", "aqui na minha porta", "ta aqui na", "esta aqui na porta", "ainda esta aqui", "ainda ta aqui", "ainda estao aqui", "ainda tao aqui", "ainda esta la fora", "me trancou", "me trancaram", "ta la fora", "esta la fora", "na minha porta",
               "na porta de casa", "batendo na porta", "quer entrar", "tentando entrar", "me tranquei", "estou escondida",
               "to escondida", "to escondido", "estou escondido", "nao me deixa sair", "ainda ta ai", "ainda esta ai",
               "continua aqui", "ta na porta", "esta na porta"],
        "sw": ["bado yuko hapa", "bado wako hapa", "bado yuko nje", "bado wako nje", "amenifungia", "wamenifungia", "yuko nje", "wako nje", "yuko hapa", "wako hapa", "ako hapa", "ako nje", 
               "mlangoni", "anagonga mlango", "anataka kuingia", "wanataka kuingia", "nimejifungia",
               "nimejificha", "najificha", "hataki niondoke", "hanitaki nitoke", "ananizuia kutoka", "yuko ndani"],
        "ar": ["*واقف على الباب", "*واقفين على الباب", "*لسه واقفين", "*لسه واقف", "*لسا واقف", "*لسا واقفين", "*لسه في البيت", "*قفل علي", "*قفل عليا", "lessa wa2fin", "lissa wa2ef", "lessa wa2ef", "lissa hon", "lessa hena", "*برا الباب", "*قدام الباب", "*عند الباب", "*واقف برا", "*واقف قدام", "*واقفين برا",
               "*بيخبط على الباب", "*يطرق الباب", "*يدق الباب", "*عايز يدخل", "*يحاول يدخل", "*بيحاول يدخل",
               "*قافله على نفسي", "*قفلت على نفسي", "*مستخبيه", "*مستخبي", "*متخبيه", "*هو هنا", "*هم هنا", "*لسه هنا",
               "*لسه برا", "*مش راضي يخليني اطلع", "*ما بيخليني اطلع", "*مانعني اطلع",
               "howa hena", "howa hna", "hwa hna", "barra el bab", "wa2ef barra"],
    },
    "bleeding": {
        "en": ["bleeding", "bleedin", "blood everywhere", "lot of blood", "lots of blood", "losing blood", "covered in blood",
               "blood all over"],
        "es": ["sangrando", "se desangra", "desangrando", "mucha sangre", "sangre por todos lados", "lleno de sangre",
               "llena de sangre", "esta sangrando"],
        "fr": ["saigne", "saignent", "en sang", "beaucoup de sang", "du sang partout", "perd du sang", "pisse le sang"],
        "pt": ["sangrando", "muito sangue", "sangue por todo lado", "cheio de sangue", "cheia de sangue", "perdendo sangue",
               "sangrando muito"],
        "sw": ["anavuja damu", "anatoka damu", "damu nyingi", "anavuja", "inavuja damu", "anatokwa na damu",
               "damu kila mahali", "anableed", "bleeding"],
        "ar": ["*ينزف", "*بينزف", "*تنزف", "*بتنزف", "*نزيف", "*غرقان دم", "*غرقانه دم", "*دم كتير", "*الدم في كل مكان",
               "yenzef", "binzef", "bynzef", "dam kteer", "dam ktir"],
    },
    "unconscious": {
        "en": ["unconscious", "passed out", "not waking up", "won t wake up", "wont wake up", "can t wake", "cant wake",
               "not breathing", "isn t breathing", "isnt breathing", "barely conscious", "not responding",
               "unresponsive", "fainted", "blacked out", "knocked out", "lying on the ground not moving", "not moving"],
        "es": ["inconsciente", "desmayada", "desmayado", "se desmayo", "no despierta", "no respira", "no responde",
               "no reacciona", "perdio el conocimiento", "sin conocimiento", "no se mueve"],
        "fr": ["inconsciente", "inconscient", "evanouie", "evanoui", "s est evanouie", "ne se reveille pas", "ne respire plus",
               "ne respire pas", "ne repond plus", "ne reagit plus", "ne bouge plus", "perdu connaissance"],
        "pt": ["inconsciente", "desmaiada", "desmaiado", "desmaiou", "nao acorda", "nao respira", "nao responde",
               "desacordada", "desacordado", "apagou", "nao se mexe", "perdeu os sentidos"],
        "sw": ["amezimia", "wamezimia", "amepoteza fahamu", "hajitambui", "haamki", "hapumui", "hasongi", "amezirai",
               "hajielewi kabisa", "amelala chini hasongi", "fainted", "passed out"],
        "ar": ["*فاقد الوعي", "*فاقده الوعي", "*مغمى عليه", "*مغمي عليه", "*مغمى عليها", "*مغمي عليها", "*اغمي عليه",
               "*اغمي عليها", "*فقدت الوعي", "*فقد الوعي", "*مش بيتنفس", "*مش بتتنفس", "*لا يتنفس", "*مش بيرد",
               "*مش بترد", "*مش بيتحرك", "*مش بتتحرك", "*مابتتحركش", "ma3ndoush wa3i", "fa2ed el wa3i", "fa9da l wa3i",
               "oghmi 3aliha", "oghmi 3alih", "mesh bet-tnaffes"],
    },
    "help_now": {
        "en": ["help us", "please come", "come quick", "need police now", "need an ambulance", "need ambulance", "help me now", "help now", "help us now", "help me please now", "send help", "need help now", "need help asap",
               "help asap", "please come now", "come quickly", "come now", "call an ambulance", "call ambulance",
               "sos", "help help", "someone help", "somebody help", "urgent help", "help pls now", "hlp now"],
        "es": ["ayudenos", "necesitamos ambulancia", "necesitamos ayuda", "ayuda ahora", "ayudenme", "ayudame", "auxilio", "socorro", "manden ayuda", "necesito ayuda ya",
               "necesito ayuda ahora", "vengan rapido", "vengan ya", "llamen a una ambulancia", "ayuda por favor ya",
               "help me", "ayuda ya"],
        "fr": ["aidez nous", "on a besoin d une ambulance", "besoin d aide vite", "au secours", "a l aide", "aidez moi", "aide moi", "aidez nous", "venez vite", "envoyez quelqu un",
               "besoin d aide maintenant", "appelez une ambulance", "appelez les secours"],
        "pt": ["ajudem", "socorram", "precisamos de ambulancia", "precisamos de ajuda", "socorro", "me ajuda", "me ajudem", "ajuda agora", "ajudem agora", "venham rapido", "venham logo",
               "mandem ajuda", "preciso de ajuda agora", "chamem uma ambulancia", "chama a ambulancia"],
        "sw": ["tafadhali njooni", "tunahitaji ambulance", "tunahitaji msaada", "nisaidie", "nisaidieni", "tusaidie", "tusaidieni", "msaada sasa", "msaada haraka", "saidia sasa",
               "saidieni haraka", "njooni haraka", "njoo haraka", "help sasa", "help haraka", "niokoeni", "tuokoeni"],
        "ar": ["*الحقونا", "*الحقينا", "el7a2ouna", "il7a2una", "*النجده", "الحقوني", "*الحقني", "*انقذوني", "*انقذني", "*اتصلوا بالاسعاف",
               "ابعتوا حد", "تعالوا بسرعه", "يا ناس الحقوا", "ساعدوني بسرعه",
               "ساعدوني الان", "ساعدوني دلوقتي",
               "sa3douni", "sa3idouni", "sa3dooni", "el7a2ouni", "il7a2ouni", "el7a9oni", "njda", "ajiw daba", "t3alo bsor3a"],
    },
}

CUE_NAMES: tuple[str, ...] = (
    "weapon_now", "violence_now", "following", "here_now", "bleeding", "unconscious", "spiked_now", "help_now",
)
DIRECT_CUES = ("following", "here_now", "bleeding", "unconscious", "help_now")
PAST_BLOCKS = frozenset({"weapon_now", "violence_now", "following", "bleeding", "unconscious", "spiked_now"})
WINDOW = 12  # words between the two halves of a combined cue (weapon + now, violence + now, ...)

# --- the time a sentence is told in ----------------------------------------------------------------------
# A cue is present danger only when its sentence is told in the present. Public reports are mostly past
# narratives ("one night when my friend was sleeping, a man broke in and tried to rape her", "I was walking
# home when a man started following me"): a cue inside a sentence told in the past, with no present marker of
# its own, does not fire; a sentence with no tense of its own takes the message's (past when the message has a
# past marker and no present one). These run on a sentence's folded words joined by single spaces.
_STRONG_PAST_EN = (
    "was|were|used to|once|one night|one day|one evening|one morning|one afternoon|that day|that night|"
    "that evening|at that time|back then|it happened|this happened|happened to me|when i was|when we were|"
    "years back|as a child|in my childhood|i remember"
)
_WEAK_PAST_EN = (
    "had|did|went|came|saw|took|told|said|broke|ran|got|left|stood|caught|threw|felt|kept|began|grabbed|tried|touched|"
    "followed|started|stopped|happened|passed|showed|made|gave|brought|thought|knew|found|sat|fell|held|drove|rode|"
    "wore|spoke|stole|snatched|harassed|molested|groped|flashed|teased|stared|commented|whistled|slapped|pushed|"
    "pulled|dragged|threatened|attacked|robbed|raped|abused|incident"
)
TIME_PATTERNS: dict[str, list[str]] = {
    # A story told in the past: enough to read a sentence as past (and switch off a cue in it).
    "past": [
        rf"\b(?:{_STRONG_PAST_EN})\b",
        # Narrative openers and imperfects in the other languages (their simple present is not told apart from a
        # preterite by a pattern, so verb endings alone are not read as past there).
        r"\b(?:una noche|un dia|una vez|ese dia|esa noche|aquel dia|aquella noche|en ese momento|cuando era|cuando estaba|"
        r"cuando iba|me paso|yo estaba|estaba caminando|iba caminando|era de noche|hace anos|de nina|de nino|fue cuando)\b",
        r"\b(?:un soir|une nuit|un jour|une fois|ce jour la|ce soir la|cette nuit la|a l epoque|quand j etais|ca s est passe|"
        r"c etait|j etais|on etait|je marchais|je rentrais|quand j avais|il y a des annees)\b",
        r"\b(?:uma noite|um dia|uma vez|naquele dia|naquela noite|na epoca|quando eu era|quando eu estava|aconteceu|"
        r"eu estava|eu tava|era noite|quando eu tinha|eu voltava|eu andava)\b",
        r"\b(?:siku moja|usiku mmoja|siku hiyo|nilipokuwa|tulipokuwa|ilitokea|ilikuwa|nilikuwa|kulikuwa|zamani)\b",
        # ar: كنت / امبارح / ذات يوم, Arabizi
        r"(?<!\w)(?:و|ف)?(?:كنت|كنا|امبارح|البارح|امس|مره|ذات يوم|ذات ليله|يومها|ساعتها|في يوم|في ليله)(?!\w)",
        r"\b(?:kont|kunt|konna|lbare7|lbar7|mbare7|marra|wa7ed nhar|nhar men|lamma kont)\b",
    ],
    # English past verbs: a message told only with these (and nothing present) reads as past for the urgency
    # cap, but they do not switch off a cue ("man smashed a glass into a guy's face, lots of blood").
    "past_verb": [
        rf"\b(?:{_WEAK_PAST_EN})\b",
        r"\b(?!(?:need|speed|feed|seed|bleed|indeed|bed|red|shed|weed|proceed|exceed|scared|tired|worried|"
        r"armed|drugged|spiked|locked|trapped|injured|wounded|hurt|concerned|interested|married|related|"
        r"supposed|used|based|called|named|ashamed|afraid|stranded|stuck|parked|closed|crowded|isolated)\b)"
        r"[a-z]{3,}ed\b",
        # sw: -li- past tense ("alinifuata", "walimpiga"), also in relative clauses of present reports
        r"\b(?:a|wa|ni|tu|u|m|i|zi|ku|ki|vi|li|ya)li(?!nzi|nda|mwengu|mani)\w{3,}",
    ],
    # Spanish preterite, French passé composé and imparfait, Portuguese pretérito: their simple present is not
    # read by these patterns, so they count for the urgency cap only twice or more in a message with no
    # present marker at all ("me robaron la cadena y me jalaron del cuello").
    "past_verb_romance": [
        r"\b\w{2,}(?:aron|ieron)\b", r"\b(?:me|le|nos|les)\s+\w{3,}(?:o|io)\b(?<!\bmano)(?<!\bcuerpo)(?<!\bpelo)",
        r"\b(?:fue|fui|hubo|dijo|hizo|puso|vino|estaba|estaban|iba|tenia|habia)\b",
        r"\b(?:j ai|il a|elle a|ils ont|elles ont|on a|m a|m ont|l a|l ont|nous a|nous ont|lui a|les a)\s+(?:\w+\s+)?\w+(?:e|es|ee|ees|i|is|it|u|us)\b",
        r"\b\w{2,}(?:ait|aient)\b", r"\best (?:venu|arrive|entre|parti|sorti)\b",
        r"\b(?!(?:estou|vou|dou|tou|sou|ou)\b)\w{2,}(?:ou|aram|eram|iram|eu|iu)\b", r"\b(?:foi|fui|estava|estavam|tinha|houve)\b",
    ],
    "present": [
        r"\b(?:tells|wants|threatens|refuses|won t|wont|shots fired|pls come|please come|plz come)\b", r"\b(?:has|have|hasn t|haven t)\s+\w+",
        r"\bjust\b(?!\s+now)", r"\b(?:acaba de|acabo de|acabam de|acabou de|vient de|viennent de)\b",
        r"\b(?:hay|tienen|tiene|quiere|quieren|dice|dicen|tem|quer|diz|dizem|je peux pas|je ne peux pas|hapa)\b",
        r"\b(?:il|elle|ils|elles|on)\s+(?:me\s+|te\s+|nous\s+|la\s+|le\s+|les\s+)?(?:casse|tape|frappe|crie|menace|dit|veut|"
        r"repond|met|bat|cogne|tient|suit|attend|va|vont|peut|est|sont)\w*\b",
        r"(?<!\w)(?:و|ف)?(?:بي|بت|عم)\w{2,}", r"(?<!\w)(?:و|ف)?(?:هسي|هسع|ذلحين|دحين|توا|تو)(?!\w)",
        r"\b(?:need|needs)\b",
        r"\b(?:tá|esta|estao|estamos|somos|anda|andam|tamo)\s+\w+", r"\b(?:estan|estamos|somos|no abre|no puede|no deja)\b",
        r"\b(?:il|elle|on)\s+(?:me\s+|m\s+|te\s+|la\s+|le\s+|l\s+|nous\s+)?(?:\w+e|attend|repond|prend|descend|entend|vient|tient|"
        r"dort|sort|voit|fait|veut|peut|doit)\b(?<!\bil a)",
        r"\b(?:je vois|je sens|je peux|j ai des|j ai peur|je me sens|jsuis|ils sont|ca continue|la porte est)\b", r"\b(?:since|for the last|desde hace|depuis|tangu|ha \d+ minutos|faz \d+ minutos)\b",
        r"\b(?:me|nos|la|lo|le|les)\s+(?:tiene|tienen)\b", r"\b(?:anda|andam)\s+a\s+\w+r\b",
        r"\b(?:homem|cara|tipo|gajo|rapaz|ele|eles|ela|elas|alguem)\s+a\s+\w+r\b", r"\b(?:tirent|frappent|tapent)\b",
        r"\b\w{3,}(?:inaendelea|inaendelea)\b|\binaendelea\b", r"\b(?:tume|wame|ame|ime)\w{3,}\b.*\b(?:sakafuni|ndani|hapa|nje)\b",
        r"\b(?:is|are|am|im|i m|we re|you re|they re)\s+(?:\w+\s+)?(?!(?:morn|even|noth|someth|anyth|everyth|th|k|r|s|dur|build|ceil|wedd|meet|park|cloth|bor)ing\b)\w{2,}ing\b",
        r"\b(?:he|she|they|it|someone|somebody|there|who|we|you)\s+(?:is|are|s|re)\b(?!\s+(?:gone|left|away|safe|ok|okay|fine|home|over|calm|asleep)\b)",
        r"\b(?:hes|shes|theyre|theres|i am being|im being|were being)\b",
        r"\b(?:has|have)\s+(?:got|a|an|my|her|his|the|him|me|us|them|surrounded|locked|taken|trapped|cornered)\b",
        r"\b(?:keeps?|still|trying)\s+\w+", r"\b(?:getting|being)\s+\w{3,}(?:ed|en)\b", r"\b(?:theyve|they ve|hes been|he s been)\b",
        r"\b(?:is|are)\s+(?:at|in|on|about to|outside|inside|still|here|there|behind|near)\b", r"\b(?:can|cant|can t|won t|wont|isn t|isnt|aren t|doesn t|don t know|dont know)\b",
        r"\b(?:send|hurry|help|ambulance|come quick|come now|come fast|call me|what do i do|what should i do|nowhere to)\b",
        r"\b(?:esta|estan|estoy|estamos|sigue|siguen|anda|andan)\s+(?:\w+\s+)?\w+(?:ando|iendo|yendo)\b",
        r"\b(?:esta|estan|sigue|siguen)\s+(?:aqui|ahi|afuera|adentro|parado|parada|parados|en|al|con|encima|frente|detras)\b",
        r"\b(?:manden|vengan|ayuden|llamen|ayuda|ambulancia)\b",
        r"\ben train d", r"\b(?:il|elle|ils|elles|on)\s+(?:est|sont)\s+(?:la|ici|devant|dehors|encore|toujours|derriere|a|au|dans|sur|en)\b",
        r"\b(?:venez|envoyez|aidez|appelez|ambulance)\b",
        r"\b(?:esta|estao|ta|tao)\s+(?:aqui|ai|la|parado|parada|do lado|com|na|no|em|a porta|a frente)\b", r"\b(?:esta|estao|estou)\s+a\s+\w+r\b",
        r"\b(?:mandem|venham|ajudem|chamem|ambulancia)\b", r"\bnao vai embora\b|\bn vai embora\b",
        r"\b(?:esta|estao|estou|to|ta|tao|continua|continuam)\s+(?:me\s+|te\s+|a\s+)?\w+(?:ando|endo|indo)\b",
        r"\b(?:ana|wana|nina|tuna|una|mna)\w{3,}", r"\b(?:yuko|wako|ako)\b",
        r"(?<!\w)(?:و|ف|ب)?(?:عم|قاعد|قاعده|عمال|عماله|دلوقتي|هلق|هسه|الحين|الان|لسه|لسا|واقف|واقفين|اسعاف)(?!\w)",
        r"\b(?:3am|2a3ed|daba|dlwa2ti|halla2|hala2|rah|raha|rahou|rahom|rahi|tawa|taw|dorka|lessa|lissa|wa2ef|wa9ef|wa9fa|"
        r"9a3din|9a3ed|mazelou|mazal|mazel|kayen)\b",
        r"\b(?:ame|wame|nime|tume)\w{3,}\b.*\b(?:sasa|sai|bado)\b",
    ],
    # Weak signs of the present, read only in a sentence with no past marker and a message with no SAFE sign.
    "present_weak": [
        # a bare -ing participle ("one guy kicking another", "mob beating a thief") unless it continues a past
        # progressive or is a gerund ("was walking", "started following", "while walking")
        r"\b(?<!\bwas )(?<!\bwere )(?<!\bwhile )(?<!\bwhen )(?<!\bafter )(?<!\bbefore )(?<!\bstarted )(?<!\bkept )"
        r"(?<!\bbegan )(?<!\bstopped )(?<!\bof )(?<!\bfor )(?<!\bfrom )(?<!\bby )(?<!\babout )(?<!\bwithout )(?<!\bwas just )(?<!\band )"
        r"(?!(?:morn|even|noth|someth|anyth|everyth|th|k|r|s|str|spr|dur|build|ceil|wedd|meet|park|cloth|bor|shopp|"
        r"tuition|coach|cloth|rais|board|cross|land|railing|ceil|hous|feel|shoot|teas)ing\b)[a-z]{2,}ing\b",
        r"\bsays\b", r"\b(?<!\bestaba )(?<!\biba )(?<!\bestava )(?<!\btava )(?<!\bia )\w{3,}(?:ando|endo|indo|iendo)\b",
    ],
    # The reporter's own present state ("I'm in the bathroom", "estoy en..."): present, unless the message says
    # the reporter is safe (SAFE: "I am at my neighbour's", "estoy en casa de mi vecina").
    "present_state": [
        r"\b(?:i m|im|i am|we re|we are)\s+(?:in|at|on|inside|outside|hiding|alone|stuck|locked|trapped|scared|on foot|with)\b",
        r"\b(?:je suis|on est|nous sommes|estou|estamos|estoy|tuko|niko|hawezi|siwezi|naogopa|nasikia|tunahitaji|nahitaji)\b",
    ],
}
_TIME = {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in TIME_PATTERNS.items()}
_SENTENCE_END = re.compile(r"[.!?;\n]+")

_WORD = re.compile(r"\w+")
_APOSTROPHES = re.compile(r"['’`´]")


def words(text: str) -> list[str]:
    """Folded words; apostrophes split words ("he's" -> he s, "l'aide" -> l aide)."""
    return _WORD.findall(_APOSTROPHES.sub(" ", fold(text)))


@dataclass(frozen=True)
class SafetyCheck:
    cues: tuple[str, ...]  # matched cue names, in CUE_NAMES order
    # No present danger told: the message reads as past (a past marker or narrative, no present one) or
    # says the danger is over ("I am safe now", "at my neighbour's", "by text message"). With no cue, a
    # model's emergency is at most urgent (nlp.model.decide_final_urgency).
    settled: bool = False

    @property
    def emergency(self) -> bool:
        return bool(self.cues)


def sentence_times(
    text: str, masked: frozenset[int] = frozenset(), settled_words: frozenset[int] = frozenset()
) -> list[tuple[int, int, bool, bool, bool, bool]]:
    """(first word, end word, past, past verb, present, present only by a weak sign) per sentence, in the word
    positions of `words(text)`; the
    `masked` words (the cues' own, such as "passed out") are left out of the past reading, the `settled_words`
    (a sign the danger is over: "I am safe", "I am at my neighbour's") out of the present reading."""
    out = []
    position = 0
    for piece in _SENTENCE_END.split(text):
        tokens = words(piece)
        if not tokens:
            continue
        joined = " ".join(t for i, t in enumerate(tokens, start=position) if i not in masked)
        whole = " ".join(t for i, t in enumerate(tokens, start=position) if i not in settled_words)
        past = bool(_TIME["past"].search(joined))
        strong = bool(_TIME["present"].search(whole)) or (not settled_words and bool(_TIME["present_state"].search(whole)))
        weak = not settled_words and not past and bool(_TIME["present_weak"].search(whole))
        out.append((position, position + len(tokens), past, bool(_TIME["past_verb"].search(joined)), strong or weak,
                    weak and not strong))
        position += len(tokens)
    return out


class SafetyNet:
    """Build once (a few ms); `check(text)` finds present-danger cues, `apply` raises urgency."""

    def __init__(self, lexicon: dict[str, dict[str, list[str]]] = LEXICON) -> None:
        self.vocab = Vocab()
        self.matcher = PhraseMatcher(self.vocab, attr="ORTH")
        self._prefix: dict[str, re.Pattern[str]] = {}  # term class -> one regex over single words
        self._clitic: dict[str, re.Pattern[str]] = {}  # single words that may carry a 1-3 letter clitic
        self._clitic_multi: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
        self._last: tuple[str | None, SafetyCheck] = (None, SafetyCheck(()))
        for term_class, by_language in lexicon.items():
            phrases: list[list[str]] = []
            prefixes: set[str] = set()
            clitic_words: set[str] = set()
            for entries in by_language.values():
                for entry in entries:
                    if entry.startswith("*"):
                        parts = words(entry[1:])
                        phrases.append(parts)  # the bare form through the phrase matcher
                        if len(parts) == 1:
                            clitic_words.add(parts[0])
                        elif parts:
                            head = re.compile(r"\w{1,3}" + re.escape(parts[0]) + "$")
                            self._clitic_multi.setdefault(term_class, []).append((head, tuple(parts[1:])))
                    elif entry.endswith("*") and " " not in entry.strip():
                        prefixes.update(words(entry[:-1]))
                    else:
                        phrases.append(words(entry))
            phrases = [p for p in phrases if p]
            if phrases:
                self.matcher.add(term_class, [Doc(self.vocab, words=p) for p in phrases])
            if prefixes:
                self._prefix[term_class] = re.compile("(?:" + "|".join(map(re.escape, sorted(prefixes))) + ")")
            if clitic_words:
                self._clitic[term_class] = re.compile(
                    r"\w{1,3}(?:" + "|".join(map(re.escape, sorted(clitic_words))) + ")$"
                )

    def spans(self, text: str) -> dict[str, list[int]]:
        """Term class -> word positions where it starts."""
        return {name: [start for start, _ in found] for name, found in self._matches(text).items()}

    def _matches(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Term class -> (start, end) word positions."""
        tokens = words(text)
        found: dict[str, list[tuple[int, int]]] = {}
        if not tokens:
            return found
        doc = Doc(self.vocab, words=tokens)
        for match_id, start, end in self.matcher(doc):
            found.setdefault(self.vocab.strings[match_id], []).append((start, end))
        for term_class, pattern in (*self._prefix.items(), *self._clitic.items()):
            for i, token in enumerate(tokens):
                if pattern.match(token):
                    found.setdefault(term_class, []).append((i, i + 1))
        if self._clitic_multi:
            at: dict[str, list[int]] = {}  # word -> positions, so each sequence is tried only where it can start
            for i, token in enumerate(tokens):
                at.setdefault(token, []).append(i)
            for term_class, sequences in self._clitic_multi.items():
                for head, rest in sequences:
                    n = len(rest)
                    for j in at.get(rest[0], ()):
                        i = j - 1
                        if i >= 0 and tuple(tokens[j : j + n]) == rest and head.match(tokens[i]):
                            found.setdefault(term_class, []).append((i, i + 1 + n))
        return found

    def check(self, text: str) -> SafetyCheck:
        last_text, last_check = self._last
        if text == last_text:  # the model's input features and Triage ask about the same text in turn
            return last_check
        result = self._check(text)
        self._last = (text, result)
        return result

    def _check(self, text: str) -> SafetyCheck:
        found = self._matches(text)
        over_words = {i for kind in ("OVER", "SAFE") for start, end in found.get(kind, []) for i in range(start, end)}
        # "safe now", "home now": a "now" inside a sign that the danger is over is not a present marker
        now = [start for start, end in found.get("NOW", []) if not over_words & set(range(start, end))]
        masked = frozenset(i for kind in (*DIRECT_CUES, "SPIKE", "SYMPTOM") for start, end in found.get(kind, [])
                           for i in range(start, end))
        settled_words = frozenset(i for kind in ("SAFE", "OVER") for start, end in found.get(kind, []) for i in range(start, end))
        sentences = sentence_times(text, masked, settled_words)
        message_past = any(past for _, _, past, *_ in sentences)
        # a weak sign of the present (a bare -ing, a gerund, "says") does not count in a story told in the past
        sentences = [(first, end, past, verb, present and not (weak and message_past), weak)
                     for first, end, past, verb, present, weak in sentences]
        message_past_verb = any(verb for _, _, _, verb, *_ in sentences) or (
            len(_TIME["past_verb_romance"].findall(" ".join(words(text)))) >= 2 and not _is_arabizi(text))
        message_present = bool(now) or any(present for *_, present, _weak in sentences)

        def told_in_past(position: int) -> bool:
            for first, end, past, _verb, present, _weak in sentences:
                if first <= position < end:
                    if present or any(first <= n < end for n in now):
                        return False
                    return past or (message_past and not message_present)
            return False

        cues: dict[str, list[int]] = {}

        def pair(kind: str, cue: str) -> None:
            for a in (start for start, _ in found.get(kind, [])):
                for b in now:
                    if abs(a - b) <= WINDOW:
                        cues.setdefault(cue, []).append(min(a, b))

        pair("WEAPON", "weapon_now")
        pair("VIOLENCE", "violence_now")
        if "SPIKE" in found and (now or "SYMPTOM" in found):
            cues["spiked_now"] = [start for start, _ in found["SPIKE"]]
        for cue in DIRECT_CUES:
            if cue in found:
                cues[cue] = [start for start, _ in found[cue]]
        if "PAST" in found or "OVER" in found or "SAFE" in found:
            for cue in PAST_BLOCKS:
                cues.pop(cue, None)
        # a cue fires when at least one of its places is told in the present
        kept = {cue for cue, positions in cues.items() if not all(told_in_past(p) for p in positions)}
        settled = not kept and not message_present and (
            "SAFE" in found or "PAST" in found or message_past or message_past_verb)
        return SafetyCheck(tuple(c for c in CUE_NAMES if c in kept), settled=settled)

    @staticmethod
    def apply(urgency: str, check: SafetyCheck) -> str:
        """Raise to emergency on a cue; never lower."""
        if check.emergency and URGENCY_ORDER.index(urgency) < URGENCY_ORDER.index("emergency"):
            return "emergency"
        return urgency


_DEFAULT: SafetyNet | None = None


def default_net() -> SafetyNet:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SafetyNet()
    return _DEFAULT


def languages() -> Iterable[str]:
    return ("en", "es", "fr", "pt", "sw", "ar")
