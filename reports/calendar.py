"""Her calendar: an iCalendar feed of her upcoming sessions and her next reassessment.

Drawn afresh on every poll from the same state her page shows (her programme's snapshot,
programmes/snapshot.py), so it follows pauses, holds and corrections: a session that is no
longer due simply drops out of the feed.
Events are all-day (sessions have dates, not times) with stable UIDs, so a calendar app
updates them in place rather than adding copies."""

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from guideline import protocol
from guideline.protocol import REASSESS_AFTER, SESSION_ADVICE_FOR_HER
from programmes import progression
from programmes.models import red_flags_of


def her_calendar(client, snapshot, latest, today):
    """`snapshot`: her current programme's on `today` (None: she has none)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Restride//Her walk-run sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Running sessions")
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(UTC)
    if snapshot is not None and snapshot.can_log:
        state = snapshot.state
        sessions = {(s.week, s.number): s for s in snapshot.sessions}
        for index, day in enumerate(snapshot.schedule):
            number = state.session + index
            session = sessions.get((state.week, number))
            description = session.in_words() + "." if session else ""
            calendar.add_component(_event(
                f"restride-session-{snapshot.programme_id}-{state.week}-{number}", stamp, day,
                f"Walk–run: week {state.week}, session {number}",
                f"{description} {SESSION_ADVICE_FOR_HER}".strip(), alarm=True,
            ))
    red_flags = snapshot.red_flags if snapshot is not None else red_flags_of(client)
    if red_flags or (snapshot is not None and snapshot.referral_pending):
        # While a referral is pending the next step is to be seen, today, not a check-in in weeks.
        codes = progression.red_flag_codes(red_flags) or sorted({code for log in snapshot.logs for code in log.symptoms})
        calendar.add_component(_event(
            f"restride-referral-{client.pk}", stamp, today, "See a health professional before running",
            f"Please do not run until you have been seen. {protocol.route_text(codes, 'client')} "
            "Then your trainer will check you again.",
        ))
    elif latest is not None:
        due = max(latest.assessed_on + REASSESS_AFTER, today)
        calendar.add_component(_event(
            f"restride-reassessment-{client.pk}-{latest.pk}", stamp, due, "Check-in with your trainer",
            "Time for your next check-up with your trainer, to see how your return to running is going.",
        ))
    return calendar.to_ical()


# A session's alarm: 08:00 on its day (an all-day event starts at midnight, her time).
ALARM_AFTER_START = timedelta(hours=8)


def _event(uid, stamp, day, summary, description, alarm=False):
    event = Event()
    event.add("uid", f"{uid}@restride")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy block in her day
    if alarm:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", summary)
        reminder.add("trigger", ALARM_AFTER_START, parameters={"RELATED": "START"})
        event.add_component(reminder)
    return event
