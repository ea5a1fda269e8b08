from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import Plan, PlanBlock, PlanSession, Programme
from tests.conftest import engine_before, make_client, same_row, visible_text

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

HTMX = {"HX-Request": "true"}


# --- Helpers -------------------------------------------------------------------------------

def make_plan(trainer, name="Gentle start", weeks=2, sessions_per_week=3, blocks=((60, 90, 8),), is_template=True):
    plan = Plan.objects.create(trainer=trainer, name=name, is_template=is_template)
    for week in range(1, weeks + 1):
        for number in range(1, sessions_per_week + 1):
            session = PlanSession.objects.create(plan=plan, week=week, number=number)
            PlanBlock.objects.bulk_create(
                PlanBlock(session=session, position=position, run_seconds=run, walk_seconds=walk, repeats=repeats)
                for position, (run, walk, repeats) in enumerate(blocks, start=1)
            )
    return plan


def builtin(name="Walk–run to 30 minutes"):
    return Plan.objects.get(trainer=None, name=name)


def first_session(plan):
    return plan.sessions.order_by("week", "number").first()


def snapshot(plan):
    """Everything stored about a plan, to prove a refused request changed nothing."""
    return (
        Plan.objects.filter(pk=plan.pk).values().first(),
        list(PlanSession.objects.filter(plan_id=plan.pk).order_by("pk").values()),
        list(PlanBlock.objects.filter(session__plan_id=plan.pk).order_by("pk").values()),
    )


def blocks_of(session):
    return list(PlanBlock.objects.filter(session=session).values_list("run_seconds", "walk_seconds", "repeats"))


def session_data(blocks, warm_up=300, cool_down=300, initial_forms=None, delete=(), extra_rows=2):
    """The POST a browser sends from the edit form: durations split into minutes and seconds.

    blocks: [(run seconds, walk seconds, repeats)]; None for a blank (new) row. Strings pass through."""
    rows = list(blocks) + [None] * extra_rows
    data = {
        "blocks-TOTAL_FORMS": str(len(rows)),
        "blocks-INITIAL_FORMS": str(len(blocks) if initial_forms is None else initial_forms),
        "blocks-MIN_NUM_FORMS": "0",
        "blocks-MAX_NUM_FORMS": "20",
    }
    add_duration(data, "warm_up", warm_up)
    add_duration(data, "cool_down", cool_down)
    for index, row in enumerate(rows):
        prefix = f"blocks-{index}-"
        if row is None:
            data.update({f"{prefix}run_0": "", f"{prefix}run_1": "", f"{prefix}walk_0": "", f"{prefix}walk_1": "", f"{prefix}repeats": "1"})
            continue
        run, walk, repeats = row
        add_duration(data, f"{prefix}run", run)
        add_duration(data, f"{prefix}walk", walk)
        data[f"{prefix}repeats"] = str(repeats)
        if index in delete:
            data[f"{prefix}DELETE"] = "on"
    return data


def add_duration(data, name, seconds):
    if isinstance(seconds, tuple):
        data[f"{name}_0"], data[f"{name}_1"] = seconds
    else:
        minutes, rest = divmod(seconds, 60)
        data[f"{name}_0"], data[f"{name}_1"] = str(minutes), str(rest)


@pytest.fixture
def plan(owner):
    return make_plan(owner)


@pytest.fixture
def client_copy(owner):
    client = make_client(owner, "Priya Shah")
    copy = builtin("Walk–run foundations").copy(trainer=owner, is_template=False)
    Programme.objects.create(client=client, plan=copy, start_date=timezone.localdate(), assigned_by=owner)
    return copy


# Every view that takes a plan or a session: (url name, method, what the pk refers to).
PLAN_VIEWS = [
    ("plans:detail", "get", "plan"),
    ("plans:rename", "post", "plan"),
    ("plans:duplicate", "post", "plan"),
    ("plans:delete", "get", "plan"),
    ("plans:delete", "post", "plan"),
    ("plans:add_week", "post", "plan"),
    ("plans:remove_week", "post", "plan"),
    ("plans:add_session", "post", "week"),
    ("plans:session", "get", "session"),
    ("plans:edit_session", "get", "session"),
    ("plans:edit_session", "post", "session"),
    ("plans:remove_session", "post", "session"),
]


def url_for(name, target, plan):
    if target == "plan":
        return reverse(name, args=[plan.pk])
    if target == "week":
        return reverse(name, args=[plan.pk, 1])
    return reverse(name, args=[first_session(plan).pk])


def post_data_for(name):
    if name == "plans:rename":
        return {"name": "Renamed", "description": "Changed"}
    if name == "plans:edit_session":
        return session_data([(120, 60, 3)])
    return {}


# --- Access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,method,target", PLAN_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(anon_http, plan, name, method, target):
    before = snapshot(plan)
    response = getattr(anon_http, method)(url_for(name, target, plan), post_data_for(name) if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot(plan) == before


def test_anonymous_visitors_cannot_see_or_create_templates(anon_http):
    for response in (anon_http.get(reverse("plans:list")), anon_http.post(reverse("plans:list"), {"name": "Sneaky"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Plan.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize("name,method,target", PLAN_VIEWS)
def test_another_trainer_gets_404_and_changes_nothing(stranger_http, plan, name, method, target):
    before = snapshot(plan)
    plans_before = Plan.objects.count()
    response = getattr(stranger_http, method)(url_for(name, target, plan), post_data_for(name) if method == "post" else None)
    assert response.status_code == 404
    assert plan.name.encode() not in response.content
    assert snapshot(plan) == before
    assert Plan.objects.count() == plans_before


@pytest.mark.parametrize("name,method,target", [v for v in PLAN_VIEWS if v[1] == "get"])
def test_the_owner_can_open_every_page(owner_http, plan, name, method, target):
    response = owner_http.get(url_for(name, target, plan), headers=HTMX if name == "plans:session" else {})
    assert response.status_code == 200
    assert plan.name in response.content.decode() or name == "plans:session"


@pytest.mark.parametrize("name", ["plans:rename", "plans:duplicate", "plans:add_week", "plans:remove_week",
                                  "plans:add_session", "plans:remove_session", "plans:edit_session", "plans:delete"])
def test_post_only_or_form_views_redirect_the_owner_after_a_change(owner_http, plan, name):
    target = dict((n, t) for n, _, t in PLAN_VIEWS)[name]
    response = owner_http.post(url_for(name, target, plan), post_data_for(name))
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["plans:rename", "plans:duplicate", "plans:add_week", "plans:remove_week",
                                  "plans:add_session", "plans:remove_session"])
def test_post_only_views_refuse_get(owner_http, plan, name):
    target = dict((n, t) for n, _, t in PLAN_VIEWS)[name]
    assert owner_http.get(url_for(name, target, plan)).status_code == 405


# --- The list ---------------------------------------------------------------------------------

def test_the_list_shows_the_built_ins_and_my_templates_but_not_another_trainers(owner_http, owner, stranger):
    make_plan(owner, "Mine for mums")
    make_plan(stranger, "Theirs for mums")
    page = owner_http.get(reverse("plans:list")).content.decode()
    assert "Walk–run to 30 minutes" in page and "Walk–run foundations" in page
    assert "Mine for mums" in page
    assert "Theirs for mums" not in page


def test_the_list_shows_weeks_and_total_running_minutes(owner_http, owner):
    make_plan(owner, "Counted", weeks=2, sessions_per_week=3, blocks=((60, 90, 8),))
    page = owner_http.get(reverse("plans:list")).content.decode()
    row = page[page.index("Counted"):]
    row = row[: row.index("</tr>")]
    assert '<td data-label="Weeks">2</td>' in row
    assert "48 min" in row  # 2 weeks × 3 sessions × 8 × 1 min
    builtin_row = page[page.index("Walk–run to 30 minutes"):]
    assert '<td data-label="Weeks">9</td>' in builtin_row[: builtin_row.index("</tr>")]


def test_the_list_does_not_show_clients_programme_copies(owner_http, client_copy):
    response = owner_http.get(reverse("plans:list"))
    page = response.content.decode()
    assert response.status_code == 200 and "Walk–run foundations" in visible_text(page), "the template it was copied from"
    assert f'href="{client_copy.get_absolute_url()}"' not in page


def test_a_new_template_starts_with_one_week_and_one_session(owner_http, owner):
    response = owner_http.post(reverse("plans:list"), {"name": "  Six  weeks   gently "})
    plan = Plan.objects.get(trainer=owner)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.name == "Six weeks gently" and plan.is_template
    session = plan.sessions.get()
    assert (session.week, session.number) == (1, 1)
    assert blocks_of(session) == [(60, 120, 6)]


def test_a_new_template_needs_a_name(owner_http, owner):
    response = owner_http.post(reverse("plans:list"), {"name": "   "})
    assert response.status_code == 200
    assert "Give the plan a name." in response.content.decode() or "This field is required." in response.content.decode()
    assert not Plan.objects.filter(trainer=owner).exists()


# --- Built-ins ---------------------------------------------------------------------------------

@pytest.mark.parametrize("http", ["owner_http", "stranger_http"])
def test_built_ins_are_viewable_by_every_trainer(request, http):
    page = request.getfixturevalue(http).get(builtin().get_absolute_url()).content.decode()
    assert "Walk–run to 30 minutes" in page
    assert "Week 9" in page
    assert "8 × (run 1 min, walk 1 min 30 s)" in page
    assert "Duplicate to edit" in page
    assert reverse("plans:edit_session", args=[first_session(builtin()).pk]) not in page
    assert reverse("plans:add_week", args=[builtin().pk]) not in page


@pytest.mark.parametrize("name,method,target", [v for v in PLAN_VIEWS if v[0] not in ("plans:detail", "plans:duplicate")])
def test_built_ins_cannot_be_edited(owner_http, name, method, target):
    plan = builtin()
    before = snapshot(plan)
    response = getattr(owner_http, method)(url_for(name, target, plan), post_data_for(name) if method == "post" else None)
    assert response.status_code == 404
    assert snapshot(plan) == before


def test_the_detail_shows_each_week_and_session_with_running_and_walking_totals(owner_http):
    page = owner_http.get(builtin().get_absolute_url()).content.decode()
    # Week 1: 5 min warm-up, 8 × (run 1, walk 1.5), 5 min cool-down → run 8 min, walk 22 min per session.
    assert "Running 8 min · walking 22 min" in page
    assert "Week 1 in all: running 24 min · walking 66 min" in visible_text(page)
    assert "Warm-up walk 5 min" in page and "Cool-down walk 5 min" in page
    # Week 9 ends on a continuous run.
    assert "Run 30 min" in page


# --- Duplicating and deleting ------------------------------------------------------------------

def test_duplicating_a_built_in_makes_an_independent_deep_copy(owner_http, owner):
    original = builtin()
    before = snapshot(original)
    response = owner_http.post(reverse("plans:duplicate", args=[original.pk]))
    copy = Plan.objects.get(trainer=owner)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.name == "Walk–run to 30 minutes (copy)" and copy.is_template
    assert copy.sessions_per_week() == original.sessions_per_week()
    assert [blocks_of(s) for s in copy.sessions.all()] == [blocks_of(s) for s in original.sessions.all()]

    session = first_session(copy)
    owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(90, 60, 5)]))
    owner_http.post(reverse("plans:add_week", args=[copy.pk]))
    assert blocks_of(session) == [(90, 60, 5)]
    assert snapshot(original) == before


def test_duplicating_my_own_template_keeps_the_original(owner_http, owner, plan):
    owner_http.post(reverse("plans:duplicate", args=[plan.pk]))
    copy = Plan.objects.get(trainer=owner, name="Gentle start (copy)")
    assert copy.pk != plan.pk
    assert copy.sessions.count() == plan.sessions.count() == 6
    assert not PlanSession.objects.filter(plan=copy).filter(pk__in=plan.sessions.values("pk")).exists()


def test_a_very_long_name_still_fits_when_duplicated(owner_http, owner):
    plan = make_plan(owner, "x" * 120)
    owner_http.post(reverse("plans:duplicate", args=[plan.pk]))
    copy = Plan.objects.exclude(pk=plan.pk).get(trainer=owner)
    assert len(copy.name) <= 120 and copy.name.endswith(" (copy)")


def test_the_owner_deletes_her_template_after_confirming(owner_http, plan):
    page = owner_http.get(reverse("plans:delete", args=[plan.pk])).content.decode()
    assert "Delete this template" in page
    response = owner_http.post(reverse("plans:delete", args=[plan.pk]))
    assert response["Location"] == reverse("plans:list")
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not PlanSession.objects.filter(plan_id=plan.pk).exists()


def test_a_clients_programme_copy_cannot_be_deleted_from_here(owner_http, client_copy):
    before = snapshot(client_copy)
    assert owner_http.get(reverse("plans:delete", args=[client_copy.pk])).status_code == 404
    assert owner_http.post(reverse("plans:delete", args=[client_copy.pk])).status_code == 404
    assert snapshot(client_copy) == before


# --- A client's programme copy --------------------------------------------------------------------

def test_a_clients_programme_copy_is_edited_on_the_same_pages_with_a_link_back_to_her(owner_http, client_copy):
    client = client_copy.programme.client
    page = owner_http.get(client_copy.get_absolute_url()).content.decode()
    assert "Priya Shah's own copy of the programme" in page
    assert f'href="{client.get_absolute_url()}"' in page
    assert reverse("plans:edit_session", args=[first_session(client_copy).pk]) in page
    assert reverse("plans:delete", args=[client_copy.pk]) not in page

    session = first_session(client_copy)
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(60, 120, 5)]))
    assert response.status_code == 302
    assert blocks_of(session) == [(60, 120, 5)]


def test_another_trainer_cannot_see_a_clients_programme_copy(stranger_http, client_copy):
    response = stranger_http.get(client_copy.get_absolute_url())
    assert response.status_code == 404
    assert b"Priya Shah" not in response.content


# --- Renaming ---------------------------------------------------------------------------------

def test_the_owner_renames_and_describes_her_template(owner_http, plan):
    response = owner_http.post(reverse("plans:rename", args=[plan.pk]), {"name": "Spring mums", "description": "Six weeks."})
    assert response["Location"] == plan.get_absolute_url()
    plan.refresh_from_db()
    assert (plan.name, plan.description) == ("Spring mums", "Six weeks.")


def test_a_blank_name_is_refused_at_the_field_and_the_description_is_kept(owner_http, plan):
    response = owner_http.post(reverse("plans:rename", args=[plan.pk]), {"name": " ", "description": "Kept words"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_name_error"' in page and "This field is required." in visible_text(page)  # beside the field
    assert "Kept words" in page
    plan.refresh_from_db()
    assert plan.name == "Gentle start" and plan.description == ""


# --- Editing a session ------------------------------------------------------------------------

def test_editing_a_session_saves_its_blocks_and_the_totals_update(owner_http, plan):
    session = first_session(plan)
    data = session_data([(90, 120, 4), (180, 0, 1)], warm_up=(4, 30), cool_down=(6, ""))
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == f"{plan.get_absolute_url()}#session-{session.pk}"
    session.refresh_from_db()
    assert (session.warm_up_seconds, session.cool_down_seconds) == (270, 360)
    assert blocks_of(session) == [(90, 120, 4), (180, 0, 1)]
    assert list(session.blocks.values_list("position", flat=True)) == [1, 2]

    page = owner_http.get(plan.get_absolute_url()).content.decode()
    assert "4 × (run 1 min 30 s, walk 2 min)" in page
    # Running 4 × 1.5 + 3 = 9 min; walking 4.5 + 4 × 2 + 6 = 18 min 30 s.
    assert "Running 9 min · walking 18 min 30 s" in page
    # Week 1 is that session plus two of 8 min running / 22 min walking.
    assert "Week 1 in all: running 25 min · walking 62 min 30 s" in visible_text(page)


def test_the_edit_form_shows_durations_in_minutes_and_seconds(owner_http, plan):
    page = owner_http.get(reverse("plans:edit_session", args=[first_session(plan).pk])).content.decode()
    assert "<html" in page
    assert 'name="blocks-0-run_0" value="1"' in page
    assert 'name="blocks-0-walk_0" value="1"' in page and 'name="blocks-0-walk_1" value="30"' in page
    assert 'name="blocks-0-repeats" value="8"' in page
    assert 'inputmode="numeric"' in page
    assert 'name="blocks-2-run_0"' in page  # two empty rows to add blocks
    assert 'name="blocks-0-DELETE"' in page


def test_blocks_can_be_added_in_an_empty_row_and_removed_with_the_tick_box(owner_http, owner):
    plan = make_plan(owner, weeks=1, sessions_per_week=1, blocks=((60, 60, 2), (120, 60, 2)))
    session = first_session(plan)
    data = session_data([(60, 60, 2), (120, 60, 2)], delete=(0,))
    data.update({"blocks-2-run_0": "5", "blocks-2-run_1": "", "blocks-2-walk_0": "", "blocks-2-walk_1": "", "blocks-2-repeats": "1"})
    owner_http.post(reverse("plans:edit_session", args=[session.pk]), data)
    assert blocks_of(session) == [(120, 60, 2), (300, 0, 1)]


def test_a_zero_length_run_is_refused_at_the_field_and_nothing_is_saved(owner_http, plan):
    session = first_session(plan)
    before = snapshot(plan)
    data = session_data([(0, 60, 3), (120, 0, 1)], warm_up=(7, 15))
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "A run interval must be longer than zero." in page
    # The message sits in the first block's run field, which is marked invalid.
    run_field = page[page.index('id="id_blocks-0-run_error"'):page.index('name="blocks-0-run_0"')]
    assert "A run interval must be longer than zero." in run_field
    assert 'aria-invalid="true"' in page[page.index('name="blocks-0-run_0"') - 200:page.index('name="blocks-0-run_0"') + 200]
    # Everything typed is kept.
    assert 'name="warm_up_0" value="7"' in page and 'name="warm_up_1" value="15"' in page
    assert 'name="blocks-1-run_0" value="2"' in page
    assert "Nothing is saved yet" in page
    assert snapshot(plan) == before


def test_a_session_needs_at_least_one_interval(owner_http, plan):
    session = first_session(plan)
    before = snapshot(plan)
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(60, 90, 8)], delete=(0,)))
    assert "A session needs at least one run interval." in response.content.decode()
    assert snapshot(plan) == before


@pytest.mark.parametrize("blocks,message", [
    ([(60, 0, 3), (60, 60, 1)], "only the last interval can end without one"),
    ([(60, 0, 3)], "With no walk between them the runs join up"),
    ([(60, 60, 51)], "Repeat at most 50 times."),
    ([(60, 60, 0)], "Repeat at least once."),
    ([((61, 0), 60, 1)], "Enter 60 minutes or fewer."),
    ([((60, 30), 60, 1)], "This can be at most 60 minutes."),
    ([((1, 75), 60, 1)], "Seconds go up to 59"),
    ([(("", ""), 60, 1)], "Enter how long each run lasts."),
    ([(("one", ""), 60, 1)], "Enter whole numbers."),
])
def test_impossible_blocks_are_refused_with_a_clear_message(owner_http, plan, blocks, message):
    session = first_session(plan)
    before = snapshot(plan)
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data(blocks))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(plan) == before


def test_a_walk_of_zero_is_allowed_for_a_final_run(owner_http, plan):
    session = first_session(plan)
    owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(300, 180, 2), (300, 0, 1)]))
    assert blocks_of(session) == [(300, 180, 2), (300, 0, 1)]


def test_htmx_edit_returns_only_the_form_partial(owner_http, plan):
    session = first_session(plan)
    response = owner_http.get(reverse("plans:edit_session", args=[session.pk]), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith("<form")
    assert f'id="session-{session.pk}"' in page
    assert f'hx-post="{reverse("plans:edit_session", args=[session.pk])}"' in page
    assert "autofocus" in page


def test_htmx_save_swaps_back_the_session_and_updates_the_week_totals(owner_http, plan):
    session = first_session(plan)
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(120, 60, 5)]), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith("<article")
    assert "5 × (run 2 min, walk 1 min)" in page
    assert "Running 10 min · walking 15 min" in page
    assert 'id="week-1-totals" hx-swap-oob="true"' in page
    assert "running 26 min · walking 59 min" in page  # 10 + 8 + 8; 15 + 22 + 22
    assert blocks_of(session) == [(120, 60, 5)]


def test_htmx_save_with_errors_returns_the_form_with_messages(owner_http, plan):
    session = first_session(plan)
    response = owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(0, 60, 5)]), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only
    assert "<html" not in page and page.lstrip().startswith("<form")
    assert "A run interval must be longer than zero." in page
    assert blocks_of(session) == [(60, 90, 8)]


def test_htmx_cancel_swaps_back_the_session_card(owner_http, plan):
    session = first_session(plan)
    page = owner_http.get(reverse("plans:session", args=[session.pk]), headers=HTMX).content.decode()
    assert "<html" not in page and "8 × (run 1 min, walk 1 min 30 s)" in page


def test_without_javascript_the_session_address_goes_back_to_the_plan(owner_http, plan):
    session = first_session(plan)
    response = owner_http.get(reverse("plans:session", args=[session.pk]))
    assert response["Location"] == f"{plan.get_absolute_url()}#session-{session.pk}"


# --- Weeks and sessions -----------------------------------------------------------------------

def test_adding_a_week_copies_the_last_weeks_sessions(owner_http, owner):
    plan = make_plan(owner, weeks=1, sessions_per_week=2)
    session = first_session(plan)
    owner_http.post(reverse("plans:edit_session", args=[session.pk]), session_data([(90, 90, 6)]))
    response = owner_http.post(reverse("plans:add_week", args=[plan.pk]))
    assert response["Location"] == f"{plan.get_absolute_url()}#week-2"
    assert plan.sessions_per_week() == (2, 2)
    week_2 = list(plan.sessions.filter(week=2))
    assert [blocks_of(s) for s in week_2] == [[(90, 90, 6)], [(60, 90, 8)]]
    assert not set(s.pk for s in week_2) & set(plan.sessions.filter(week=1).values_list("pk", flat=True))


def test_removing_the_last_week(owner_http, plan):
    owner_http.post(reverse("plans:remove_week", args=[plan.pk]))
    assert plan.sessions_per_week() == (3,)


def test_the_only_week_cannot_be_removed(owner_http, owner):
    plan = make_plan(owner, weeks=1, sessions_per_week=2)
    before = snapshot(plan)
    response = owner_http.post(reverse("plans:remove_week", args=[plan.pk]), follow=True)
    assert "A plan needs at least one week" in response.content.decode()
    assert snapshot(plan) == before


def test_adding_a_session_to_a_week_copies_its_last_session(owner_http, plan):
    owner_http.post(reverse("plans:add_session", args=[plan.pk, 2]))
    assert plan.sessions_per_week() == (3, 4)
    assert blocks_of(plan.sessions.get(week=2, number=4)) == [(60, 90, 8)]


def test_a_session_cannot_be_added_to_a_week_that_does_not_exist(owner_http, plan):
    assert owner_http.post(reverse("plans:add_session", args=[plan.pk, 7])).status_code == 404


def test_removing_a_session_renumbers_the_rest_of_its_week(owner_http, plan):
    middle = plan.sessions.get(week=1, number=2)
    last_pk = plan.sessions.get(week=1, number=3).pk
    owner_http.post(reverse("plans:remove_session", args=[middle.pk]))
    assert plan.sessions_per_week() == (2, 3)
    assert PlanSession.objects.get(pk=last_pk).number == 2
    assert not PlanBlock.objects.filter(session_id=middle.pk).exists()


def test_removing_the_only_session_of_a_week_closes_the_gap(owner_http, owner):
    plan = make_plan(owner, weeks=3, sessions_per_week=1)
    week_3 = plan.sessions.get(week=3)
    owner_http.post(reverse("plans:remove_session", args=[plan.sessions.get(week=2).pk]))
    assert plan.sessions_per_week() == (1, 1)
    week_3.refresh_from_db()
    assert week_3.week == 2


def test_the_last_session_of_a_plan_cannot_be_removed(owner_http, owner):
    plan = make_plan(owner, weeks=1, sessions_per_week=1)
    before = snapshot(plan)
    response = owner_http.post(reverse("plans:remove_session", args=[first_session(plan).pk]), follow=True)
    page = response.content.decode()
    assert "A plan needs at least one session" in page
    assert snapshot(plan) == before
    # …and the page offers no button to try.
    assert reverse("plans:remove_session", args=[first_session(plan).pk]) not in page


# --- Performance and safety -----------------------------------------------------------------------

def detail_queries(http, plan):
    cache.clear()  # drawn, not served from the cache
    with CaptureQueriesContext(connection) as queries:
        assert http.get(plan.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_detail_page_query_count_does_not_grow_with_weeks(owner_http, owner, django_assert_max_num_queries):
    small = make_plan(owner, "Two weeks", weeks=2, sessions_per_week=3, blocks=((60, 90, 4), (120, 0, 1)))
    large = make_plan(owner, "Nine weeks", weeks=9, sessions_per_week=3, blocks=((60, 90, 4), (120, 60, 2), (300, 0, 1)))
    detail_queries(owner_http, small)  # warm up the session and any per-process caches
    with django_assert_max_num_queries(detail_queries(owner_http, small)):
        owner_http.get(large.get_absolute_url())
    assert detail_queries(owner_http, small) == detail_queries(owner_http, large)


def test_a_plan_name_with_markup_is_escaped(owner_http, owner):
    plan = make_plan(owner, "<script>alert(1)</script>")
    plan.description = "<b>bold</b>\nline two"
    plan.save()
    for url in (plan.get_absolute_url(), reverse("plans:list"), reverse("plans:delete", args=[plan.pk]),
                reverse("plans:edit_session", args=[first_session(plan).pk])):
        page = owner_http.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = owner_http.get(plan.get_absolute_url()).content.decode()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;<br>line two" in page


def test_editing_updates_the_plans_changed_time(owner_http, plan):
    Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now() - timedelta(days=1))
    owner_http.post(reverse("plans:edit_session", args=[first_session(plan).pk]), session_data([(60, 60, 1)]))
    plan.refresh_from_db()
    assert plan.updated_at > timezone.now() - timedelta(minutes=1)


def test_a_plan_says_which_of_the_three_it_is(owner):
    template = builtin()
    own = template.copy(trainer=owner)
    hers = template.copy(trainer=owner, is_template=False)
    assert [plan.kind for plan in (template, own, hers)] == ["builtin", "own_template", "client_copy"]
    assert template in Plan.objects.templates() and own in Plan.objects.templates()
    assert hers not in Plan.objects.templates()
    assert list(Plan.objects.client_copies()) == [hers]


def test_the_plan_page_presents_each_kind_of_plan(owner, owner_http, client_copy):
    def heading_and_actions(plan):
        page = owner_http.get(plan.get_absolute_url()).content.decode()
        return page[page.index('<div class="page-head">'):page.index("</div>\n</div>")], page

    def heading(head):
        return visible_text(head[head.index("<h1"):head.index("</h1>")])

    head, page = heading_and_actions(builtin())
    assert heading(head) == f"{builtin().name} Built-in" and 'button button--primary" type="submit">Duplicate to edit<' in head
    assert "Built-in templates cannot be changed." in page and "Delete…" not in head
    assert "Rename or describe" not in page and "Remove week" not in page

    own = make_plan(owner, weeks=2)
    head, page = heading_and_actions(own)
    assert "badge" not in head and '"button" type="submit">Duplicate<' in head and "Delete…" in head
    assert "Rename or describe this template" in page and "cannot be changed" not in page
    assert page.count("Remove week") == 1 and "Remove week 2" in page and "Add week 3" in page

    head, page = heading_and_actions(client_copy)
    assert heading(head) == f"{client_copy.name} Her programme" and ">Save a copy as a template<" in head
    assert "Delete…" not in head and "Rename or describe this programme" in page and "own copy of the programme" in page


def test_the_plan_pages_read_written_out_is_what_the_orm_reads(owner, stranger, client_copy, django_assert_num_queries):
    """The plan page reads its plan in written-out statements (programme.py plan_for_page): the plan,
    its programme and that programme's client (none for a template), its sessions in order and each
    session's blocks in order, with the values and types the ORM's read gives, each row knowing what it
    belongs to, and nothing more to read to draw it; no plan for another studio's or one not there."""
    from django.db.models import Max

    from programmes.models import plan_for_page, with_sessions

    Programme.objects.filter(plan=client_copy).update(override_items=["pelvic_floor.fast_reps"], override_reason="Why")
    template = make_plan(owner, "Mixed", weeks=3, sessions_per_week=2, blocks=((60, 90, 4), (120, 0, 1), (300, 30, 2)))
    empty = Plan.objects.create(trainer=owner, name="No sessions yet")
    plans = [client_copy, template, empty, builtin()]
    # Positions out of the order the blocks were made in: read in order of position.
    session = first_session(template)
    PlanBlock.objects.filter(session=session, position=1).update(position=9)
    for plan in plans:
        expected = with_sessions(Plan.objects.viewable_by(owner)).select_related("programme__client").get(pk=plan.pk)
        with django_assert_num_queries(3):
            found = plan_for_page(owner, plan.pk)
        with django_assert_num_queries(0):
            same_row(found, expected)
            programme, wanted = getattr(found, "programme", None), getattr(expected, "programme", None)
            assert (programme is None) == (wanted is None) == (plan.pk != client_copy.pk), plan.name
            if programme is not None:
                same_row(programme, wanted)
                same_row(programme.client, wanted.client)
                assert programme.plan is found
            sessions, wanted_sessions = list(found.sessions.all()), list(expected.sessions.all())
            assert [s.pk for s in sessions] == [s.pk for s in wanted_sessions] != [] or plan.pk == empty.pk
            for found_session, expected_session in zip(sessions, wanted_sessions, strict=True):
                same_row(found_session, expected_session)
                assert found_session.plan is found
                blocks, wanted_blocks = list(found_session.blocks.all()), list(expected_session.blocks.all())
                assert [b.pk for b in blocks] == [b.pk for b in wanted_blocks] != []
                for block, expected_block in zip(blocks, wanted_blocks, strict=True):
                    same_row(block, expected_block)
                    assert block.session is found_session
            assert found.warnings() == expected.warnings() and found.weeks() == expected.weeks()
    assert [b.position for b in plan_for_page(owner, template.pk).sessions.all()[0].blocks.all()] == [2, 3, 9]
    for other in (template, client_copy):  # her studio's: none for another's trainer, in one statement
        with django_assert_num_queries(1):
            assert plan_for_page(stranger, other.pk) is None
    assert plan_for_page(stranger, builtin().pk) is not None
    missing = (Plan.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    with django_assert_num_queries(1):
        assert plan_for_page(owner, missing) is None
    with django_assert_num_queries(0):  # beyond the column's range: no such plan, as the ORM answers, no query
        assert plan_for_page(owner, 2**63) is None


ODD = '<b>"Tom" & Jerry\'s</b>'


def engines_before_and_now():
    """An engine finding the plan page's template as it was before its session card was built in Python
    (tests/programmes/plan_before), and the engine as configured."""
    from pathlib import Path

    from django.template import engines

    return engine_before(Path(__file__).parent / "plan_before"), engines["django"].engine


def test_the_session_card_writes_what_its_partial_wrote(owner):
    """Issue 20: the plan page's session card is built in Python ({% session_card %}) where the page
    included a partial for each session: it writes, byte for byte, what the partial wrote (the template
    as it was: tests/programmes/plan_before), editable or not, just saved or not, with or without a
    Remove form and a CSRF token, every value escaped as the template escaped it."""
    from types import SimpleNamespace

    from django.template import Context
    from django.utils.safestring import mark_safe

    before, now = engines_before_and_now()
    blocks = [SimpleNamespace(describe=lambda: ODD), SimpleNamespace(describe=lambda: "run 1 min"),
              SimpleNamespace(describe=lambda: mark_safe("<i>safe</i> & sound")), SimpleNamespace(describe=lambda: "")]
    odd_session = SimpleNamespace(pk=ODD, number=12345, week=3.5, blocks=SimpleNamespace(all=lambda: blocks))
    items = [SimpleNamespace(session=odd_session, warm_up=ODD, cool_down=mark_safe("<em>5 min</em>"), running=1234567,
                             walking=None, edit_url=ODD, remove_url="/plans/sessions/1/remove/?a=1&b=2"),
             SimpleNamespace(session=SimpleNamespace(pk=7, number=1, week=1, blocks=SimpleNamespace(all=list)),
                             warm_up="5 min", cool_down="5 min", running="0 s", walking="10 min", edit_url="/e/", remove_url="/r/")]
    drawn = 0
    for item in items:
        for editable in (True, False, ""):
            for just_saved in (True, False, None):
                for count in ({"session_count": 2}, {"session_count": 1}, {"session_count": "many"}, {}):
                    for token in ({"csrf_token": ODD}, {"csrf_token": ""}, {}):
                        context = {"item": item, "editable": editable, "just_saved": just_saved, **count, **token}
                        written = [engine.get_template("programmes/plan_detail.html#session_card").render(Context(context))
                                   for engine in (before, now)]
                        assert written[0] == written[1], context
                        drawn += "Remove<" in written[1]
                        assert ODD not in written[1]
                        if item is items[0] and editable and count and count["session_count"] == 2 and token.get("csrf_token") == ODD:
                            odd = written[1]
    assert drawn == 2 * 3 * 3  # the Remove form, with every token, where editable and more than one
    escaped = "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&#x27;s&lt;/b&gt;"
    assert odd.count(escaped) == 9 and "<i>safe</i> & sound" in odd and "<em>5 min</em>" in odd


def test_the_plan_page_writes_what_it_wrote_with_its_partial(owner, client_copy, monkeypatch):
    """The whole plan page, and the card swapped in after an edit (session_saved), as the template
    with its partial wrote them, byte for byte, for her copy (editable: Edit and Remove on each card)
    and a built-in (neither), her name and the plan's escaped."""
    from django.template import RequestContext, context_processors
    from django.test import RequestFactory

    from programmes import plan_views
    from programmes.models import plan_for_page

    monkeypatch.setattr(context_processors, "get_token", lambda request: "token")  # one token for both drawings
    before, now = engines_before_and_now()
    client_copy.programme.client.__class__.objects.filter(pk=client_copy.programme.client_id).update(full_name=ODD)
    Plan.objects.filter(pk=client_copy.pk).update(name=ODD, description=ODD)
    request = RequestFactory().get("/")
    request.user = owner
    pages = {}
    for pk in (client_copy.pk, builtin().pk):
        plan = plan_for_page(owner, pk)
        context = plan_views.plan_context(request, plan, plan_views.programme_client(plan))
        session = plan.sessions.all()[0]
        saved = plan_views.session_context(session, week=plan_views.week_of(session), just_saved=True,
                                           warnings=["Too fast"])
        for name, values in [("programmes/plan_detail.html", context), ("programmes/plan_detail.html#session_saved", saved)]:
            written = [engine.get_template(name).render(RequestContext(request, values)) for engine in (before, now)]
            assert written[0] == written[1], (pk, name)
            assert ODD not in written[1] and ("Remove<" in written[1]) == (pk == client_copy.pk or "saved" in name)
            pages[pk, name] = written[1]
    assert "Back to &lt;b&gt;&quot;Tom&quot; &amp; Jerry&#x27;s&lt;/b&gt;" in pages[client_copy.pk, "programmes/plan_detail.html"]
