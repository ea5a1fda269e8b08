"""Isolation between studios, proven (issue 26, part 5): every query for client data is scoped to
the signed-in person's studio.

The pages are discovered, not listed, as the fuzz test discovers them (tests/test_fuzz.py): every
URL pattern whose address names a client, an assessment, a programme, a log, a plan or an
exercise, filled in with the demo studio's objects, and every form those pages offer, with the
values the page gives it. So a new page is walked here the day it is added:
- a colleague in the same studio (role "trainer") gets what the owner gets, GET and POST: shared clients;
- a member of another studio gets a 404 on every one, GET and POST, and nothing changes;
- a removed member is signed out on her next request, and signed in again gets the same 404s;
- a trainer-role member gets a 403 (or a 404) on every owner-only page (OWNER_ONLY_URLS).
"""

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

import accounts.urls
from accounts.models import Studio, Trainer
from assessments.models import Assessment
from clients.models import Client, ShareLink
from privacy.erasure import erase_client
from programmes.models import Exercise, Plan, PlanSession, Programme, SessionLog
from tests.audit.backup_snapshot import PROJECT_APPS
from tests.conftest import make_client, make_trainer, next_log_day, signed_in, visible_text, walk_run_30
from tests.factories import make_assessment
from tests.test_fuzz import (
    BOOKKEEPING_TABLES,
    FILE,
    SKIPPED_ROUTES,
    FormParser,
    WriteCounter,
    discover_routes,
    discover_targets,
    parameter_value,
    world,  # noqa: F401 (fixture)
)

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

# Parameters that name a studio's record: a client, her assessments, programmes, logs, plans, exercises.
STUDIO_RECORDS = {"client_pk", "assessment_pk", "log_pk", "strength_log_pk", "pk", "week"}
# Addresses reached by a token, not by signing in: her private link (tests below: it is hers,
# whatever studio), the unsubscribe button, sign-up and password-reset links.
BY_TOKEN = {"token", "uidb64"}

# Pages only a studio's owners may use: a trainer-role member gets a 403 (or a 404). New
# owner-only pages (members, invitations, role changes, retention …) are added here, and only here.
OWNER_ONLY_URLS = ["studio_details", "studio_logo", "member_invite", "member_role", "member_remove", "invitation_revoke"]
# accounts/urls.py's studio, member and invitation pages that every member may use (say why beside each).
STUDIO_URLS_FOR_EVERY_MEMBER = [
    "members",  # the list of who works there, read-only for a trainer (tests/accounts/test_members.py)
    "studio_leave",  # any member may leave (the last owner cannot)
    "invitation",  # the invitee's own link, reached by its signed token
]


# Walking the pages

def studio_routes():
    return [route for route in discover_routes() if route.name not in SKIPPED_ROUTES
            and set(route.parameters) & STUDIO_RECORDS and not set(route.parameters) & BY_TOKEN]


def studio_targets(world):  # noqa: F811
    """Every (URL, method) naming one of the demo studio's records, with the fields its pages' forms send."""
    names = {(route.namespace, route.name) for route in studio_routes()}
    targets = []
    for target in discover_targets(world):
        match = resolve(target.url)
        # The studio's members and invitations are not client data: their pages are the owners'
        # (test_a_trainer_member_is_refused_every_owner_only_page_and_changes_nothing) or every
        # member's own, and tests/accounts/test_members.py walks another studio's ids there.
        membership = match.url_name in OWNER_ONLY_URLS or match.url_name in STUDIO_URLS_FOR_EVERY_MEMBER
        if (match.namespace, match.url_name) in names and not builtin(match) and not membership:
            targets.append(target)
    assert len({t.url for t in targets}) >= 40, [t.url for t in targets]
    return targets


def builtin(match):
    """A built-in plan, session or exercise (its duplicate button is on the studio's pages): everyone's
    to read and copy (test_built_in_plans_and_exercises_are_everyones_to_read_and_nobodys_to_edit)."""
    if match.namespace != "plans":
        return False
    pk = match.kwargs["pk"]
    if match.url_name.startswith("exercise"):
        return Exercise.objects.filter(pk=pk, studio=None).exists()
    if match.url_name in ("session", "edit_session", "remove_session"):
        return PlanSession.objects.filter(pk=pk, plan__studio=None).exists()
    return Plan.objects.filter(pk=pk, studio=None).exists()


def send(http, target, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    if target.method == "get":
        return http.get(target.url, headers=headers)
    data = {name: (SimpleUploadedFile("upload.json", b"{}") if value is FILE else value)
            for name, value in target.fields.items()}
    return http.post(target.url, data, headers=headers)


def described(target):
    return f"{target.method.upper()} {target.url}"



# What "nothing changed" means: the rows of every table of the project's apps but the bookkeeping
# ones (the access log records attempts by design; sessions, rate counters: tests/test_fuzz.py).

def database_rows():
    rows = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if model._meta.app_label in PROJECT_APPS and not any(name in table for name in BOOKKEEPING_TABLES):
            rows[table] = list(model.objects.order_by("pk").values())
    return rows


def changed_tables(before, after):
    return sorted(table for table in before if before[table] != after[table])


def every_one_is_404_and_changes_nothing(http, targets):
    """[what went wrong] for each target as this signed-in person: each must be a 404 that wrote nothing."""
    wrong = []
    counter = WriteCounter()
    before = database_rows()
    for target in targets:
        for htmx in (False, True):
            counter.rows = 0
            with connection.execute_wrapper(counter):
                status = send(http, target, htmx).status_code
            # 405: a method the address never takes, refused before any record is looked up.
            if status not in (404, 405) or counter.rows:
                wrong.append(f"{described(target)}{' (htmx)' if htmx else ''}: {status}, {counter.rows} rows written")
    changed = changed_tables(before, database_rows())
    if changed:
        wrong.append(f"tables changed: {changed}")
    return wrong


# A colleague: shared clients

# Client pages only her lead trainer or an owner may use (privacy.erasure.may_erase): a colleague
# gets a 403 there (tests/privacy/test_studio_rights.py), and the same as the owner everywhere else.
LEAD_OR_OWNER_ONLY = {"clients:delete"}

def test_a_colleague_gets_what_the_owner_gets_on_every_page_of_the_studios_clients(world):  # noqa: F811
    owner = world["trainer"]
    assert owner.is_owner
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    targets = studio_targets(world)
    as_owner, as_colleague = signed_in(owner), signed_in(colleague)
    different = []
    for target in targets:
        answers = []
        for http in (as_owner, as_colleague):  # each from the same database: the first is rolled back
            with transaction.atomic():
                response = send(http, target)
                # A record made there is named by a new id: PostgreSQL's sequences are not rolled back.
                answers.append((response.status_code, re.sub(r"\d+", "N", response.get("Location", "").split("?")[0])))
                transaction.set_rollback(True)
        match = resolve(target.url)
        if f"{match.namespace}:{match.url_name}" in LEAD_OR_OWNER_ONLY:
            if answers[1][0] != 403:
                different.append(f"{described(target)}: colleague {answers[1]}, not 403")
            continue
        if answers[0] != answers[1]:
            different.append(f"{described(target)}: owner {answers[0]}, colleague {answers[1]}")
        if target.method == "get" and answers[1][0] not in (200, 302, 405):
            different.append(f"{described(target)}: colleague {answers[1]}")
    assert not different, "\n".join(different)


def test_a_colleague_logs_a_session_saves_an_assessment_and_edits_her_plan(owner, ready_client):
    assessment = ready_client.assessments.get()
    programme = Programme.objects.create(
        client=ready_client, plan=walk_run_30().copy(trainer=owner, is_template=False),
        start_date=timezone.localdate() - timedelta(days=14), assigned_by=owner)
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    http = signed_in(colleague)

    # Her session (the log form carries the programme's next sequence number).
    response = http.post(reverse("programmes:log", args=[programme.pk]), {
        "done_on": next_log_day(programme).isoformat(), "outcome": "completed", "effort": "5", "notes": "",
        "sequence": str(Programme.objects.get(pk=programme.pk).next_sequence)}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert SessionLog.objects.get(programme=programme).logged_by == colleague

    # An assessment's field, saved as she types (htmx).
    response = http.post(reverse("assessments:studio", args=[assessment.pk]),
                         {"assessed_on": assessment.assessed_on.isoformat(), "notes": "Covered by Cara",
                          "version": assessment.version}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "All changes saved at" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).notes == "Covered by Cara"

    # Her programme's own plan: a session of it edited.
    session = programme.plan.sessions.order_by("week", "number").first()
    edit = http.get(reverse("plans:edit_session", args=[session.pk]), headers={"HX-Request": "true"})
    assert edit.status_code == 200
    fields = form_for(edit, reverse("plans:edit_session", args=[session.pk]))
    fields = {**fields, "warm_up_0": "9", "warm_up_1": "0"}
    response = http.post(reverse("plans:edit_session", args=[session.pk]), fields, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert PlanSession.objects.get(pk=session.pk).warm_up_seconds == 9 * 60


def forms_on(response):
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def form_for(page, url):
    """The fields, as the page fills them, of its form that posts to `url` (to itself, when it names none)."""
    return next(f for f in forms_on(page) if f["method"] == "post" and f["action"] in (url, ""))["fields"]


# Another studio: nothing

def test_a_member_of_another_studio_gets_404_everywhere_and_changes_nothing(world):  # noqa: F811
    targets = studio_targets(world)
    # A studio of two elsewhere, its owner and its trainer: neither reaches anything of this one.
    other_owner = make_trainer("elsewhere@example.com", "Eve Elsewhere", studio_name="Elsewhere Running")
    other_trainer = make_trainer("elsewhere-trainer@example.com", "Tia Elsewhere", studio=other_owner.studio)
    for person in (other_owner, other_trainer):
        wrong = every_one_is_404_and_changes_nothing(signed_in(person), targets)
        assert not wrong, f"{person}:\n" + "\n".join(wrong[:60])


def test_a_removed_member_is_signed_out_at_once_and_then_gets_404_everywhere(world):  # noqa: F811
    owner, client = world["trainer"], world["client"]
    member = make_trainer("leaving@example.com", "Lena Leaving", studio=owner.studio)
    http, htmx = signed_in(member), signed_in(member)
    assert http.get(client.get_absolute_url()).status_code == 200

    # Removed, as removing her will: a studio of her own, every session she has ended.
    member = Trainer.objects.get(pk=member.pk)
    member.studio, member.role = Studio.objects.create(), Trainer.OWNER
    member.session_epoch += 1
    member.save(update_fields=["studio", "role", "session_epoch"])

    response = http.get(client.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Her other tab, saving as she types: told to sign in (lapsed-session handling), nothing written.
    before = database_rows()
    assert htmx.get(client.get_absolute_url(), headers={"HX-Request": "true"}).status_code == 401
    assessment = world["assessment"]
    saved = htmx.post(reverse("assessments:studio", args=[assessment.pk]),
                      {"assessed_on": assessment.assessed_on.isoformat(), "notes": "After she left",
                       "version": assessment.version}, headers={"HX-Request": "true"})
    assert saved.status_code == 401 and not changed_tables(before, database_rows())

    # Signed in again, as the owner of her own studio now: nothing of her old studio's.
    wrong = every_one_is_404_and_changes_nothing(signed_in(Trainer.objects.get(pk=member.pk)), studio_targets(world))
    assert not wrong, "\n".join(wrong[:60])


# Owner-only pages

def png():
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (31, 111, 107)).save(out, format="PNG")
    return out.getvalue()


def owner_only_url(name, member):
    """The address of an owner-only page; a parameter naming a member is the trainer under test."""
    route = next(r for r in discover_routes() if r.name == name and not r.namespace)
    kwargs = {}
    for parameter in route.parameters:
        assert parameter.endswith("pk"), f"Teach owner_only_url() the parameter {parameter!r} of {route.route}"
        kwargs[parameter] = member.pk
    if name == "invitation_revoke":  # an invitation of the studio's, waiting
        from accounts.models import Invitation
        kwargs["pk"] = Invitation.objects.create(studio=member.studio, email="invited@example.com",
                                                 role="trainer", invited_by=member).pk
    return reverse(name, kwargs=kwargs)


def owner_forms(http, urls):
    """{action: fields} of every form on the owner's profile page and owner-only pages, as she sees them."""
    found = {}
    for url in [reverse("profile"), *urls]:
        response = http.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for form in forms_on(response):
                if form["method"] == "post":
                    found.setdefault(form["action"] or url, {}).update(form["fields"])
    return found


def post_data(fields):
    return {name: (SimpleUploadedFile("logo.png", png(), content_type="image/png") if value is FILE else value)
            for name, value in fields.items()}


def test_every_studio_page_of_accounts_is_listed_as_owner_only_or_for_every_member():
    names = {pattern.name for pattern in accounts.urls.urlpatterns if getattr(pattern, "name", None)}
    studio_pages = {name for name in names if name.startswith(("studio", "member", "invitation"))}
    assert set(OWNER_ONLY_URLS) <= names, set(OWNER_ONLY_URLS) - names
    unlisted = studio_pages - set(OWNER_ONLY_URLS) - set(STUDIO_URLS_FOR_EVERY_MEMBER)
    assert not unlisted, f"Add these to OWNER_ONLY_URLS (or, if every member may use them, STUDIO_URLS_FOR_EVERY_MEMBER): {unlisted}"


@pytest.mark.parametrize("name", OWNER_ONLY_URLS)
def test_a_trainer_member_is_refused_every_owner_only_page_and_changes_nothing(name, owner, client_record):
    member = make_trainer("member@example.com", "Mia Member", studio=owner.studio)
    url = owner_only_url(name, member)
    as_owner, as_member = signed_in(owner), signed_in(member)
    fields = owner_forms(as_owner, [url]).get(url, {})
    owner_get = as_owner.get(url).status_code

    before = database_rows()
    counter = WriteCounter()
    with connection.execute_wrapper(counter):
        got = as_member.get(url).status_code
        posted = as_member.post(url, post_data(fields)).status_code
        posted_htmx = as_member.post(url, post_data(fields), headers={"HX-Request": "true"}).status_code
    # A page that has no GET answers 405 to everyone: nothing of the studio's on it.
    assert got in ((403, 404) if owner_get != 405 else (405,)), (url, got, owner_get)
    assert posted in (403, 404) and posted_htmx in (403, 404), (url, posted, posted_htmx)
    assert counter.rows == 0 and not changed_tables(before, database_rows())

    # The owner, sending the same, is not refused: the refusal is the role's.
    with transaction.atomic():
        assert as_owner.post(url, post_data(fields)).status_code not in (403, 404, 405), url
        transaction.set_rollback(True)


def test_an_owner_of_another_studio_changes_nothing_of_this_studio_by_its_owner_only_pages(owner, stranger):
    """Owner-only pages act on the signed-in owner's own studio: no address reaches another's."""
    as_stranger = signed_in(stranger)
    studio = Studio.objects.get(pk=owner.studio_id)
    as_stranger.post(reverse("studio_details"), {"name": "Taken over", "quiet_after_days": "9", "retention_days": "30"})
    assert Studio.objects.get(pk=owner.studio_id).name == studio.name == "Owner Fitness"


# Plans and exercises: the studio's are every member's, built-ins everyone's to read, nobody's to edit

# What may be done with a built-in: read it and duplicate it (the copy is the studio's to edit).
# A session's own page is its editing fragment (plans:session): not a built-in's.
BUILTIN_READABLE = {"detail", "duplicate", "exercise", "exercise_duplicate"}


def plan_routes():
    return [r for r in discover_routes() if r.namespace == "plans" and r.parameters]


def builtin_world():
    plan = Plan.objects.filter(studio=None).first()
    return {"plan": plan, "plan_session": plan.sessions.first(), "exercise": Exercise.objects.filter(studio=None).first()}


def test_built_in_plans_and_exercises_are_everyones_to_read_and_nobodys_to_edit(owner, stranger):
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    builtins = builtin_world()
    wrong = []
    for person in (owner, colleague, stranger):
        http = signed_in(person)
        before = database_rows()
        for route in plan_routes():
            kwargs = {p: parameter_value(builtins, "plans", route.name, route.route, p) for p in route.parameters}
            url = reverse(f"plans:{route.name}", kwargs=kwargs)
            for method in ("get", "post"):
                with transaction.atomic():
                    status = getattr(http, method)(url, {"name": "Mine now"}).status_code
                    transaction.set_rollback(True)
                readable = route.name in BUILTIN_READABLE
                if method == "get":
                    allowed = (200, 405) if readable else (403, 404, 405)
                elif readable:  # a duplicate made; a page to read ignores a POST (nothing changes: checked below)
                    allowed = (200, 302, 405)
                else:
                    allowed = (403, 404, 405)
                if status not in allowed:
                    wrong.append(f"{person}: {method.upper()} {url} ({route.name}): {status}")
        if changed_tables(before, database_rows()):
            wrong.append(f"{person}: changed {changed_tables(before, database_rows())}")
    assert not wrong, "\n".join(wrong)


def test_a_colleague_edits_a_template_and_an_exercise_the_owner_made(owner):
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    template = Plan.objects.filter(studio=None).first().copy(trainer=owner, name="Olivia's gentle start")
    exercise = Exercise.objects.filter(studio=None).first().copy(owner)
    http = signed_in(colleague)
    assert "Olivia's gentle start" in visible_text(http.get(reverse("plans:list")))
    assert http.post(reverse("plans:rename", args=[template.pk]), {"name": "Cara's gentle start",
                                                                   "description": ""}).status_code in (200, 302)
    assert Plan.objects.get(pk=template.pk).name == "Cara's gentle start"
    page = http.get(reverse("plans:exercise_edit", args=[exercise.pk]))
    assert page.status_code == 200
    fields = form_for(page, reverse("plans:exercise_edit", args=[exercise.pk]))
    fields = {name: value for name, value in fields.items() if value is not FILE}
    response = http.post(reverse("plans:exercise_edit", args=[exercise.pk]), {**fields, "name": "Cara's calf raise"})
    assert response.status_code == 302, visible_text(response)[:3000]
    assert Exercise.objects.get(pk=exercise.pk).name == "Cara's calf raise"
    # Still the studio's, made by the owner: editing it does not make it the colleague's.
    assert (Exercise.objects.get(pk=exercise.pk).trainer_id, Plan.objects.get(pk=template.pk).trainer_id) == (owner.pk, owner.pk)


# Her private link: hers, whatever happens to the trainers

def test_her_link_keeps_working_when_the_trainer_who_made_it_leaves_the_studio(owner):
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    client = make_client(owner)
    make_assessment(client)
    _, token = ShareLink.issue(client, colleague)
    anon = HttpClient()
    url = reverse("reports:progress", args=[token])
    assert anon.get(url).status_code == 200
    colleague.studio, colleague.role = Studio.objects.create(), Trainer.OWNER
    colleague.session_epoch += 1
    colleague.save(update_fields=["studio", "role", "session_epoch"])
    assert anon.get(url).status_code == 200
    # Handed over to the leaving colleague's replacement: still her link.
    Client.objects.filter(pk=client.pk).update(trainer=make_trainer("new@example.com", studio=owner.studio))
    assert anon.get(url).status_code == 200


@pytest.mark.parametrize("gone", ["erased", "archived"])
def test_her_link_is_404_once_she_is_erased_or_archived(owner, gone):
    client = make_client(owner)
    make_assessment(client)
    _, token = ShareLink.issue(client, owner)
    anon = HttpClient()
    urls = [reverse(f"reports:{name}", args=[token]) for name in ("progress", "log", "strength", "calendar", "reminders")]
    assert anon.get(urls[0]).status_code == 200
    if gone == "erased":
        erase_client(Client.objects.get(pk=client.pk))
    else:
        Client.objects.get(pk=client.pk).archive()
    for url in urls:
        assert anon.get(url).status_code == 404, url
