"""Home is a worklist (issue 9): one entry per client with all her reasons, "Seen" and
"Referral sent" record who and when and clear it until something new happens; the client
list shows each client's verdict, programme state and whether a reassessment is due."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.attention import worklist
from practice.models import AttentionAck
from programmes.models import Programme
from tests.conftest import make_client, next_log_day, visible_text, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


def assign(client, owner):
    # Ten days back, so that sessions can be logged every other day up to today (DOMAIN.md "Pacing").
    return Programme.assign(client=client, template=walk_run_30(), by=owner, start_date=timezone.localdate() - timedelta(days=10))


def log(programme, owner, **fields):
    current = Programme.objects.filter(pk=programme.pk).with_progress().get()
    fields = {"done_on": next_log_day(programme), "outcome": "completed", **fields}
    return current.log_session(by=owner, sequence=current.next_sequence, **fields)


def entries(owner):
    return worklist(owner, timezone.localdate())


def test_one_entry_per_client_with_all_her_reasons(owner):
    client = make_client(owner, "Amira Haddad")
    make_assessment(client)
    programme = assign(client, owner)
    log(programme, owner, symptoms=["urinary_leakage"])  # paused by a red flag
    make_assessment(client, days_after_birth=7 * 15, symptoms_urinary_leakage=True)  # and a refer verdict
    [entry] = entries(owner)
    assert entry.client == client
    assert [reason.kind for reason in entry.reasons] == ["paused", "red_flag"]
    assert entry.offers_referral_sent


def test_pain_in_her_latest_session_and_a_week_repeated_twice_are_reasons(owner):
    pain_client = make_client(owner, "Pain Client")
    make_assessment(pain_client)
    log(assign(pain_client, owner), owner, symptoms=["pain"])
    stuck_client = make_client(owner, "Stuck Client")
    make_assessment(stuck_client)
    stuck = assign(stuck_client, owner)
    log(stuck, owner, outcome="partial")
    log(stuck, owner, outcome="skipped")
    by_name = {entry.client.full_name: entry for entry in entries(owner)}
    # Both started ten days ago (assign()): their programmes have gone quiet since, too.
    assert [r.kind for r in by_name["Pain Client"].reasons] == ["pain", "quiet"]
    assert by_name["Pain Client"].reasons[0].title == "Pain in her latest session"
    assert [r.title for r in by_name["Stuck Client"].reasons] == ["Week 1 repeated 2 times", "No session for 8 days"]
    assert not by_name["Pain Client"].offers_referral_sent


def test_seen_clears_the_entry_until_a_new_log_brings_it_back(owner, owner_http):
    client = make_client(owner, "Amira Haddad")
    make_assessment(client)
    programme = assign(client, owner)
    log(programme, owner, symptoms=["pain"])
    [entry] = entries(owner)
    response = owner_http.post(reverse("clients:attention_ack", args=[client.pk]),
                               {"kind": "seen", "fingerprint": entry.fingerprint})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    ack = AttentionAck.objects.get()
    assert (ack.client, ack.kind, ack.by, ack.fingerprint) == (client, "seen", owner, entry.fingerprint)
    assert entries(owner) == []
    assert "Nothing needs you right now" in owner_http.get(reverse("home")).content.decode()
    log(programme, owner, symptoms=["pain"])  # something new: pain again
    [again] = entries(owner)
    assert again.fingerprint != entry.fingerprint
    assert again.last_ack.startswith("Seen by Olivia Owner on ")


def test_referral_sent_is_recorded_and_a_new_assessment_brings_her_back(owner, owner_http):
    client = make_client(owner, "Red Flag Client")
    make_assessment(client, symptoms_urinary_leakage=True)
    [entry] = entries(owner)
    page = owner_http.get(reverse("home")).content.decode()
    assert "Referral sent" in page and entry.fingerprint in page
    owner_http.post(reverse("clients:attention_ack", args=[client.pk]), {"kind": "referral_sent", "fingerprint": entry.fingerprint})
    assert AttentionAck.objects.get().kind == "referral_sent" and entries(owner) == []
    make_assessment(client, days_after_birth=7 * 15, symptoms_urinary_leakage=True)
    [back] = entries(owner)
    assert back.last_ack.startswith("Referral sent by Olivia Owner")


def test_a_bad_acknowledgement_is_a_message_not_an_error(owner, owner_http):
    client = make_client(owner)
    response = owner_http.post(reverse("clients:attention_ack", args=[client.pk]), {"kind": "shrug", "fingerprint": "zz"}, follow=True)
    assert response.status_code == 200 and "could not be recorded" in response.content.decode()
    assert not AttentionAck.objects.exists()


def test_acknowledgement_needs_a_post(owner, owner_http):
    assert owner_http.get(reverse("clients:attention_ack", args=[make_client(owner).pk])).status_code == 405


@pytest.mark.parametrize("count", [1, 12])
def test_home_stays_constant_in_queries_with_acknowledgements(owner, owner_http, count, django_assert_max_num_queries):
    for index in range(count):
        client = make_client(owner, f"Client {index}")
        make_assessment(client)
        programme = assign(client, owner)
        log(programme, owner, symptoms=["pain"])
        AttentionAck.record(client, owner, kind="seen", fingerprint="0" * 32)
    # The session, her, the clients on her worklist, their programmes and acknowledgements, recent sessions
    # and assessments, and her studio's trainers (whose clients home shows).
    with django_assert_max_num_queries(8):
        page = owner_http.get(reverse("home")).content.decode()
    assert page.count('class="attention attention--pain"') == count


# --- The client list ---------------------------------------------------------------------

def test_the_client_list_shows_verdict_programme_state_and_reassessment_due(owner, owner_http):
    paused = make_client(owner, "Paused Client")
    make_assessment(paused)
    log(assign(paused, owner), owner, symptoms=["urinary_leakage"])
    waiting = make_client(owner, "Waiting Client", weeks=30)
    make_assessment(waiting, days_after_birth=7 * 20, pelvic_floor_fast_reps=5)
    make_client(owner, "New Client")
    page = owner_http.get(reverse("clients:list")).content.decode()
    row = page[page.index("Paused Client"):page.index("Paused Client") + 900]
    assert "Ready" in row and "Programme: Paused: referral pending" in row
    row = page[page.index("Waiting Client"):page.index("Waiting Client") + 900]
    assert "Not yet" in row and "Check-up overdue" in row
    row = page[page.index("New Client"):page.index("New Client") + 600]
    assert "Not assessed yet" in row and "Programme:" not in row


@pytest.mark.parametrize("count", [1, 10])
def test_the_client_list_status_costs_no_query_per_client(owner, owner_http, count, django_assert_max_num_queries):
    for index in range(count):
        client = make_client(owner, f"Client {index}")
        make_assessment(client)
        log(assign(client, owner), owner)
    with django_assert_max_num_queries(12):
        page = owner_http.get(reverse("clients:list")).content.decode()
    assert page.count("Programme: Week 1 of 9") == count


def test_the_client_list_shows_only_her_own_clients_status(owner_http, owner, stranger):
    other = make_client(stranger, "Not Mine")
    make_assessment(other)
    make_assessment(make_client(owner, "Mine Indeed"))
    listed = owner_http.get(reverse("clients:list"))
    assert listed.status_code == 200 and "Mine Indeed" in visible_text(listed)
    assert "Not Mine" not in listed.content.decode()
    assert owner_http.post(reverse("clients:attention_ack", args=[other.pk]), {"kind": "seen", "fingerprint": "ab"}).status_code == 404


def test_archived_clients_show_their_status_too(owner, owner_http):
    client = make_client(owner, "Archived Client", archived_at=timezone.now() - timedelta(days=1))
    make_assessment(client)
    page = owner_http.get(reverse("clients:list") + "?show=archived").content.decode()
    assert "Archived Client" in page and "Ready" in page


# --- Issue 12: one capped query, and "See all" ---------------------------------------------

def many_needing_attention(owner, count):
    for index in range(count):
        client = make_client(owner, f"Client {index:02}")
        if index < 3:  # a few with a programme too: pain in her session, then held by the red flag
            make_assessment(client, days_after_birth=7 * 13)
            log(assign(client, owner), owner, symptoms=["pain"])
        make_assessment(client, symptoms_urinary_leakage=True)  # a red flag: on the list


@pytest.mark.parametrize("count", [3, 30])
def test_home_and_see_all_take_the_same_queries_for_3_or_30_clients(owner, owner_http, count, django_assert_max_num_queries):
    many_needing_attention(owner, count)
    with django_assert_max_num_queries(7):  # how many need her is counted from the same queries
        home = owner_http.get(reverse("home")).content.decode()
    assert home.count('class="attention attention--') == min(count, 20)
    assert f"Needs your attention ({count})" in home
    with django_assert_max_num_queries(5):
        everyone = owner_http.get(reverse("clients:attention")).content.decode()
    assert everyone.count('class="attention attention--') == count


def test_home_shows_the_20_most_urgent_and_see_all_pages_through_everyone(owner, owner_http, monkeypatch):
    monkeypatch.setattr("practice.views.ALL_PAGE_SIZE", 10)
    many_needing_attention(owner, 25)
    home = owner_http.get(reverse("home")).content.decode()
    home = home[:home.index("Recent activity")]
    assert home.count('class="attention attention--') == 20
    assert "Needs your attention (25)" in home and "See all (25)" in home
    # All of them have a red flag at assessment (a few pain too): the same urgency, so by name.
    assert home.index("Client 00") < home.index("Client 03") < home.index("Client 19")
    assert "Client 22" not in home
    first = owner_http.get(reverse("clients:attention")).content.decode()
    assert "Page 1 of 3" in first and 'rel="next"' in first and "Client 09" in first and "Client 10" not in first
    last = owner_http.get(reverse("clients:attention") + "?page=3").content.decode()
    assert "Client 24" in last and "Client 00" not in last and 'name="back" value="3"' in last


def test_seen_on_see_all_returns_to_that_page(owner, owner_http):
    many_needing_attention(owner, 1)
    [entry] = entries(owner)
    response = owner_http.post(reverse("clients:attention_ack", args=[entry.client.pk]),
                               {"kind": "seen", "fingerprint": entry.fingerprint, "back": "2"})
    assert response["Location"] == reverse("clients:attention") + "?page=2"
    assert entries(owner) == []


def test_see_all_is_hers_alone(owner, owner_http, anon_http, stranger):
    mine = make_client(owner, "Mine Client")
    make_assessment(mine, symptoms_urinary_leakage=True)
    theirs = make_client(stranger, "Not Mine")
    make_assessment(theirs, symptoms_urinary_leakage=True)
    page = owner_http.get(reverse("clients:attention")).content.decode()
    assert "Mine Client" in page and "Not Mine" not in page
    response = anon_http.get(reverse("clients:attention"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_see_all_says_when_nobody_needs_her(owner, owner_http):
    make_client(owner)  # not assessed yet: nothing to do until her first assessment
    page = owner_http.get(reverse("clients:attention") + "?page=99").content.decode()
    assert "Nothing needs you right now" in page


# --- Issue 20: home reads only the clients whose row names a day on the worklist ------------

from datetime import date  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from clients.models import Client  # noqa: E402
from practice.attention import ORDER, WorklistState, check_up_words, reason_kinds, worklist_from  # noqa: E402

STATES = st.builds(
    WorklistState, st.sampled_from([None, "ready", "not_yet", "refer"]),
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))),
    st.sampled_from([None, "active", "held", "paused", "finished"]), st.integers(0, 4), st.booleans(), st.booleans(),
    st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2027, 6, 30))),
    st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2027, 6, 30))), st.integers(2, 60),
).filter(lambda state: (state.programme_status is None) == (state.programme_start is None)
         and (state.last_session_on is None or (state.programme_start and state.last_session_on >= state.programme_start)))


@given(STATES, st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 400))
def test_a_client_with_a_reason_is_named_on_her_row_from_the_day_it_was_worked_out(state, written, days_later):
    """worklist_from, worked out on the day of her last operation, names every later day on which
    she has a reason and none on which she has not: on_worklist_from <= today iff her reasons,
    worked out now, are not empty (no nightly job needed)."""
    today = written + timedelta(days=days_later)
    on_list_from = worklist_from(state, written)
    on_list = on_list_from is not None and on_list_from <= today
    assert on_list == bool(reason_kinds(state, today)), (state, written, today, on_list_from)
    assert set(reason_kinds(state, today)) <= set(ORDER)


def test_a_check_up_puts_her_on_the_worklist_the_week_before_it_falls_due(owner):
    from guideline.protocol import REASSESS_AFTER

    today = timezone.localdate()
    due_today = make_client(owner, "Due Today", weeks=40)
    due_tomorrow = make_client(owner, "Due Tomorrow", weeks=40)
    for client, days_ago in ((due_today, REASSESS_AFTER.days - 6), (due_tomorrow, REASSESS_AFTER.days - 7)):
        assessed = today - timedelta(days=days_ago)
        make_assessment(client, days_after_birth=(assessed - client.baby_date_of_birth).days, pelvic_floor_fast_reps=5)
    rows = {client.full_name: client.on_worklist_from for client in Client.objects.all()}
    assert rows == {"Due Today": today, "Due Tomorrow": today + timedelta(days=1)}
    assert [entry.client.full_name for entry in entries(owner)] == ["Due Today"]
    assert [entry.client.full_name for entry in worklist(owner, today + timedelta(days=1))] == ["Due Today", "Due Tomorrow"]


def test_a_client_with_nothing_to_see_is_not_named_and_one_cleared_leaves_it(owner):
    client = make_client(owner)
    assert Client.objects.get(pk=client.pk).on_worklist_from is None
    refer = make_assessment(client, days_after_birth=7 * 15, symptoms_urinary_leakage=True)
    assert Client.objects.get(pk=client.pk).on_worklist_from == timezone.localdate()
    refer.delete()
    assert Client.objects.get(pk=client.pk).on_worklist_from is None
    assert entries(owner) == []


def test_recent_activity_is_hers_newest_first(owner, owner_http, stranger):
    mine = make_client(owner, "Mine Client")
    make_assessment(mine)  # before the programme: nobody runs unassessed (DOMAIN.md "Who may run")
    programme = assign(mine, owner)
    log(Programme.objects.get(pk=programme.pk), owner)
    make_assessment(make_client(stranger, "Not Mine"))
    page = owner_http.get(reverse("home")).content.decode()
    activity = visible_text(page[page.index("Recent activity"):])
    assert "Mine Client: session logged by you" in activity and "Not Mine" not in activity
    assert activity.index("session logged by you") < activity.index("assessment of")



def test_recent_activity_links_each_item_and_says_when_in_her_time(owner, owner_http):
    """Issue 20: read by two written-out statements; each item as the list drew it from the rows."""
    from datetime import UTC, datetime

    from assessments.models import Assessment
    from programmes.models import SessionLog

    mine = make_client(owner, "Mine Client")
    assessment = make_assessment(mine)
    programme = assign(mine, owner)
    log(Programme.objects.get(pk=programme.pk), owner, outcome="partial", symptoms=["pain"])
    SessionLog.objects.filter(programme=programme).update(created_at=datetime(2026, 7, 1, 11, 30, tzinfo=UTC))  # 12:30 in London
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=datetime(2026, 6, 30, 8, 5, tzinfo=UTC))
    page = owner_http.get(reverse("home")).content.decode()
    activity = page[page.index("Recent activity"):]
    assert f'<a href="{mine.get_absolute_url()}#programme">Mine Client</a>' in activity
    assert f'<a href="{assessment.get_absolute_url()}">Mine Client</a>' in activity
    text = visible_text(activity)
    assert "1 Jul, 12:30 Mine Client: session logged by you, partly done with symptoms" in text
    assert f"30 Jun, 09:05 Mine Client: assessment of {assessment.assessed_on:%-d %b %Y}" in text
    assert text.index("1 Jul, 12:30") < text.index("30 Jun, 09:05")

# --- Issue 22: every client who needs something today -------------------------------------

def state(**fields):
    base = {"latest_verdict": "ready", "latest_assessed_on": date(2026, 12, 1), "programme_status": None,
            "programme_repeats": 0, "latest_log_pain": False}
    return WorklistState(**{**base, **fields})


DEC = date(2026, 12, 6)


def running(last=None, start=date(2026, 9, 1), quiet=7, **fields):
    return state(**{"programme_status": "active", "programme_start": start, "last_session_on": last, "quiet_after": quiet,
                    **fields})


def test_ready_with_no_programme_is_a_reason_unless_a_red_flag_is_open():
    assert reason_kinds(state(), DEC) == ["ready"]
    assert reason_kinds(state(red_flag=True), DEC) == ["red_flag"]
    assert "ready" not in reason_kinds(running(last=DEC), DEC)
    assert reason_kinds(state(latest_verdict="not_yet"), DEC) == []


def test_a_session_is_due_a_rest_day_after_the_last_and_not_before_the_start():
    assert reason_kinds(running(last=DEC - timedelta(days=1)), DEC) == []  # due tomorrow: not today
    assert reason_kinds(running(last=DEC - timedelta(days=2)), DEC) == ["due"]  # due today
    assert reason_kinds(running(last=DEC - timedelta(days=4)), DEC) == ["due"]  # overdue
    assert reason_kinds(running(start=DEC + timedelta(days=1)), DEC) == []  # starts tomorrow
    assert reason_kinds(running(start=DEC), DEC) == ["due"]  # her first session, today
    assert worklist_from(running(last=DEC - timedelta(days=1)), DEC) == DEC + timedelta(days=1)
    for status in ("held", "paused", "finished"):
        assert "due" not in reason_kinds(running(last=DEC - timedelta(days=3), programme_status=status), DEC)
    assert reason_kinds(running(last=DEC - timedelta(days=3), red_flag=True), DEC) == ["red_flag"]


@pytest.mark.parametrize("quiet", [2, 7, 30])
def test_quiet_after_n_days_without_a_session_supersedes_due(quiet):
    assert reason_kinds(running(last=DEC - timedelta(days=quiet - 1), quiet=quiet), DEC) == (["due"] if quiet > 2 else [])
    assert reason_kinds(running(last=DEC - timedelta(days=quiet), quiet=quiet), DEC) == ["quiet"]
    # Nothing logged yet: quiet counts from her start.
    assert reason_kinds(running(start=DEC - timedelta(days=quiet), quiet=quiet), DEC) == ["quiet"]


def test_a_check_up_is_listed_from_the_week_before_it_falls_due_for_not_yet_and_ready():
    from guideline.protocol import REASSESS_AFTER

    due = DEC + timedelta(days=6)
    assessed = due - REASSESS_AFTER
    assert reason_kinds(running(last=DEC, latest_assessed_on=assessed), DEC) == ["reassess"]
    assert reason_kinds(running(last=DEC, latest_assessed_on=assessed + timedelta(days=1)), DEC) == []
    assert reason_kinds(state(latest_verdict="not_yet", latest_assessed_on=assessed), DEC) == ["reassess"]
    assert reason_kinds(state(latest_verdict="refer", latest_assessed_on=assessed - timedelta(days=60)), DEC) == []
    assert check_up_words("ready", assessed, DEC) == "Check-up due 12 Dec"
    assert check_up_words("ready", assessed - timedelta(days=6), DEC) == "Check-up due today"
    assert check_up_words("ready", assessed - timedelta(days=7), DEC) == "Check-up overdue"


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def assign_on(client, owner, start):
    return Programme.assign(client=client, template=walk_run_30(), by=owner, start_date=start)


def new_kinds_setup(owner):
    ready = make_client(owner, "Dani Ready")
    make_assessment(ready)
    due = make_client(owner, "Due Client")
    make_assessment(due)
    log(assign_on(due, owner, days_ago(3)), owner, done_on=days_ago(3))
    quiet = make_client(owner, "Quiet Client")
    make_assessment(quiet)
    log(assign_on(quiet, owner, days_ago(12)), owner, done_on=days_ago(8))
    fresh = make_client(owner, "Fresh Client")
    make_assessment(fresh)
    log(assign_on(fresh, owner, days_ago(2)), owner, done_on=days_ago(1))
    return ready, due, quiet, fresh


def test_home_lists_ready_due_and_quiet_clients_each_with_its_action(owner, owner_http):
    ready, due, quiet, fresh = new_kinds_setup(owner)
    by_name = {entry.client.full_name: entry for entry in entries(owner)}
    assert set(by_name) == {"Dani Ready", "Due Client", "Quiet Client"}
    assert [r.title for r in by_name["Due Client"].reasons] == [f"Session overdue since {days_ago(1):%-d %b}"]
    assert [r.title for r in by_name["Quiet Client"].reasons] == ["No session for 8 days"]
    page = owner_http.get(reverse("home")).content.decode()
    assert f'href="{reverse("programmes:assign", args=[ready.pk])}" aria-label="Assign a programme: Dani Ready">' in page
    assert f'href="{due.get_absolute_url()}#programme" aria-label="Log a session: Due Client">' in page
    assert f'href="{reverse("clients:link_show", args=[quiet.pk])}" aria-label="Send her link again: Quiet Client">' in page
    assert Client.objects.get(pk=fresh.pk).on_worklist_from == days_ago(-1)  # due tomorrow


def test_logging_the_due_session_takes_her_off_and_names_the_next_due_day(owner):
    _, due, _, _ = new_kinds_setup(owner)
    programme = Programme.objects.get(client=due)
    log(programme, owner, done_on=timezone.localdate())
    assert "Due Client" not in [entry.client.full_name for entry in entries(owner)]
    assert Client.objects.get(pk=due.pk).on_worklist_from == days_ago(-2)


def test_the_quiet_setting_is_hers_validated_and_moves_her_clients_at_once(owner, owner_http, stranger):
    _, _, quiet, _ = new_kinds_setup(owner)
    form = {"name": "", "email": "", "phone": "", "website": ""}
    for bad in ("1", "61", "seven", ""):
        response = owner_http.post(reverse("studio_details"), {**form, "quiet_after_days": bad})
        assert response.status_code == 200 and 'id="id_quiet_after_days"' in response.content.decode()
    owner.studio.refresh_from_db()
    assert owner.studio.quiet_after_days == 7
    response = owner_http.post(reverse("studio_details"), {**form, "quiet_after_days": "10"})
    assert response.status_code == 302
    # No longer quiet at 8 days: overdue, and named again on the day she goes quiet.
    assert [r.kind for e in entries(Client.objects.get(pk=quiet.pk).trainer) if e.client == quiet for r in e.reasons] == ["due"]
    assert Client.objects.get(pk=quiet.pk).on_worklist_from == timezone.localdate()
    stranger.studio.refresh_from_db()
    assert stranger.studio.quiet_after_days == 7


@pytest.mark.parametrize("count", [1, 12])
def test_home_with_the_new_kinds_stays_constant_in_queries(owner, owner_http, count, django_assert_max_num_queries):
    for index in range(count):
        new_kinds_setup(owner)
        Client.objects.filter(full_name__in=["Dani Ready", "Due Client", "Quiet Client", "Fresh Client"]).update(
            full_name=f"Client {index}")  # namesakes, four of each name
    with django_assert_max_num_queries(7):
        page = owner_http.get(reverse("home")).content.decode()
    assert page.count('class="attention attention--') == min(3 * count, 20)


def test_same_named_clients_are_told_apart_on_the_list_and_home(owner, owner_http, django_assert_max_num_queries):
    first = make_client(owner, "Sam Jones", weeks=14)
    second = make_client(owner, "Sam Jones", weeks=20)
    twin = make_client(owner, "Sam Jones", weeks=20, email="sam.b@example.com")
    make_client(owner, "Only One")
    for client in (first, second, twin):
        make_assessment(client)  # ready, no programme: on home
    with django_assert_max_num_queries(12):
        page = owner_http.get(reverse("clients:list")).content.decode()
    assert f"baby born {first.baby_date_of_birth:%-d %b %Y}" in page
    assert "sam.b@example.com" in page  # same name and baby's date of birth: her email
    row = page[page.index("Only One"):page.index("Only One") + 60]
    assert "baby born" not in row
    home = owner_http.get(reverse("home")).content.decode()
    assert home.count('class="namesake"') == 3 and f"baby born {first.baby_date_of_birth:%-d %b %Y}" in home


def test_the_database_and_reason_kinds_agree_on_every_client_day_after_day(owner):
    """worklist_ids() works out in SQL, from what her row keeps (worklist_fields), what
    reason_kinds() and fingerprint() say from her records (issue 20: no Python work per client on
    the list). Every mix of stored state, on every day of two months, and "Seen" recorded for some
    of them: the same clients in the same order (most urgent first, then by name) with the same
    fingerprint, the acknowledged ones left out exactly when Python would, and the same count, a
    page at a time too."""
    import random

    from django.core.paginator import Paginator

    from assessments.models import Assessment
    from clients.models import Client
    from practice.attention import ORDER, entries_for, fingerprint, worklist_clients, worklist_fields, worklist_ids, worklist_page
    from programmes.models import SessionLog

    rng = random.Random(20)
    owner.studio.quiet_after_days = 5
    owner.studio.save()
    today = timezone.localdate()
    for index in range(40):
        client = make_client(owner, f"Client {index:02}", weeks=20)
        verdict = rng.choice([None, "not_yet", "ready", "refer"])
        if verdict is None:
            continue
        assessment = make_assessment(client)
        status = rng.choice([None, "active", "active", "held", "paused", "finished"])
        if status is not None:
            programme = Programme.assign(client=client, template=walk_run_30(), by=owner,
                                         start_date=today + timedelta(days=rng.randint(-20, 5)))
            start = programme.start_date
            for sequence in range(1, rng.randint(0, 3) + 1):
                SessionLog(programme=programme, sequence=sequence, week=1, session_number=sequence, outcome="completed",
                           done_on=start + timedelta(days=rng.randint(0, 12))).save(refresh=False)
            Programme.objects.filter(pk=programme.pk).update(
                stored_status=status, stored_repeats=rng.randint(0, 3), latest_log_pain=rng.random() < 0.3,
                stored_recovery=rng.random() < 0.3, version=rng.randint(1, 9))
        Assessment.objects.filter(pk=assessment.pk).update(
            verdict=verdict, assessed_on=today - timedelta(days=rng.randint(0, 60)), version=rng.randint(1, 9))
        flagged = rng.random() < 0.2
        # What her row keeps, as the end of an operation on her works it out.
        kept = worklist_fields(None, [(client.pk, Assessment.objects.get(pk=assessment.pk))],
                               red_flags={client.pk: ["open"] if flagged else []})[client.pk]
        Client._base_manager.filter(pk=client.pk).update(
            **{**kept, "red_flag_since": today if flagged else None, "on_worklist_from": today - timedelta(days=100)})
    assessed = [(pk, None) for pk in Client.objects.filter(trainer=owner, latest_assessment__isnull=False)
                .values_list("pk", flat=True)]
    assert len(assessed) > 20
    for offset in range(-3, 60):
        day = today + timedelta(days=offset)
        everyone = entries_for(worklist_clients(owner, assessed), owner, day)
        if offset % 10 == 0:  # "Seen" for every third client with a reason that day
            for entry in [entry for entry in everyone if entry.kinds][::3]:
                AttentionAck.objects.create(client=entry.client, by=owner, kind="seen",
                                            fingerprint=fingerprint(entry.kinds, entry.client))
            everyone = entries_for(worklist_clients(owner, assessed), owner, day)
        expected = [(entry.client.pk, fingerprint(entry.kinds, entry.client)) for entry in sorted(
            (entry for entry in everyone if entry.kinds and (
                entry.ack is None or entry.ack.fingerprint != fingerprint(entry.kinds, entry.client))),
            key=lambda entry: (ORDER.index(entry.kind), entry.client.full_name, entry.client.pk))]
        assert worklist_ids(owner, day) == (expected, len(expected)), offset
        page = worklist_page(owner, day, 2, 7)
        assert [(entry.client.pk, entry.fingerprint) for entry in page.object_list] == expected[7:14]
        assert (page.paginator.count, page.number) == (len(expected), 2 if len(expected) > 7 else 1)
    # Which page a number names is Paginator.get_page()'s answer: past the end or below 1 the last, anything else the first.
    for number in ("0", "-1", "99", "x", None, "3"):
        page, named = worklist_page(owner, day, number, 7), Paginator(expected, 7).get_page(number)
        assert page.number == named.number and [(e.client.pk, e.fingerprint) for e in page.object_list] == list(named), number


def test_each_reason_kind_has_the_sign_the_list_drew_for_it():
    """Issue 20: the sign beside a reason's title is the Reason's (Reason.icon), not a chain of {% if %}s
    run for every reason on the page; each kind keeps the sign the template chose for it."""
    from django.template import engines

    from practice.attention import ORDER, Reason

    chain = engines["django"].from_string(
        '{% if reason.kind == "paused" or reason.kind == "held" %}‖{% elif reason.kind == "red_flag" or reason.kind == "pain" %}'
        '⚠{% elif reason.kind == "reassess" or reason.kind == "repeats" or reason.kind == "recovery" %}↻'
        '{% elif reason.kind == "quiet" %}…{% elif reason.kind == "due" %}▸{% else %}✓{% endif %}')
    for kind in ORDER:
        reason = Reason(kind, "", "")
        assert reason.icon == chain.render({"reason": reason}), kind


# --- Issue 26: "my clients" first, with a switch to everyone's -----------------------------

def studio_of_two(owner, count=1):
    """Olivia leads `count` clients with a red flag, Cara as many: all on the studio's worklist."""
    from tests.conftest import make_trainer

    cara = make_trainer("cara@example.com", "Cara Colleague", studio=owner.studio)
    for index in range(count):
        for lead, name in ((owner, "Olivia's"), (cara, "Cara's")):
            make_assessment(make_client(lead, f"{name} Client {index:02}"), symptoms_urinary_leakage=True)
    return cara


def test_home_shows_the_clients_she_leads_first_and_everyones_on_the_switch(owner, owner_http):
    studio_of_two(owner)
    home = owner_http.get(reverse("home")).content.decode()
    text = visible_text(home)
    assert "Olivia's Client 00" in text and "Cara's Client 00" not in text
    assert "Needs your attention (1)" in text and "My clients Everyone’s" in text
    assert 'aria-current="page">My clients' in home and 'href="?clients=all"' in home
    assert "your client" not in text and "Cara’s client" not in text  # hers alone: no names
    everyone = owner_http.get(reverse("home") + "?clients=all")
    text = visible_text(everyone)
    assert "Needs your attention (2)" in text
    assert "Olivia's Client 00 · your client" in text and "Cara's Client 00 · Cara’s client" in text
    assert 'aria-current="page">Everyone’s' in everyone.content.decode()


def test_recent_activity_follows_the_switch(owner, owner_http):
    studio_of_two(owner)
    mine = visible_text(owner_http.get(reverse("home")))
    activity = mine[mine.index("Recent activity"):]
    assert "Olivia's Client 00" in activity and "Cara's Client 00" not in activity
    everyone = visible_text(owner_http.get(reverse("home") + "?clients=all"))
    activity = everyone[everyone.index("Recent activity"):]
    assert "Olivia's Client 00" in activity and "Cara's Client 00" in activity


def test_see_all_honours_the_switch(owner, owner_http):
    studio_of_two(owner, count=11)  # 22 on the studio's worklist: home shows 20 and "See all"
    home = owner_http.get(reverse("home") + "?clients=all").content.decode()
    assert f'href="{reverse("clients:attention")}?clients=all">See all (22)' in home
    mine = visible_text(owner_http.get(reverse("clients:attention")))
    assert "Needs your attention (11)" in mine and "Cara's Client" not in mine
    everyone = visible_text(owner_http.get(reverse("clients:attention") + "?clients=all"))
    assert "Needs your attention (22)" in everyone and "Cara's Client 10 · Cara’s client" in everyone


def test_the_client_list_switches_too_and_names_each_lead_trainer(owner, owner_http):
    studio_of_two(owner)
    mine = visible_text(owner_http.get(reverse("clients:list")))
    assert "Olivia's Client 00" in mine and "Cara's Client 00" not in mine and "lead trainer Olivia Owner" in mine
    everyone = owner_http.get(reverse("clients:list") + "?clients=all").content.decode()
    assert "lead trainer Cara Colleague" in visible_text(everyone) and "Olivia's Client 00" in visible_text(everyone)
    assert '<input type="hidden" name="clients" value="all">' in everyone  # searching keeps the switch
    assert "?show=archived&amp;clients=all" in everyone


def test_a_trainer_on_her_own_sees_home_and_the_list_as_before(owner, owner_http, stranger):
    make_assessment(make_client(owner, "Olivia's Client"), symptoms_urinary_leakage=True)
    make_assessment(make_client(stranger, "Not Hers"), symptoms_urinary_leakage=True)
    unmask = re.compile(r'csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"|"X-CSRFToken": "[^"]+"')  # new each time
    for url in (reverse("home"), reverse("clients:attention"), reverse("clients:list")):
        page = unmask.sub("", owner_http.get(url).content.decode())
        assert "Whose clients" not in page and "lead trainer" not in page and "’s client" not in page
        assert unmask.sub("", owner_http.get(url + "?clients=all").content.decode()) == page
    assert "Olivia's Client" in visible_text(owner_http.get(reverse("home")))


def test_the_digest_counts_the_clients_she_leads(owner):
    from practice.attention import worklist_ids

    cara = studio_of_two(owner, count=2)
    today = timezone.localdate()
    assert worklist_ids(owner, today, limit=1)[1] == 4
    assert worklist_ids(owner, today, limit=1, mine=True)[1] == 2
    Client.objects.filter(trainer=cara).update(trainer=owner)
    assert worklist_ids(cara, today, limit=1, mine=True) == ([], 0)


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("switch", ["", "?clients=all"])
def test_a_studio_of_two_takes_the_same_queries_for_1_or_many(owner, owner_http, count, switch, django_assert_max_num_queries):
    studio_of_two(owner, count)
    with django_assert_max_num_queries(7):  # the session, her, her studio's trainers, the worklist, its clients,
        home = owner_http.get(reverse("home") + switch).content.decode()  # recent sessions and assessments
    assert home.count('class="attention attention--') == min(count * (2 if switch else 1), 20)
    with django_assert_max_num_queries(5):
        owner_http.get(reverse("clients:attention") + switch)
    with django_assert_max_num_queries(5):
        page = owner_http.get(reverse("clients:list") + switch).content.decode()
    assert page.count('class="client-row"') == count * (2 if switch else 1)


def test_seen_on_everyones_goes_back_to_everyones(owner, owner_http):
    studio_of_two(owner)
    cara_client = Client.objects.get(full_name="Cara's Client 00")
    home = owner_http.get(reverse("home") + "?clients=all").content.decode()
    assert home.count('<input type="hidden" name="clients" value="all">') == 4  # "Referral sent" and "Seen", each
    entry = entries(owner)  # the studio's, as worklist() reads it
    fingerprint = next(e.fingerprint for e in entry if e.client.pk == cara_client.pk)
    response = owner_http.post(reverse("clients:attention_ack", args=[cara_client.pk]),
                               {"kind": "seen", "fingerprint": fingerprint, "clients": "all"})
    assert response["Location"] == reverse("home") + "?clients=all"
    response = owner_http.post(reverse("clients:attention_ack", args=[cara_client.pk]),
                               {"kind": "seen", "fingerprint": fingerprint, "clients": "all", "back": 2})
    assert response["Location"] == reverse("clients:attention") + "?clients=all&page=2"
    assert owner_http.get(reverse("home")).content.decode().count('name="clients"') == 0
