"""The reporter's dialogue, channel-neutral, with its state in the database.

First contact gets a short notice; then "what happened?", and only what is missing: where, and (when
the text does not say) whether someone is in danger now. A report that says what and where completes
in one exchange. Keywords (HELP, STOP, DELETE, QUIET, /language) work at any point. A conversation
expires after 30 idle minutes; a report still being collected then is submitted as it is, never lost.
"""

from __future__ import annotations

import re
from datetime import timedelta

import locales
import metrics
from handlers.base import InboundMessage
from locales import catalog
from nlp.event_time import stated_offset
from nlp.language import LanguageHints
from nlp.places import PlaceMatch
from nlp.police_terms import mentions_police
from nlp.text import fold
from nlp.triage import CONFIDENT_URGENCY, Triage, TriageResult
from routing.channels import capabilities
from routing.deployment import Champion, Deployment
from routing.incidents import Incidents, compatible
from storage.models import Conversation, Report, Reporter, utcnow
from storage.repository import Store
from storage.states import ReportStatus, Stage
from taxonomy import POLICE_MISCONDUCT, URGENCY_ORDER

IDLE_TIMEOUT = timedelta(minutes=30)
REFERENCE_PATTERN = re.compile(r"(?<![\w-])R-?([2-9A-HJ-NP-Z]{4})(?!\w)", re.IGNORECASE)
MIN_WORDS_FOR_A_REPORT = 3  # shorter messages count as a report only when they carry a danger cue
# A message this long reads as a report even when no type but `other` fits ("a man was bothering me at
# the bus stop"): it goes to the catch-all route rather than being asked "what happened?" again.
MIN_WORDS_FOR_AN_OTHER_REPORT = 6


class Dialogue:
    def __init__(
        self, deployment: Deployment, triage: Triage, incidents: Incidents, idle_timeout: timedelta = IDLE_TIMEOUT
    ) -> None:
        self.deployment = deployment
        self.triage = triage
        self.incidents = incidents
        self.idle_timeout = idle_timeout
        self._venues = {venue.name: venue for venue in deployment.venues}
        self._champions = {(c.channel, c.address): c for c in deployment.champions}

    # --- entry point ------------------------------------------------------------------------------
    async def handle(self, store: Store, message: InboundMessage) -> list[str]:
        """Advance the reporter's conversation by one message; return the replies to send back."""
        reporter = await store.reporter_for(message.channel, message.address)
        first_contact = reporter.language is None
        conversation = await store.open_conversation(reporter)
        if conversation is not None and conversation.expires_at <= utcnow():
            await self.finish(store, conversation)
            conversation = None

        keyword = message.command or locales.match_keyword(message.text)
        language = self._language(message, reporter, conversation, keyword)
        reporter.language = language
        if conversation is not None:
            conversation.language = language
            conversation.updated_at = utcnow()
            conversation.expires_at = utcnow() + self.idle_timeout

        if keyword:
            handled = await self._keyword(store, keyword, message, reporter, conversation, language)
            if handled is not None:
                return handled

        champion = self._champions.get((message.channel, message.address))
        if champion is not None and message.text.strip():
            return await self._champion_flag(store, message, reporter, champion, language)
        if REFERENCE_PATTERN.fullmatch(message.text.strip()):
            return [await self._status(store, reporter, message.text.strip(), language)]

        replies: list[str] = []
        if conversation is None:
            conversation = await store.start_conversation(reporter, language, self.idle_timeout)
            if first_contact:
                replies.append(self._t(language, catalog.NOTICE))
        if not message.text.strip() and message.location is None:
            replies.append(self._t(language, catalog.TEXT_ONLY if message.has_media else catalog.NOT_UNDERSTOOD))
            return replies

        stage = conversation.stage
        if stage == Stage.AWAITING_WHAT:
            replies += await self._on_what(store, message, reporter, conversation, language)
        elif stage == Stage.AWAITING_WHERE:
            replies += await self._on_where(store, message, conversation, language)
        elif stage == Stage.AWAITING_DANGER:
            replies += await self._on_danger(store, message, conversation, language)
        else:
            replies += await self._on_more(store, message, reporter, conversation, language)
        return replies

    # --- stages -------------------------------------------------------------------------------------
    async def _on_what(
        self,
        store: Store,
        message: InboundMessage,
        reporter: Reporter,
        conversation: Conversation,
        language: str,
        follows: Report | None = None,
        complaint: bool = False,
    ) -> list[str]:
        """The first words of a report. `follows`: the reporter's previous report, when this message was
        a follow-up that tells of another incident (its place carries over unless the words name one);
        `complaint`: it names the police on an incident they were told about, so it is one."""
        if not message.text.strip():  # a location before any words: ask what happened
            return [self._t(language, catalog.ASK_WHAT)]
        result = await self.triage.triage_async(message.text, language=language)
        if not self._reads_as_report(message.text, result, answered_what=conversation.asked_what):
            conversation.asked_what = True
            return [self._t(language, catalog.ASK_WHAT)]
        report = await store.create_report(reporter, message.channel, language, message.text, role="resident")
        metrics.report_received(message.channel)
        conversation.report_id = report.id
        self._apply_triage(report, result)
        self._apply_event_time(report, message.text)
        if complaint and POLICE_MISCONDUCT not in report.types:
            report.types = [label for label in report.types if label != "other"] + [POLICE_MISCONDUCT]
        if result.place is None and follows is not None and follows.area is not None:
            report.area, report.venue = follows.area, follows.venue  # "the officer who came": the same place
        if result.place is not None or report.area is not None:
            return await self._complete(store, report, conversation, language)
        conversation.stage = Stage.AWAITING_WHERE
        can_share = capabilities(message.channel).location
        ask_where = self._t(language, catalog.ASK_WHERE_TELEGRAM if can_share else catalog.ASK_WHERE)
        if report.urgency == "emergency":  # do not wait for the place when someone is in danger now
            replies = await self._complete(store, report, conversation, language)
            conversation.stage = Stage.AWAITING_WHERE
            return replies + [ask_where]
        return [ask_where]

    async def _on_where(
        self, store: Store, message: InboundMessage, conversation: Conversation, language: str
    ) -> list[str]:
        report = await self._report(store, conversation)
        if report is None:
            return self._restart(conversation, language)
        place: PlaceMatch | None
        if message.location is not None:
            place = self.triage.places.locate(*message.location)
            report.location_given = True
        else:
            place = self.triage.places.find(message.text)
            store.set_place_text(report, message.text)
        if place is not None:
            self._apply_place(report, place)
        if report.status != ReportStatus.COLLECTING:  # already alerted (emergency): the incident learns where
            where = report.area or message.text or self._t(language, catalog.UNKNOWN_AREA)
            await self.incidents.report_changed(store, report, self._t(language, catalog.ALERT_WHERE, area=where))
            conversation.stage = Stage.DONE
            return [self._t(language, catalog.ADDED, ref=report.reference)]
        if not conversation.asked_danger and not self._urgency_confident(report):
            conversation.stage = Stage.AWAITING_DANGER
            conversation.asked_danger = True
            return [
                self._t(
                    language,
                    catalog.ASK_DANGER,
                    yes=locales.keyword(language, "YES"),
                    no=locales.keyword(language, "NO"),
                )
            ]
        return await self._complete(store, report, conversation, language)

    async def _on_danger(
        self, store: Store, message: InboundMessage, conversation: Conversation, language: str
    ) -> list[str]:
        report = await self._report(store, conversation)
        if report is None:
            return self._restart(conversation, language)
        answer = locales.match_answer(message.text)
        if answer is True:
            report.danger_now = True
            report.urgency = "emergency"
        elif answer is False:
            report.danger_now = False
        elif message.text.strip():  # more words instead of yes/no: keep them, and let them raise urgency
            store.append_report_text(report, message.text)
            result = await self.triage.triage_async(store.report_text(report), language=language)
            self._apply_triage(report, result, keep_place=True)
        return await self._complete(store, report, conversation, language)

    async def _on_more(
        self,
        store: Store,
        message: InboundMessage,
        reporter: Reporter,
        conversation: Conversation,
        language: str,
    ) -> list[str]:
        """A message after the report was sent: an addition to it, or the start of another report."""
        report = await self._report(store, conversation)
        if report is None:
            return self._restart(conversation, language)
        if message.location is not None:
            place = self.triage.places.locate(*message.location)
            report.location_given = True
            if place is not None and report.area is None:
                self._apply_place(report, place)
            note = self._t(language, catalog.ALERT_WHERE, area=report.area or self._t(language, catalog.UNKNOWN_AREA))
            await self.incidents.report_changed(store, report, note)
            return [self._t(language, catalog.ADDED, ref=report.reference)]
        result = await self.triage.triage_async(message.text, language=language)
        if not self._says_something(message.text, result):  # "thank you", "ok": kept, nobody disturbed
            store.append_report_text(report, message.text)
            return [self._t(language, catalog.ADDED, ref=report.reference)]
        # The classifier may miss a complaint: a follow-up that names the police on an incident they were
        # told about, or could be by a later step, is one whatever its label (it must not reach them).
        complaint = (
            not report.police_sensitive
            and mentions_police(message.text)
            and await self.incidents.police_could_hear(store, report)
        )
        if complaint or self._another_incident(report, result):
            conversation.closed = True
            fresh = await store.start_conversation(reporter, language, self.idle_timeout)
            store.audit("follow_up_is_a_new_report", report, complaint=complaint)
            return await self._on_what(store, message, reporter, fresh, language, follows=report, complaint=complaint)
        store.append_report_text(report, message.text)
        # The whole text again: new words can add a type or raise the urgency, never lower it.
        whole = await self.triage.triage_async(store.report_text(report), language=language)
        before = list(report.types)
        self._apply_triage(report, whole, keep_place=True)
        union = list(dict.fromkeys(before + report.types + result.type_labels))
        report.types = [label for label in union if label != "other"] or union
        await self.incidents.report_changed(store, report, message.text)
        return [self._t(language, catalog.ADDED, ref=report.reference)]

    @staticmethod
    def _another_incident(report: Report, result: TriageResult) -> bool:
        """Whether a later message tells of something else: another place, an unrelated kind of event,
        or a complaint about the police (always its own report: it goes to oversight, and must never
        ride along on an incident the police were told about)."""
        new_types = [label for label in result.type_labels if label != "other"]
        if POLICE_MISCONDUCT in new_types and POLICE_MISCONDUCT not in report.types:
            return True
        if result.place is not None and report.area is not None and result.place.area != report.area:
            return True
        return bool(new_types) and not compatible(new_types, report.types)

    async def _champion_flag(
        self, store: Store, message: InboundMessage, reporter: Reporter, champion: Champion, language: str
    ) -> list[str]:
        """Venue staff flag fast: their venue is the place, no questions, one exchange."""
        result = await self.triage.triage_async(message.text, language=language)
        report = await store.create_report(reporter, message.channel, language, message.text, role="champion")
        metrics.report_received(message.channel)
        self._apply_triage(report, result)
        self._apply_event_time(report, message.text)
        venue = self._venues[champion.venue]
        report.area, report.venue = venue.area, venue.name
        conversation = await store.start_conversation(reporter, language, self.idle_timeout)
        conversation.report_id = report.id
        return await self._complete(store, report, conversation, language)

    async def _status(self, store: Store, reporter: Reporter, code: str, language: str) -> str:
        match = REFERENCE_PATTERN.fullmatch(code)
        reference = f"R-{match.group(1).upper()}" if match else code
        report = await store.report_by_reference(reference)
        if report is None:
            return self._t(language, catalog.STATUS_UNKNOWN, ref=reference)
        if report.reporter_id != reporter.id:  # a code is not a key to someone else's report
            return self._t(language, catalog.STATUS_NOT_YOURS, ref=reference)
        answers: dict[str, str] = {
            ReportStatus.ACKNOWLEDGED: catalog.STATUS_TAKEN,
            ReportStatus.CLOSED: catalog.STATUS_CLOSED,
        }
        status = answers.get(report.status, catalog.STATUS_WAITING)
        return self._t(language, status, ref=reference)

    # --- completion and expiry -----------------------------------------------------------------------
    async def _complete(self, store: Store, report: Report, conversation: Conversation, language: str) -> list[str]:
        decision = await self.incidents.submit(store, report)
        conversation.stage = Stage.DONE
        if report.urgency == "emergency":
            reply = catalog.CONFIRM_EMERGENCY
        elif not decision.alert_groups:
            reply = catalog.CONFIRM_RECORDED
        else:
            reply = catalog.CONFIRM
        return [
            self._t(
                language,
                reply,
                ref=report.reference,
                emergency=self.deployment.emergency_number,
                quiet=locales.keyword(language, "QUIET"),
            )
        ]

    async def finish(self, store: Store, conversation: Conversation) -> None:
        """Close a conversation; a report still being collected is submitted with what it has."""
        report = await self._report(store, conversation)
        if report is not None and report.status == ReportStatus.COLLECTING:
            await self.incidents.submit(store, report)
            store.audit("report_submitted_on_expiry", report)
        conversation.closed = True

    # --- keywords -------------------------------------------------------------------------------------
    async def _keyword(
        self,
        store: Store,
        keyword: str,
        message: InboundMessage,
        reporter: Reporter,
        conversation: Conversation | None,
        language: str,
    ) -> list[str] | None:
        t = self._t
        if keyword == "HELP":
            return [
                t(
                    language,
                    catalog.HELP,
                    emergency=self.deployment.emergency_number,
                    stop=locales.keyword(language, "STOP"),
                    delete=locales.keyword(language, "DELETE"),
                )
            ]
        if keyword == "STOP":
            if conversation is not None:
                await self.finish(store, conversation)
            reporter.opted_out = True
            reporter.address_enc = None
            return [t(language, catalog.STOPPED)]
        if keyword == "DELETE":
            if conversation is not None:
                await self.finish(store, conversation)
            await store.forget_reporter(reporter)
            return [t(language, catalog.DELETED)]
        if keyword == "LANGUAGE":
            chosen = message.command_argument.strip().lower()[:2]
            if chosen in self.deployment.languages:
                reporter.language = chosen
                if conversation is not None:
                    conversation.language = chosen
                return [t(chosen, catalog.LANGUAGE_SET)]
            choices = ", ".join(
                f"{code} {locales.LANGUAGE_NAMES.get(code, code)}" for code in self.deployment.languages
            )
            return [t(language, catalog.LANGUAGE_CHOICES, choices=choices)]
        if keyword == "START":
            if conversation is None:
                await store.start_conversation(reporter, language, self.idle_timeout)
            return [
                t(language, catalog.NOTICE, emergency=self.deployment.emergency_number),
                t(language, catalog.ASK_WHAT),
            ]
        if keyword == "QUIET":
            report = await self._report(store, conversation) if conversation else None
            if report is None:
                return None  # nothing to silence: treat the word as ordinary text
            report.quiet = True
            return [t(language, catalog.QUIET_SET, ref=report.reference)]
        return None

    # --- helpers ----------------------------------------------------------------------------------------
    def _t(self, language: str, msgid: str, **params: str) -> str:
        params.setdefault("emergency", self.deployment.emergency_number)
        return locales.translate(language, msgid, **params)

    def _language(
        self, message: InboundMessage, reporter: Reporter, conversation: Conversation | None, keyword: str | None
    ) -> str:
        established = conversation.language if conversation is not None else reporter.language
        if keyword in locales.KEYWORD_NAMES and message.text:
            # A bare keyword ("AYUDA") says its language better than a detector can; one shared by
            # several languages ("STOP": en, fr) keeps the conversation's language if it is one of them.
            folded = fold(message.text).strip(" /!?.¡¿")
            speakers = [
                code
                for code in self.deployment.languages
                if folded in {fold(word) for word in locales.keyword_words(code, keyword)}
            ]
            if speakers:
                return established if established in speakers else speakers[0]
        hints = LanguageHints(
            established=established,
            telegram_code=message.language_code,
            phone_number=message.address if capabilities(message.channel).phone_numbers else None,
        )
        return self.triage.detect_language(message.text, hints)

    def _restart(self, conversation: Conversation, language: str) -> list[str]:
        """The conversation lost its report (deleted): start again from "what happened?"."""
        conversation.stage = Stage.AWAITING_WHAT
        return [self._t(language, catalog.ASK_WHAT)]

    async def _report(self, store: Store, conversation: Conversation | None) -> Report | None:
        if conversation is None or conversation.report_id is None:
            return None
        return await store.report(conversation.report_id)

    def _apply_triage(self, report: Report, result: TriageResult, keep_place: bool = False) -> None:
        report.types = result.type_labels
        report.type_scores = {k: round(v, 4) for k, v in result.type_scores.items()}
        # Urgency only ever goes up within one report: new words can add danger, not remove it.
        if URGENCY_ORDER.index(result.urgency) >= URGENCY_ORDER.index(report.urgency or "routine"):
            report.urgency = result.urgency
        report.urgency_scores = {k: round(v, 4) for k, v in result.urgency_scores.items()}
        if result.place is not None and not (keep_place and report.area):
            self._apply_place(report, result.place)

    @staticmethod
    def _apply_event_time(report: Report, text: str) -> None:
        """When it happened, as the words say ("yesterday"): what clustering compares."""
        offset = stated_offset(text)
        report.event_at = report.created_at - offset if offset is not None else report.created_at

    @classmethod
    def _reads_as_report(cls, text: str, result: TriageResult, answered_what: bool) -> bool:
        """A first message that tells what happened, whatever its type (`other` included); an answer
        to "what happened?" is taken as the report, so the question is never asked twice."""
        if cls._says_something(text, result):
            return True
        count = len(text.split())
        if answered_what and count >= MIN_WORDS_FOR_A_REPORT:
            return True
        return count >= MIN_WORDS_FOR_AN_OTHER_REPORT or (count >= MIN_WORDS_FOR_A_REPORT and result.place is not None)

    @staticmethod
    def _says_something(text: str, result: TriageResult) -> bool:
        """Whether a message is a report in itself. "hi", "hola", "ok" are not, whatever a classifier
        makes of words it never saw; two words of present danger ("help now", "ayuda ya") are."""
        if result.safety_cues:
            return True
        return len(text.split()) >= MIN_WORDS_FOR_A_REPORT and result.has_incident

    @staticmethod
    def _apply_place(report: Report, place: PlaceMatch) -> None:
        report.area = place.area
        report.venue = place.venue or report.venue

    @staticmethod
    def _urgency_confident(report: Report) -> bool:
        scores = report.urgency_scores or {}
        return report.urgency == "emergency" or (max(scores.values()) if scores else 0.0) >= CONFIDENT_URGENCY
