"""The operations on a programme (Programme's methods, mixed in from here): assigning it, logging,
correcting and deleting her sessions, resuming, recording an override, ending and reopening.
Each one locks the programme row, records itself in the history, and writes the programme's
state and her row once each, at its end; what its state does not allow raises ProgrammeRefused,
with the reason for the trainer."""

import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from clients import versions
from clients.models import Client

from .. import progression
from .history import ProgrammeEvent
from .logs import Resume, SessionLog
from .running import running_decision_for

logger = logging.getLogger(__name__)


class ProgrammeRefused(Exception):
    """An operation the programme's state does not allow; the message is for the trainer."""


class AlreadyLogged(ProgrammeRefused):
    """A second log for a position that was logged already (a double tap, a retried request)."""

    def __init__(self, log=None, message=""):
        self.log = log
        if not message:
            message = (f"Already logged: {log.describe()}. Nothing was recorded twice." if log else
                       "Already logged: this session was recorded and has since been deleted. Nothing was recorded twice.")
        super().__init__(message)


class RedFlagNotConfirmed(ProgrammeRefused):
    """Removing a red-flag symptom from the record needs the trainer's explicit confirmation."""


RESUME_NOTE_NEEDED = "Say that she has been seen or that the symptoms have settled: a note is needed to resume."


class ProgrammeOperations:
    """Programme's operations (class Programme(ProgrammeOperations, models.Model)), apart from
    what it is and how its state is worked out (programme.py). Programme itself is `type(self)`
    here: programme.py imports this module."""

    def _lock(self):
        """Lock this programme's row until the transaction ends: operations on one programme
        run one at a time, so two of them never act on the same position."""
        return type(self).objects.select_for_update().get(pk=self.pk)

    def _reloaded(self):
        return type(self).objects.filter(pk=self.pk).with_progress(blocks=False).get()

    def _changed(self, loaded=None, red_flags=True, **fields):
        """The end of every operation: its version moves on (home's "Seen" holds while it does
        not), with its state and any other `fields` in one write, and she floats to the top.
        `loaded`: the programme as the operation loaded it under its lock, with what it wrote
        since read into it; `red_flags` False: it recorded no red flag and took none away
        (Programme.refresh_state). Returns the programme as it now stands."""
        programme = self.refresh_state(loaded=loaded, red_flags=red_flags, version=F("version") + 1, **fields)
        self.client.touch()
        return programme

    def _record(self, kind, by, *, log=None, reason="", before=None, after=None, by_client=False):
        return ProgrammeEvent.objects.create(
            programme=self, kind=kind, by=by, by_client=by_client, sequence=log.sequence if log else None,
            reason=reason, before=before, after=after,
        )

    @classmethod
    @versions.operation()
    def assign(cls, *, client, template, start_date, by, override_reason="", override_items=()):
        """Her own copy of `template`, from `start_date`. The rule for who may run decides on her
        record as it stands (the form asks it first, for the words): an open red flag, or anything
        else no reason can override, refuses; a "not yet" needs the reason for the items it lists."""
        client = Client.objects.select_for_update().get(pk=client.pk)  # one assignment at a time for her
        decision = running_decision_for(client, client.assessments.first(), start_date, frozenset(override_items))
        if not decision.allowed:
            if not (decision.overridable and override_reason.strip()):
                raise ProgrammeRefused(decision.reason)
            override_items = decision.override_items
        programme = cls.objects.create(
            client=client, plan=template.copy(trainer=by, is_template=False), start_date=start_date,
            override_reason=override_reason, override_items=list(override_items), assigned_by=by,
        )
        programme._record("assigned", by, after={"plan": template.name, "start_date": start_date.isoformat()})
        programme._changed()
        return programme

    def log_session(self, *, by, sequence, done_on, outcome, effort=None, symptoms=(), notes="", position=None,
                    by_client=False, sleep=None, run_down=None, breastfeeding=None, locked=False):
        """Record the session at her current position, exactly once: `sequence` is the number
        the log form was given (next_sequence), `position` the (week, session) it showed.
        `by_client`: she logged it herself through her private link (`by` is then None).
        `locked`: this programme was read with its row locked (ProgrammeQuerySet.locked(), with_progress) in
        the transaction still under way, as the log views read it: it is not read again.
        Returns (log, outcome); raises AlreadyLogged or ProgrammeRefused."""
        with versions.operation():
            # Locked and read as it stands, for its state, in one go (its row alone is locked).
            current = self if locked else (
                type(self).objects.locked().filter(pk=self.pk).with_progress(blocks=False).get())
            if sequence <= current.log_sequence:
                raise AlreadyLogged(self.logs.filter(sequence=sequence).first())
            if sequence != current.log_sequence + 1:
                raise ProgrammeRefused("This form is out of date: reload her page and log the session again.")
            if current.ended_at is not None or not current.can_log:
                raise ProgrammeRefused(current.logging_refusal)
            if refusal := current.same_day_refusal(done_on):
                raise ProgrammeRefused(refusal)
            state = current.state
            if position is not None and tuple(position) != (state.week, state.session):
                raise ProgrammeRefused(f"Her programme is now at week {state.week}, session {state.session}, not the "
                                       "session this form showed: check her programme and log again.")
            log = SessionLog(
                programme=current, sequence=sequence, week=state.week, session_number=state.session, done_on=done_on,
                outcome=outcome, effort=effort, symptoms=sorted(symptoms), notes=notes, logged_by=by,
                logged_by_client=by_client, sleep=sleep, run_down=run_down, breastfeeding=breastfeeding,
            )
            result = progression.outcome_of(state, log.as_event())
            try:
                with transaction.atomic():
                    log.save(refresh=False)
            except IntegrityError:
                # The unique (programme, sequence) constraint: where row locks are not
                # available (SQLite), the database still refuses the second copy.
                raise AlreadyLogged(message="Already logged: this session was just recorded. Nothing was recorded twice.") from None
            current._record("logged", by, log=log, after=log.snapshot(), by_client=by_client)
            # Its state replayed with this log: under the lock only this operation changed the
            # programme's rows, so its logs are those loaded above and this one, the latest recorded.
            logs = current._prefetched_objects_cache["logs"]
            logs._result_cache = [*logs, log]
            for name in ("state", "next_session"):
                current.__dict__.pop(name, None)
            # As it stands now, for its card; her open red flags move only with a red-flag symptom.
            log.programme = current._changed(loaded=current, red_flags=log.has_red_flag, log_sequence=sequence)
        if log.has_red_flag:  # opened on her row as the operation ended: the card's banner shows it
            log.programme.client.refresh_from_db(fields=["open_red_flags", "red_flag_since"])
            # ... and the rule for who may run reads it: a decision worked out before the log (the
            # log view asks can_log first) would offer to resume a programme this log just paused.
            log.programme.__dict__.pop("running_decision", None)
        return log, result

    def email_trainer_about_pause(self, client_url):
        """She logged a session through her link that paused her programme: tell her trainer.
        Nothing clinical and no name in the email (mail is not a safe place for health data):
        the link to her page, where the trainer sees what was logged after signing in."""
        trainer = self.client.trainer
        if not trainer.email:
            return
        body = render_to_string("programmes/paused_email.txt", {"trainer": trainer, "client_url": client_url})
        try:
            send_mail("A client's running programme is paused", body, None, [trainer.email])
        except OSError:  # the log is recorded and home lists her first; a mail outage must not lose that
            logger.exception("Could not email the trainer about a paused programme")

    def _red_flags_removed(self, before, after, confirmed):
        removed = {*before} - {*after}
        removed = removed & set(progression.RED_FLAG_SYMPTOMS)
        if removed and not confirmed:
            raise RedFlagNotConfirmed(
                f"This removes a red-flag symptom ({progression.symptom_names(removed)}) from her record: "
                "tick to confirm she did not have it."
            )

    def _renumber(self):
        """Re-derive each log's week and session from the logs as they now stand, so the
        record reads as replay sees it (replay, not the stored numbers, decides her position)."""
        current = self._reloaded()
        steps = progression.replay_steps(current.plan.sessions_per_week(), current.events())
        for row, (before, _) in zip(current.timeline(), steps, strict=True):
            if isinstance(row, SessionLog) and (row.week, row.session_number) != (before.week, before.session):
                SessionLog.objects.filter(pk=row.pk).update(week=before.week, session_number=before.session)

    def _locked_log(self, log):
        try:
            return SessionLog.objects.select_for_update().get(pk=log.pk, programme=self)
        except SessionLog.DoesNotExist:
            raise ProgrammeRefused("That session has been deleted: there is nothing to change.") from None

    CORRECTABLE = ("done_on", "outcome", "effort", "symptoms", "notes", "sleep", "run_down", "breastfeeding")

    def correct_log(self, log, *, by, reason, confirm_red_flag_removed=False, **changes):
        """Change what a logged session records, for a reason; her position, pause and
        alerts follow from the corrected logs. Returns the log."""
        if unknown := set(changes) - set(self.CORRECTABLE):
            raise TypeError(f"Not correctable: {sorted(unknown)}")
        if not reason.strip():
            raise ProgrammeRefused("Give the reason for the correction.")
        with versions.operation():
            self._lock()
            log = self._locked_log(log)
            before = log.snapshot()
            for field, value in changes.items():
                setattr(log, field, sorted(value) if field == "symptoms" else value)
            after = log.snapshot()
            if after == before:
                raise ProgrammeRefused("Nothing was changed: change what was recorded, or cancel.")
            self._red_flags_removed(before["symptoms"], after["symptoms"], confirm_red_flag_removed)
            if after["done_on"] != before["done_on"] and (refusal := self._reloaded().same_day_refusal(log.done_on, log)):
                raise ProgrammeRefused(refusal)
            log.save(refresh=False)
            self._renumber()
            self._record("corrected", by, log=log, reason=reason.strip(), before=before, after=after)
            self._changed()
        return log

    def delete_log(self, log, *, by, reason, confirm_red_flag_removed=False):
        """Delete a logged session, for a reason; what it recorded stays in the history."""
        if not reason.strip():
            raise ProgrammeRefused("Give the reason for deleting it.")
        with versions.operation():
            self._lock()
            log = self._locked_log(log)
            before = log.snapshot()
            self._red_flags_removed(before["symptoms"], [], confirm_red_flag_removed)
            log.delete()
            self._renumber()
            ProgrammeEvent.objects.create(programme=self, kind="deleted", by=by, sequence=before["sequence"],
                                          reason=reason.strip(), before=before)
            self._changed()

    def resume(self, by, note=""):
        """Resume a paused programme one week back. After a red flag, only once a newer assessment
        with the full symptom screen found none (the rule for who may run says so); after symptoms
        in two sessions in a row, with a note that she has been seen or the symptoms have settled."""
        note = note.strip()
        with versions.operation():
            self._lock()
            current = self._reloaded()
            if current.state.status != "paused":
                raise ProgrammeRefused("Only a paused programme can be resumed.")
            if not current.can_resume:
                raise ProgrammeRefused(f"It cannot be resumed yet. {current.running_decision.reason}")
            if not current.paused_for_red_flag and not note:
                raise ProgrammeRefused(RESUME_NOTE_NEEDED)
            Resume.objects.create(programme=self, note=note, resumed_by=by)
            self._record("resumed", by, reason=note)
            self._changed()

    def record_override(self, by, reason):
        """Carry on running although a newer assessment is "not yet", for a recorded reason
        that covers exactly the items that assessment left unmet or untested."""
        with versions.operation():
            self._lock()
            current = self._reloaded()
            decision = current.running_decision
            if current.status != "held" or not decision.overridable:
                raise ProgrammeRefused("There is nothing to override: " + (decision.reason if not decision.allowed else "she may run."))
            if not reason.strip():
                raise ProgrammeRefused("Give your reason to carry on running, or reassess her.")
            dated = f"{timezone.localdate():%-d %b %Y}: {reason}"
            items = sorted({*current.override_items, *decision.override_items})
            type(self).objects.filter(pk=self.pk).update(
                override_reason=f"{current.override_reason}\n{dated}".strip()[:1000], override_items=items,
            )
            self._record("override", by, reason=reason, before={"items": current.override_items}, after={"items": items})
            self._changed()

    def end(self, by):
        with versions.operation():
            locked = self._lock()
            if locked.ended_at is not None:
                raise ProgrammeRefused("This programme has already ended.")
            self.ended_at = timezone.now()
            type(self).objects.filter(pk=self.pk).update(ended_at=self.ended_at)
            self._record("ended", by)
            self._changed()

    def reopen(self, by):
        """Make an ended programme current again, if she has no other current programme."""
        with versions.operation():
            locked = self._lock()
            if locked.ended_at is None:
                raise ProgrammeRefused("This programme is current already.")
            refusal = ProgrammeRefused("She has another current programme: end it before reopening this one.")
            if type(self).objects.filter(client_id=self.client_id).current().exists():
                raise refusal
            try:
                with transaction.atomic():
                    type(self).objects.filter(pk=self.pk).update(ended_at=None)
            except IntegrityError:  # one_current_programme: another one was assigned meanwhile
                raise refusal from None
            self.ended_at = None
            self._record("reopened", by)
            self._changed()
