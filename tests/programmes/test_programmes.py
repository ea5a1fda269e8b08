from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import ShareLink
from programmes.models import PlanBlock, PlanSession, Programme, Resume, SessionLog
from tests.conftest import fresh, make_client, next_log_day, same_row, visible_text, walk_run_30
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def programme(ready_client, owner):
    return Programme.objects.create(
        client=ready_client, plan=walk_run_30().copy(trainer=owner, is_template=False),
        start_date=timezone.localdate() - timedelta(days=14), assigned_by=owner,
    )


def log(http, programme, **fields):
    data = {"done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "5", "notes": ""}
    # The log form carries the programme's next sequence number (logging is exactly-once).
    data["sequence"] = str(Programme.objects.get(pk=programme.pk).next_sequence)
    data.update(fields)
    return http.post(reverse("programmes:log", args=[programme.pk]), data, headers={"HX-Request": "true"})


PROGRAMME_VIEWS = [("programmes:log", "get"), ("programmes:log", "post"), ("programmes:resume", "post"), ("programmes:end", "post")]


@pytest.mark.parametrize("name,method", PROGRAMME_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(anon_http, programme, name, method):
    response = getattr(anon_http, method)(reverse(name, args=[programme.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,method", PROGRAMME_VIEWS)
def test_another_trainer_gets_404_for_a_programme(stranger_http, programme, name, method):
    data = {"outcome": "completed", "done_on": timezone.localdate().isoformat()}
    response = getattr(stranger_http, method)(reverse(name, args=[programme.pk]), data)
    assert response.status_code == 404
    assert not SessionLog.objects.exists() and fresh(programme).ended_at is None


@pytest.mark.parametrize("name,method", PROGRAMME_VIEWS)
def test_the_owner_reaches_her_programme(owner_http, programme, name, method):
    assert getattr(owner_http, method)(reverse(name, args=[programme.pk])).status_code in (200, 302)


def test_assign_checks_ownership(anon_http, stranger_http, owner_http, ready_client):
    url = reverse("programmes:assign", args=[ready_client.pk])
    assert anon_http.get(url).status_code == 302
    assert stranger_http.get(url).status_code == 404
    assert stranger_http.post(url, {"plan": walk_run_30().pk, "start_date": timezone.localdate().isoformat()}).status_code == 404
    assert owner_http.get(url).status_code == 200
    assert not Programme.objects.exists()


def test_assigning_gives_her_an_independent_copy(owner_http, ready_client):
    template = walk_run_30()
    response = owner_http.post(reverse("programmes:assign", args=[ready_client.pk]),
                               {"plan": template.pk, "start_date": timezone.localdate().isoformat()})
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert programme.plan != template and not programme.plan.is_template
    assert programme.plan.sessions.count() == template.sessions.count() == 27
    programme.plan.sessions.filter(week=1).delete()
    assert template.sessions.filter(week=1).count() == 3, "editing her copy never touches the template"


def test_running_before_ready_needs_a_recorded_reason(owner_http, owner):
    client = make_client(owner)
    make_assessment(client, load_impact_hop_in_place_left=6)
    url = reverse("programmes:assign", args=[client.pk])
    data = {"plan": walk_run_30().pk, "start_date": timezone.localdate().isoformat()}
    page = owner_http.post(url, data).content.decode()
    assert "give your reason" in page and not Programme.objects.exists()
    owner_http.post(url, {**data, "override_reason": "Cleared by her physio on 20 Nov."})
    assert Programme.objects.get().override_reason == "Cleared by her physio on 20 Nov."
    assert "Cleared by her physio on 20 Nov." in owner_http.get(client.get_absolute_url()).content.decode()


def test_assign_refuses_a_start_before_the_birth(owner_http, ready_client):
    day = ready_client.baby_date_of_birth - timedelta(days=1)
    page = owner_http.post(reverse("programmes:assign", args=[ready_client.pk]),
                           {"plan": walk_run_30().pk, "start_date": day.isoformat()}).content.decode()
    assert "before the birth" in page and not Programme.objects.exists()


def test_another_trainers_template_cannot_be_assigned(owner_http, ready_client, stranger):
    theirs = walk_run_30().copy(trainer=stranger, name="Theirs")
    page = owner_http.post(reverse("programmes:assign", args=[ready_client.pk]),
                           {"plan": theirs.pk, "start_date": timezone.localdate().isoformat()}).content.decode()
    assert "Select a valid choice" in page and not Programme.objects.exists()


def test_a_clean_week_advances(owner_http, programme):
    for _ in range(3):
        log(owner_http, programme)
    state = fresh(programme).state
    assert (state.week, state.session, state.clean_streak) == (2, 1, 3)


def test_a_symptom_shows_stop_and_walk_and_repeats_the_week(owner_http, programme):
    log(owner_http, programme)
    page = log(owner_http, programme, outcome="partial", symptoms=["pain"]).content.decode()
    assert "stop running and walk the rest" in page.lower()
    assert 'role="alert"' in page
    state = fresh(programme).state
    assert (state.week, state.session, state.repeats) == (1, 1, 1)


def test_a_red_flag_pauses_with_a_referral_alert(owner_http, programme, owner):
    page = log(owner_http, programme, symptoms=["heaviness_dragging"]).content.decode()
    assert "Paused" in page and "Referral alert" in page
    assert fresh(programme).state.status == "paused"
    home = owner_http.get(reverse("home")).content.decode()
    assert "Programme paused" in home and programme.client.full_name in home


def test_symptoms_in_two_sessions_in_a_row_pause(owner_http, programme):
    log(owner_http, programme, symptoms=["pain"])
    log(owner_http, programme, symptoms=["pain"])
    assert fresh(programme).state.status == "paused"


def test_effort_of_nine_repeats_the_week(owner_http, programme):
    log(owner_http, programme)
    log(owner_http, programme, effort="9")
    state = fresh(programme).state
    assert (state.week, state.session) == (1, 1)


def test_resuming_steps_back_a_week(owner_http, programme):
    for _ in range(3):
        log(owner_http, programme)
    log(owner_http, programme, symptoms=["urgency"])
    # A red flag stays open until a newer assessment with the full symptom screen finds none.
    response = owner_http.post(reverse("programmes:resume", args=[programme.pk]), {"note": "Seen by physio"}, follow=True)
    assert "It cannot be resumed yet" in response.content.decode() and fresh(programme).state.status == "paused"
    make_assessment(programme.client)
    owner_http.post(reverse("programmes:resume", args=[programme.pk]), {"note": "Seen by physio"})
    state = fresh(programme).state
    assert (state.status, state.week, state.session) == ("active", 1, 1)
    assert Resume.objects.get().note == "Seen by physio"


def test_nothing_can_be_logged_while_paused(owner_http, programme):
    log(owner_http, programme, symptoms=["urgency"])
    refused = log(owner_http, programme)
    assert refused.status_code == 200
    assert "This programme is paused: nothing can be logged until it is resumed." in visible_text(refused)
    assert SessionLog.objects.count() == 1


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"done_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "in the future"),
        ({"done_on": (timezone.localdate() - timedelta(days=30)).isoformat()}, "The programme started on"),
        ({"effort": "11"}, "effort from 0 to 10"),
        ({"effort": "-1"}, "effort from 0 to 10"),
        ({"outcome": "flew"}, "Select a valid choice"),
        ({"symptoms": ["made_up"]}, "Select a valid choice"),
    ],
)
def test_bad_session_input_is_refused_at_the_field_and_kept(owner_http, programme, fields, message):
    page = log(owner_http, programme, notes="felt strong", **fields).content.decode()
    assert message in page
    assert "felt strong" in page
    assert not SessionLog.objects.exists()


def test_logging_without_javascript_redirects_with_the_outcome(owner_http, programme):
    response = owner_http.post(reverse("programmes:log", args=[programme.pk]),
                               {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "4",
                                "sequence": "1", "week": "1", "session": "1"})
    assert response["Location"] == f"{programme.client.get_absolute_url()}?logged=1#programme"
    page = owner_http.get(response["Location"]).content.decode()
    assert 'id="programme-outcome"' in page and "Well done. Next: week 1, session 2." in page


def test_her_pages_read_her_resumes_only_when_there_are_some(owner_http, anon_http, programme, owner):
    """The client page and her page read a programme's resumes only if its row says it has any
    (with_progress(resumes=False), read_resumes): a programme resumed is drawn as resumed."""
    _, token = ShareLink.issue(programme.client, owner)
    pages = [(programme.client.get_absolute_url(), owner_http), (reverse("reports:progress", args=[token]), anon_http)]

    def drawn(path, http):
        with CaptureQueriesContext(connection) as queries:
            page = visible_text(http.get(path).content.decode())
        return page, [query["sql"] for query in queries if query["sql"].startswith('SELECT "programmes_resume"')]

    assert [drawn(path, http)[1] for path, http in pages] == [[], []]
    log(owner_http, programme, symptoms=["pain"])
    log(owner_http, programme, symptoms=["pain"])
    paused = [drawn(path, http)[0] for path, http in pages]
    assert "Paused: referral pending" in paused[0] and "week 1 of 9" not in paused[1]
    owner_http.post(reverse("programmes:resume", args=[programme.pk]), {"note": "Seen by her GP, settled"})
    (card, card_reads), (hers, her_reads) = [drawn(path, http) for path, http in pages]
    assert len(card_reads) == 1 and "Week 1 of 9" in card and "Paused: referral pending" not in card
    assert len(her_reads) == 1 and "week 1 of 9" in hers


def test_the_card_read_written_out_is_what_the_orm_reads(owner_http, programme, owner, django_assert_num_queries):
    """The client page reads her current programme in written-out statements (programme.py
    current_programme_for_card): its row, its plan, who assigned it, its plan's sessions in order and
    its logs, with the values and types the ORM reads (JSON, dates and times), her row as the page
    read it, and its resumes only when it has some; none when she has no current programme."""
    from programmes.models import current_programme_for_card

    Programme.objects.filter(pk=programme.pk).update(override_items=["pelvic_floor.fast_reps"], override_reason="Why")
    client = programme.client
    with django_assert_num_queries(3):  # its row, its plan's sessions, its logs: no resumes to read
        found = current_programme_for_card(client)
    assert list(found.resumes.all()) == [] and list(found.logs.all()) == []
    log(owner_http, programme, symptoms=["pain"])
    log(owner_http, programme, symptoms=["pain"], notes="Knee")
    owner_http.post(reverse("programmes:resume", args=[programme.pk]), {"note": "Seen by her GP, settled"})
    log(owner_http, programme)
    expected = (Programme.objects.filter(client=client, ended_at__isnull=True).with_progress(blocks=False)
                .select_related("plan", "assigned_by").get())
    with django_assert_num_queries(4):  # and its resumes
        found = current_programme_for_card(client)
    assert found.client is client and found.has_resumes
    for found_row, expected_row in [(found, expected), (found.plan, expected.plan), (found.assigned_by, expected.assigned_by)]:
        same_row(found_row, expected_row)
    for name, found_rows, expected_rows in [("sessions", found.plan.sessions.all(), expected.plan.sessions.all()),
                                            ("logs", found.timeline(), expected.timeline())]:
        assert [row.pk for row in found_rows] == [row.pk for row in expected_rows] != [], name
        for found_row, expected_row in zip(found_rows, expected_rows, strict=True):
            same_row(found_row, expected_row)
    with django_assert_num_queries(0):
        assert found.state == expected.state and found.plan.sessions_per_week() == expected.plan.sessions_per_week()
        assert found.logs.all()[0].programme is found and found.plan.sessions.all()[0].plan is found.plan
    found.__dict__["latest_assessment"] = expected.latest_assessment
    with django_assert_num_queries(1):  # her next session's blocks, written out (read_blocks), then kept
        blocks = list(found.next_session.blocks.all())
        assert list(found.next_session.blocks.all()) == blocks
    wanted = list(PlanBlock.objects.filter(session=found.next_session))  # in the order of their position
    assert [block.pk for block in blocks] == [block.pk for block in wanted] != []
    for block, expected_block in zip(blocks, wanted, strict=True):
        same_row(block, expected_block)
        assert block.session is found.next_session
    # Her page's, her report's and her log page's read (current_programme_of): each session's running
    # seconds summed with it, as with_progress(running=True) sums them, and without who assigned it.
    running = (Programme.objects.filter(client=client, ended_at__isnull=True).with_progress(blocks=False, running=True)
               .get())
    with django_assert_num_queries(4):
        found = current_programme_for_card(client, running=True, who_assigned=False)
    assert "assigned_by" not in found._state.fields_cache
    same_row(found, running)
    seconds = [session.running_seconds for session in found.plan.sessions.all()]
    assert seconds == [session.running_seconds for session in running.plan.sessions.all()]
    assert all(type(value) is int for value in seconds) and sum(seconds) > 0
    assert seconds == [PlanSession.objects.get(pk=session.pk).running_seconds for session in found.plan.sessions.all()]
    Programme.objects.filter(pk=programme.pk).update(assigned_by=None)
    assert current_programme_for_card(client).assigned_by is None
    Programme.objects.filter(pk=programme.pk).update(ended_at=timezone.now())
    assert current_programme_for_card(client) is None


def test_rows_read_by_written_out_statements_answer_anything_further_for_her_alone(owner, stranger):
    """current_programme_for_card and read_blocks leave her rows where a prefetch leaves them
    (lib/queries.py prefetched): .all() from them, and .filter(), .count(), .delete() … from the
    manager's own QuerySet, hers alone, never the whole table (another studio's rows). Found by review."""
    from programmes.models import current_programme_for_card
    from programmes.models.programme import read_blocks
    from tests.practice.test_worklist import assign, log

    mine, theirs = make_client(owner, "Mine Here"), make_client(stranger, "Theirs There")
    make_assessment(mine)
    make_assessment(theirs)
    their_programme = assign(theirs, stranger)
    log(their_programme, stranger)
    assign(mine, owner)
    programme = current_programme_for_card(mine)
    assert list(programme.logs.all()) == [] and programme.logs.filter(outcome="completed").count() == 0
    assert {s.plan_id for s in programme.plan.sessions.filter(week=1)} == {programme.plan_id}
    session = programme.plan.sessions.all()[0]
    read_blocks(session)
    assert session.blocks.filter(position__gte=0).count() == PlanBlock.objects.filter(session=session).count() > 0
    theirs_before = PlanBlock.objects.filter(session__plan=their_programme.plan).count()
    session.replace_blocks(300, 300, [(60, 90, 6)])  # self.blocks.all().delete() first
    assert PlanBlock.objects.filter(session__plan=their_programme.plan).count() == theirs_before > 0
    assert PlanBlock.objects.filter(session=session).count() == 1


def test_client_page_shows_the_programme_card(owner_http, programme):
    page = owner_http.get(programme.client.get_absolute_url()).content.decode()
    assert "Week 1 of 9" in page
    assert "8 × (run 1 min, walk 1 min 30 s)" in page
    assert "Log a session" in page


@pytest.mark.parametrize("sessions", [1, 30])
def test_client_page_query_count_is_constant_as_sessions_accumulate(owner_http, programme, sessions, django_assert_max_num_queries):
    SessionLog.objects.bulk_create(
        SessionLog(programme=programme, sequence=n, week=1, session_number=1, done_on=timezone.localdate(),
                   outcome="completed", effort=4)
        for n in range(1, sessions + 1)
    )
    # The session, her trainer, her row (with her latest assessment in full, which decides whether she
    # may run, her last link visit and whether she has a link, a strength plan or deleted assessments to
    # read), the access log's line, her assessments, her programme with its plan's sessions and blocks,
    # logs and resumes; none per session
    with django_assert_max_num_queries(10):
        assert owner_http.get(programme.client.get_absolute_url()).status_code == 200


def test_ending_a_programme_allows_a_new_one(owner_http, programme):
    owner_http.post(reverse("programmes:end", args=[programme.pk]))
    assert fresh(programme).ended_at is not None
    assert owner_http.get(reverse("programmes:assign", args=[programme.client.pk])).status_code == 200


def test_home_lists_attention_first_then_activity(owner_http, owner):
    refer = make_client(owner, "Red Flag Client")
    make_assessment(refer, symptoms_urinary_leakage=True)
    waiting = make_client(owner, "Waiting Client", weeks=30)
    make_assessment(waiting, days_after_birth=7 * 20, pelvic_floor_fast_reps=5)
    page = owner_http.get(reverse("home")).content.decode()
    assert "Red flag open since" in page and "Check-up overdue" in page
    assert page.index("Needs your attention") < page.index("Recent activity")


def test_home_needs_sign_in(anon_http):
    assert anon_http.get(reverse("home")).status_code == 302


def test_home_shows_only_my_clients(owner_http, owner, stranger):
    make_assessment(make_client(stranger, "Not Mine"), symptoms_urinary_leakage=True)
    make_assessment(make_client(owner, "Mine Indeed"), symptoms_urinary_leakage=True)
    response = owner_http.get(reverse("home"))
    assert response.status_code == 200 and "Mine Indeed" in visible_text(response), "her own, with the same red flag"
    assert "Not Mine" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 15])
def test_home_query_count_is_constant(owner_http, owner, count, django_assert_max_num_queries):
    for index in range(count):
        client = make_client(owner, f"Client {index}")
        make_assessment(client)
        programme = Programme.objects.create(client=client, plan=walk_run_30().copy(trainer=owner, is_template=False),
                                             start_date=timezone.localdate(), assigned_by=owner)
        SessionLog.objects.create(programme=programme, week=1, session_number=1, done_on=timezone.localdate(), outcome="completed")
    # The session, her, her worklist and its clients' programmes, recent sessions and assessments, and (nobody
    # needs her) whether she has clients.
    with django_assert_max_num_queries(7):
        assert owner_http.get(reverse("home")).status_code == 200


def test_the_card_plans_the_rest_of_the_week_with_rest_days(owner_http, programme):
    today = timezone.localdate()
    log(owner_http, programme, done_on=today.isoformat())
    page = owner_http.get(programme.client.get_absolute_url()).content.decode()
    first, second = today + timedelta(days=2), today + timedelta(days=4)
    assert f"{first:%a} {first.day} {first:%b} · {second:%a} {second.day} {second:%b}" in page


def test_weeks_she_has_reached_keep_their_sessions(owner_http, programme):
    for _ in range(3):
        log(owner_http, programme)  # she is now in week 2
    plan = programme.plan
    week_one = plan.sessions.get(week=1, number=3)
    owner_http.post(reverse("plans:remove_session", args=[week_one.pk]))
    owner_http.post(reverse("plans:add_session", args=[plan.pk, 2]))
    assert plan.sessions.filter(week__lte=2).count() == 6
    state = fresh(programme).state
    assert (state.week, state.session) == (2, 1), "her progress is unchanged"
    owner_http.post(reverse("plans:add_session", args=[plan.pk, 3]))
    assert plan.sessions.filter(week=3).count() == 4, "later weeks can still be reshaped"


def test_no_running_programme_after_a_refer_verdict_even_with_a_reason(owner_http, owner):
    client = make_client(owner)
    make_assessment(client, symptoms_urinary_leakage=True)
    url = reverse("programmes:assign", args=[client.pk])
    response = owner_http.post(url, {"plan": walk_run_30().pk, "start_date": timezone.localdate().isoformat(),
                                     "override_reason": "She wants to"}, follow=True)
    assert not Programme.objects.exists()
    assert "a red flag is open on her record" in response.content.decode()


def test_an_ended_programme_cannot_be_logged_against(owner_http, programme):
    owner_http.post(reverse("programmes:end", args=[programme.pk]))
    assert log(owner_http, programme).status_code == 404
    assert not SessionLog.objects.exists()


def test_logging_needs_consent(owner_http, programme):
    programme.client.withdraw_consent()
    response = log(owner_http, programme)
    assert response["HX-Redirect"] == programme.client.get_absolute_url()
    assert not SessionLog.objects.exists()
