"""Her calendar: an iCalendar feed of her upcoming sessions and her next reassessment.

Drawn afresh on every poll from the same state her page shows, so it follows pauses,
holds and corrections: a session that is no longer due simply drops out of the feed.
Events are all-day (sessions have dates, not times) with stable UIDs, so a calendar app
updates them in place rather than adding copies."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from assessments.protocol import REASSESS_AFTER


def her_calendar(client, programme, latest, today):
    calendar = Calendar()
    calendar.add("prodid", "-//Restride//Her walk-run sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Running sessions")
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(UTC)
    if programme is not None and programme.can_log:
        state = programme.state
        sessions = {(s.week, s.number): s for s in programme.plan.sessions.all()}
        for index, day in enumerate(programme.schedule(today)):
            number = state.session + index
            session = sessions.get((state.week, number))
            description = session.in_words() + "." if session else ""
            calendar.add_component(_event(
                f"restride-session-{programme.pk}-{state.week}-{number}", stamp, day,
                f"Walk–run: week {state.week}, session {number}",
                f"{description} If any symptom comes on (leaking, heaviness, dragging or pain), stop running "
                "and walk the rest, and tell your trainer.".strip(),
            ))
    if latest is not None:
        due = max(latest.assessed_on + REASSESS_AFTER, today)
        calendar.add_component(_event(
            f"restride-reassessment-{client.pk}-{latest.pk}", stamp, due, "Check-in with your trainer",
            "Time for your next check-up with your trainer, to see how your return to running is going.",
        ))
    return calendar.to_ical()


def _event(uid, stamp, day, summary, description):
    event = Event()
    event.add("uid", f"{uid}@restride")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy block in her day
    return event
