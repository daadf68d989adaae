"""Every user-facing English text of Salama, one named constant each.

The English texts are the gettext msgids: code uses `catalog.ASK_WHAT` and passes it to
`locales.translate(lang, catalog.ASK_WHAT)`. `N_` and `NC_` do nothing at run time; they only mark
the strings for extraction. Regenerate the template after changing this file, from the repository root:

    .venv/bin/pybabel extract --no-default-keywords -k N_ -k NC_:1c,2 -c TRANSLATORS: \\
        --no-location --project Salama -o locales/messages.pot locales/catalog.py

then add the new or changed msgids to each locales/<lang>/LC_MESSAGES/messages.po (tests/test_locales.py
fails until the template and every catalogue match this file).

Rules for every text here and for every translation (our readers may be in danger, on a basic phone):
- plain, short and kind; one SMS when possible: 160 GSM-7 characters, or 70 when any character is
  outside GSM-7 (Arabic always is); two segments at most (2 x 153, or 2 x 67);
- keep every {placeholder} exactly as written;
- keywords (msgctxt "keyword") are words people type: one word, capitals, no accents. A translation may
  list synonyms separated by "|"; the first one is the one shown in messages. Keep them few, and never
  use a word that is another keyword in any supported language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a msgid for extraction; returns it unchanged."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark a msgid with a msgctxt for extraction; returns the msgid unchanged."""
    return message


KEYWORD_CONTEXT = "keyword"
TYPE_CONTEXT = "incident type"

# ---------------------------------------------------------------------------------------------------
# Reporter-facing messages. "One SMS" below means 160 characters in Latin script (after accents outside
# GSM-7 are dropped, see handlers/sms_segments.for_sms) and 70 in Arabic; "2 SMS" means 2 x 153 or 2 x 67.
# ---------------------------------------------------------------------------------------------------

# TRANSLATORS: first message to a new reporter. {emergency} is the
# local emergency number, e.g. 112. "Responders" are the local people
# and groups who help (not necessarily the police).
# One SMS in Latin script; at most 2 SMS in Arabic.
NOTICE = N_(
    "Salama: anonymous reports of violence and harassment, sent to local responders. "
    "Not an emergency service: if you are in danger now, call {emergency}."
)
# TRANSLATORS: One SMS.
ASK_WHAT = N_("What happened? Tell us in your own words.")
# TRANSLATORS: One SMS.
ASK_WHERE = N_("Where did it happen? Name the area, street or place.")
# TRANSLATORS: Telegram only (it can share a map location).
ASK_WHERE_TELEGRAM = N_("Where did it happen? Name the area, street or place, or share a location.")
# TRANSLATORS: {yes} and {no} are this language's keywords YES and NO.
# One SMS.
ASK_DANGER = N_("Is someone in danger right now? Reply {yes} or {no}.")
# TRANSLATORS: {ref} is a report code like R-7K3F; {quiet} is the
# keyword QUIET. One SMS in Latin script; at most 2 SMS in Arabic.
CONFIRM = N_("Thank you. Report {ref} was sent to responders. Keep this code. Reply {quiet} for no updates.")
# TRANSLATORS: sent when someone is in danger now. {emergency} is the
# local emergency number, e.g. 112. One SMS.
CONFIRM_EMERGENCY = N_("Report {ref}: responders are alerted now. If you are in danger, call {emergency}.")
# TRANSLATORS: a report that alerts nobody now (e.g. an unsafe place)
# but is kept for the city. One SMS.
CONFIRM_RECORDED = N_("Thank you. Report {ref} was recorded for the city safety team.")
# TRANSLATORS: the reporter sent more details for an open report.
# One SMS.
ADDED = N_("Thank you, we added this to report {ref}.")
# TRANSLATORS: reply to the keyword HELP. {stop} and {delete} are the
# keywords STOP and DELETE. One SMS in Latin script; at most 2 SMS in
# Arabic.
HELP = N_(
    "Salama: tell us what happened and where, and we alert responders. In danger now? Call {emergency}. "
    "{stop}: no more messages. {delete}: erase your data."
)
# TRANSLATORS: reply to the keyword STOP. One SMS.
STOPPED = N_("You will get no more messages from Salama. Write again at any time to report.")
# TRANSLATORS: reply to the keyword DELETE. One SMS.
DELETED = N_("Your contact details and messages were deleted. Thank you for using Salama.")
# TRANSLATORS: keep "/language" as it is (it is a command). {choices}
# is "en English, es Español, ..." with Arabic in it, so the whole
# message is at most 2 x 67 characters.
LANGUAGE_CHOICES = N_("Send /language and a code: {choices}")
# TRANSLATORS: confirms the language change: name your language in
# your language ("Idioma: español."). One SMS.
LANGUAGE_SET = N_("Language: English.")
# TRANSLATORS: the message was empty or made no sense at all. One SMS.
NOT_UNDERSTOOD = N_("Sorry, we could not read that. Please write what happened in a few words.")
# TRANSLATORS: the reporter sent a photo, voice note or file. One SMS.
TEXT_ONLY = N_("Please send text. We cannot open photos or files.")
# TRANSLATORS: a fault on our side; nothing is lost. One SMS.
TRY_AGAIN = N_("Sorry, something went wrong on our side. Please send your message again in a minute.")
# TRANSLATORS: reply to the keyword QUIET. One SMS.
QUIET_SET = N_("OK: no more updates about report {ref}.")
# TRANSLATORS: a responder has taken the report. One SMS.
ACKNOWLEDGED_TO_REPORTER = N_("Someone is working on your report {ref} now.")
# TRANSLATORS: a report's status, when the reporter sends its code.
# One SMS.
STATUS_WAITING = N_("Report {ref}: received, waiting for a responder.")
# TRANSLATORS: a report's status. One SMS.
STATUS_TAKEN = N_("Report {ref}: a responder is on it.")
# TRANSLATORS: a report's status. One SMS.
STATUS_CLOSED = N_("Report {ref}: closed by responders. Thank you.")
# TRANSLATORS: the code sent matches no report. One SMS.
STATUS_UNKNOWN = N_("We found no report {ref}. Check the code and try again.")

# ---------------------------------------------------------------------------------------------------
# Responder-facing messages (alerts): short and scannable
# ---------------------------------------------------------------------------------------------------

# TRANSLATORS: first line of an alert: "SALAMA EMERGENCY R-7K3F".
# {urgency} is one of the urgency names.
ALERT_TITLE = N_("SALAMA {urgency} {ref}")
# TRANSLATORS: alert line; {types} lists incident type names.
ALERT_TYPE = N_("Type: {types}")
# TRANSLATORS: alert line; {area} is a place name.
ALERT_WHERE = N_("Where: {area}")
# TRANSLATORS: alert line; {time} is like "23:40 14/11".
ALERT_WHEN = N_("When: {time}")
# TRANSLATORS: last line of an alert; {ack} is the keyword ACK.
ALERT_HOW_TO_ACK = N_("Reply {ack} {ref} to take it.")
# TRANSLATORS: {count} is a number: 2 for the second report on the
# same incident. {summary} is the new report's text.
ALERT_UPDATE = N_("{ref}: report {count} on this incident. New: {summary}")
# TRANSLATORS: the responder has taken the report.
ACK_CONFIRMED = N_("You took {ref}. Thank you.")
# TRANSLATORS: {name} is another responder's name.
ACK_TAKEN_BY_OTHER = N_("{ref} was taken by {name}.")
# TRANSLATORS: this responder may not take this report.
ACK_REFUSED = N_("Sorry, you cannot act on {ref}.")
# TRANSLATORS: in an alert, instead of the area, when the reporter did
# not say where.
UNKNOWN_AREA = N_("area not given")

# --- responders' buttons and replies (routing and acknowledgement) ---
# TRANSLATORS: Telegram button under an alert: the responder takes the report. One or two words.
BUTTON_ACK = N_("Take it")
# TRANSLATORS: Telegram button: pass the alert up the escalation chain now.
BUTTON_ESCALATE = N_("Escalate")
# TRANSLATORS: Telegram button: the situation is dealt with, close it.
BUTTON_RESOLVE = N_("Resolve")
# TRANSLATORS: Telegram button: the incident type is wrong; opens a list of types.
BUTTON_WRONG_TYPE = N_("Wrong type ▸")
# TRANSLATORS: to the responder who pressed Escalate.
ESCALATED = N_("{ref}: escalated. Thank you.")
# TRANSLATORS: the escalation chain has no step left.
NOTHING_TO_ESCALATE = N_("{ref}: nobody left to escalate to.")
# TRANSLATORS: to the responder who closed the report.
RESOLVED = N_("{ref}: closed. Thank you.")
# TRANSLATORS: above the list of incident types to pick the right one.
CHOOSE_TYPE = N_("Choose the right type for {ref}:")
# TRANSLATORS: after a responder corrected the type; {type} is the type's name.
TYPE_CORRECTED = N_("{ref}: type set to {type}. Thank you, Salama learns from this.")
# TRANSLATORS: last line of an alert sent up the chain because nobody took it.
ALERT_ESCALATED = N_("Nobody has taken this yet.")
# TRANSLATORS: Telegram button under an update about a report that was
# added to an incident: take it out, it is another event. {ref} is its code.
BUTTON_SPLIT = N_("Split {ref} out")
# TRANSLATORS: to the responder who split a report out of an incident.
SPLIT_DONE = N_("{ref} is now an incident of its own and was routed again.")
# TRANSLATORS: the report that opened an incident cannot be split out of it.
SPLIT_REFUSED = N_("{ref} opened this incident: split the other reports out instead.")
# TRANSLATORS: Resolve or Wrong type before anyone took the report. {ack} is the keyword ACK.
TAKE_FIRST = N_("Take {ref} first: reply {ack} {ref}.")
# TRANSLATORS: someone else's group took the report; only they can close or retype it.
HOLDER_ONLY = N_("{ref} was taken by another group: only they can close or change it.")
# TRANSLATORS: to a responder whose message looked like a command but was
# not one. {ack} and {done} are the keywords ACK and DONE; ESC, SPLIT and
# TYPE stay in English (they are typed as written). 2 SMS at most.
RESPONDER_COMMANDS = N_(
    "Commands: {ack} {ref} take it, {done} {ref} close it, ESC {ref} escalate, "
    "SPLIT {ref} split out, TYPE {ref} robbery set the type."
)
# TRANSLATORS: repeated until someone takes the report. {urgency} is
# EMERGENCY, URGENT or ROUTINE; {ack} is the keyword ACK.
REMINDER_UNACKNOWLEDGED = N_("Reminder: {ref} ({urgency}, {area}) is still not taken. Reply {ack} {ref} to take it.")
# TRANSLATORS: to the responder who took a report that is still open
# hours later. {done} is the keyword DONE.
REMINDER_UNRESOLVED = N_("Reminder: {ref} is still open. When it is resolved, reply {done} {ref}.")
# TRANSLATORS: a reporter asked about a code that is not one of theirs.
STATUS_NOT_YOURS = N_("We found no report {ref} from you.")

# --- digests (routing/digests.py) ---
# TRANSLATORS: first line of a digest: the scheduled list, sent to a
# group such as the city safety unit, of the reports that needed no
# live alert (e.g. unsafe places), by area and type with their codes.
# {time} is when the period began, like "08:00 30/11"; {count} is the
# number of reports listed. A long digest is split and "(1/3)" is put
# before this line. Keep it short: one line.
DIGEST_TITLE = N_("SALAMA digest since {time}. Reports: {count}")

# TRANSLATORS: urgency name, in capitals, in the alert's first line.
URGENCY_EMERGENCY = N_("EMERGENCY")
# TRANSLATORS: urgency name, in capitals, in the alert's first line.
URGENCY_URGENT = N_("URGENT")
# TRANSLATORS: urgency name, in capitals, in the alert's first line.
URGENCY_ROUTINE = N_("ROUTINE")

URGENCY_NAMES: dict[str, str] = {
    "emergency": URGENCY_EMERGENCY,
    "urgent": URGENCY_URGENT,
    "routine": URGENCY_ROUTINE,
}

# Incident type label -> msgid (msgctxt "incident type"); nlp/corpus/GUIDELINES.md says what each covers.
TYPE_NAMES: dict[str, str] = {
    # TRANSLATORS: incident type names, lower case, shown to responders.
    "sexual_harassment": NC_("incident type", "sexual harassment"),
    "sexual_assault": NC_("incident type", "sexual assault"),
    "domestic_violence": NC_("incident type", "domestic violence"),
    "physical_assault": NC_("incident type", "physical assault"),
    "gun_violence": NC_("incident type", "gun violence"),
    "threats_extortion": NC_("incident type", "threats or extortion"),
    "robbery": NC_("incident type", "robbery"),
    "police_misconduct": NC_("incident type", "police misconduct"),
    # TRANSLATORS: someone put a drug in someone's drink.
    "drink_spiking": NC_("incident type", "drink spiking"),
    "unsafe_place": NC_("incident type", "unsafe place"),
    "other": NC_("incident type", "other"),
}

# ---------------------------------------------------------------------------------------------------
# Keywords (msgctxt "keyword"): words people type. Each constant's value is the keyword's name.
# ---------------------------------------------------------------------------------------------------

# TRANSLATORS: keyword typed to get the help message. Keywords: one
# word, capitals, no accents; synonyms after "|", the first is shown.
KEYWORD_HELP = NC_("keyword", "HELP")
# TRANSLATORS: keyword: stop all messages from Salama.
KEYWORD_STOP = NC_("keyword", "STOP")
# TRANSLATORS: keyword: erase the reporter's contact details and
# messages.
KEYWORD_DELETE = NC_("keyword", "DELETE")
# TRANSLATORS: keyword: yes (answer to "Is someone in danger now?").
KEYWORD_YES = NC_("keyword", "YES")
# TRANSLATORS: keyword: no.
KEYWORD_NO = NC_("keyword", "NO")
# TRANSLATORS: keyword: no more updates about a report.
KEYWORD_QUIET = NC_("keyword", "QUIET")
# TRANSLATORS: responders' keyword to take a report. Keep ACK first and
# add a local synonym after "|".
KEYWORD_ACK = NC_("keyword", "ACK")
# TRANSLATORS: responders' keyword to close a report. Keep DONE first
# and add a local synonym after "|".
KEYWORD_DONE = NC_("keyword", "DONE")

KEYWORDS: tuple[str, ...] = (
    KEYWORD_HELP,
    KEYWORD_STOP,
    KEYWORD_DELETE,
    KEYWORD_YES,
    KEYWORD_NO,
    KEYWORD_QUIET,
    KEYWORD_ACK,
    KEYWORD_DONE,
)

# Names of the constants above: the messages a reporter receives (SMS limits apply), and a responder's.
REPORTER_MESSAGES: tuple[str, ...] = (
    "NOTICE",
    "ASK_WHAT",
    "ASK_WHERE",
    "ASK_WHERE_TELEGRAM",
    "ASK_DANGER",
    "CONFIRM",
    "CONFIRM_EMERGENCY",
    "CONFIRM_RECORDED",
    "ADDED",
    "HELP",
    "STOPPED",
    "DELETED",
    "LANGUAGE_CHOICES",
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
    "STATUS_NOT_YOURS",
)
RESPONDER_MESSAGES: tuple[str, ...] = (
    "ALERT_TITLE",
    "ALERT_TYPE",
    "ALERT_WHERE",
    "ALERT_WHEN",
    "ALERT_HOW_TO_ACK",
    "ALERT_UPDATE",
    "ACK_CONFIRMED",
    "ACK_TAKEN_BY_OTHER",
    "ACK_REFUSED",
    "UNKNOWN_AREA",
    "URGENCY_EMERGENCY",
    "URGENCY_URGENT",
    "URGENCY_ROUTINE",
    "ESCALATED",
    "NOTHING_TO_ESCALATE",
    "RESOLVED",
    "CHOOSE_TYPE",
    "TYPE_CORRECTED",
    "ALERT_ESCALATED",
    "BUTTON_SPLIT",
    "SPLIT_DONE",
    "SPLIT_REFUSED",
    "TAKE_FIRST",
    "HOLDER_ONLY",
    "REMINDER_UNACKNOWLEDGED",
    "REMINDER_UNRESOLVED",
    "RESPONDER_COMMANDS",
    "DIGEST_TITLE",
)


# --- web channel (handlers/web): the report form and the private status page; not SMS, so no SMS limits ---
# TRANSLATORS: web form: the page's title and heading.
WEB_TITLE = N_("Report harassment or violence")
# TRANSLATORS: web form: under the title.
WEB_INTRO = N_("Tell us what happened and where. You stay anonymous: we never ask for your name or phone number.")
# TRANSLATORS: web form: shown above the form, every time.
WEB_NOT_EMERGENCY = N_("Salama is not an emergency service. If you are in danger now, call the local emergency number.")
# TRANSLATORS: web form: the label of the text box.
WEB_MESSAGE_LABEL = N_("Your message")
# TRANSLATORS: web form: the button that sends the message. One word.
WEB_SEND = N_("Send")
# TRANSLATORS: web form: heading above Salama's answers to the message just sent.
WEB_REPLY_HEADING = N_("Salama's reply")
# TRANSLATORS: web form: above the link to the reporter's private status page.
WEB_STATUS_LINK = N_(
    "Your private page: bookmark it to read news from responders later. Anyone with this link "
    "can read it, so keep it secret."
)
# TRANSLATORS: web form: the link to the private status page.
WEB_STATUS_LINK_TEXT = N_("Open my private page")
# TRANSLATORS: web status page: its title and heading.
WEB_STATUS_TITLE = N_("Your private page")
# TRANSLATORS: web status page: above the list of messages.
WEB_STATUS_INTRO = N_("Everything Salama sent you. Come back later for news from responders.")
# TRANSLATORS: web status page: link back to the form.
WEB_WRITE_MORE = N_("Write to Salama")
# TRANSLATORS: web pages: a safety tip at the bottom.
WEB_SAFETY = N_("On a shared device, close this window when you are done.")
# TRANSLATORS: web pages: label before the list of languages.
WEB_LANGUAGE = N_("Language")
# TRANSLATORS: web form: the form's security token was missing or old.
WEB_FORM_EXPIRED = N_("This form has expired. Please write your message again.")
# TRANSLATORS: web form: too many messages from this connection or in total.
WEB_TOO_MANY = N_("Too many messages right now. Please wait a few minutes and try again.")
# TRANSLATORS: web form: {max} is a number of characters, like 2000.
WEB_TOO_LONG = N_("Your message is too long: please keep it under {max} characters.")
# TRANSLATORS: web pages: the page does not exist (also a wrong status link).
WEB_NOT_FOUND = N_("Page not found.")
