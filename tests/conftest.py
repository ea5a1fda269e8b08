import os
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.models import Studio, Trainer
from clients.models import Client
from programmes.models import Plan, Programme
from tests.factories import make_assessment

# Playwright's sync API runs an event loop in the test thread; the tests' own ORM
# calls are synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-long-test-passphrase"


@pytest.fixture
def midday():
    """Today at 12:00 in the project's time zone, the clock running on from there (time-machine;
    `tick` keeps each write later than the one before). A test that reads today in its set-up and
    the app that reads it again answering cannot see two different days, whenever the run starts:
    a module of date-dependent tests uses it with `pytestmark = pytest.mark.usefixtures("midday")`,
    which sets it up before the test's own fixtures."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield noon


def make_trainer(email, name="Test Trainer", studio_name="", studio=None, **fields):
    """A trainer who signed up on her own (the owner of a studio of one), or, given `studio`, a
    member of that studio (role="trainer" unless said)."""
    if studio is None:
        studio = Studio.objects.create(name=studio_name)
        fields.setdefault("role", Trainer.OWNER)
    else:
        fields.setdefault("role", Trainer.TRAINER)
    return Trainer.objects.create_user(email=email, password=PASSWORD, full_name=name, studio=studio, **fields)


def walk_run_30():
    """The built-in "Walk–run to 30 minutes" template."""
    return Plan.objects.get(studio=None, name="Walk–run to 30 minutes")


def fresh(programme):
    """The programme as the database has it now, ready for state and the rule for who may run."""
    return Programme.objects.filter(pk=programme.pk).with_progress().get()


def next_log_day(programme):
    """The day to log her next session on: the start date, then every other day, so each session
    counts (DOMAIN.md "Pacing": one a day, a rest day between)."""
    from django.db.models import Max

    from programmes.models import SessionLog

    last = SessionLog.objects.filter(programme_id=programme.pk).aggregate(last=Max("done_on"))["last"]
    start = Programme.objects.values_list("start_date", flat=True).get(pk=programme.pk)
    day = start if last is None else max(last + timedelta(days=2), start)
    # Never in the future: a test that logs more sessions than its programme has days for gets
    # them refused (one a day), and says so in the form's errors.
    return min(day, timezone.localdate())


def make_client(trainer, name="Amira Haddad", weeks=14, consent=True, **fields):
    fields.setdefault("baby_date_of_birth", timezone.localdate() - timedelta(weeks=weeks))
    if consent:
        fields.setdefault("consent_recorded_at", timezone.now())
        fields.setdefault("consent_recorded_by", trainer)
    return Client.objects.create(trainer=trainer, full_name=name, **fields)


class _TextParser(HTMLParser):
    SKIPPED = {"script", "style", "template", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in ("br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "label", "option", "dt", "dd"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        else:
            self.parts.append(" " if tag not in ("a", "span", "strong", "em", "b", "i", "abbr", "time") else "")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def same_row(found, expected):
    """The same values, of the same types, in every column, as a row the ORM read (a written-out
    statement's row: lib/queries.py Written)."""
    assert type(found) is type(expected) and not found._state.adding
    for field in type(expected)._meta.concrete_fields:
        value, wanted = getattr(found, field.attname), getattr(expected, field.attname)
        assert (value, type(value)) == (wanted, type(wanted)), field.name


def engine_before(folder):
    """The template engine as configured, but finding first the templates kept in `folder` as they were
    before a loop or an include of theirs was built in Python: to hold the new code equal, byte for
    byte, to what they wrote (tests/programmes/plan_before, tests/assessments/table_before)."""
    from django.template import Engine, engines

    now = engines["django"].engine
    return Engine(dirs=[str(folder), *now.dirs], loaders=now.loaders, context_processors=now.context_processors,
                  libraries=now.libraries, builtins=[name for name in now.builtins if name not in Engine.default_builtins])


def visible_text(page):
    """What she reads on a page (a response, bytes or str): its text without the markup, entities
    decoded (an apostrophe is an apostrophe), whitespace collapsed to one space. Assert on this when
    the point is the words shown; keep markup assertions for what markup is for (names, ids, aria)."""
    if hasattr(page, "content"):
        page = page.content
    if isinstance(page, bytes):
        page = page.decode()
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    return " ".join("".join(parser.parts).split())


@pytest.fixture
def owner(db):
    return make_trainer("owner@example.com", "Olivia Owner", studio_name="Owner Fitness")


@pytest.fixture
def stranger(db):
    return make_trainer("stranger@example.com", "Sam Stranger")


@pytest.fixture
def client_record(owner):
    return make_client(owner)


@pytest.fixture
def ready_client(client_record):
    """A client whose one assessment is "ready"."""
    make_assessment(client_record)
    return client_record


def signed_in(trainer):
    """A test client signed in as `trainer`."""
    http = HttpClient()
    http.force_login(trainer)
    return http


@pytest.fixture
def owner_http(owner):
    return signed_in(owner)


@pytest.fixture
def stranger_http(stranger):
    return signed_in(stranger)


@pytest.fixture
def colleague(owner):
    """A trainer of the owner's studio (issue 26): she works with the owner's clients."""
    return make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)


@pytest.fixture
def colleague_http(colleague):
    return signed_in(colleague)


@pytest.fixture
def anon_http():
    return HttpClient()


@pytest.fixture
def today():
    return timezone.localdate()


def years_ago(years, today=None):
    today = today or date.today()
    return today.replace(year=today.year - years)


@pytest.fixture(autouse=True)
def empty_cache():
    """The link throttle's counters and the report queue's de-duplication live in the cache,
    keyed by ids that repeat across tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def cached_values():
    """Every value in every cache, as the bytes stored (locmem and Redis), to search for her data."""
    from django.core.cache import caches

    found = []
    for cache in caches.all():
        if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # locmem
            found += list(cache._cache.values())
        else:  # Redis: raw values under this cache's prefix
            client = cache._cache.get_client(None)
            found += [client.get(key) or b"" for key in client.keys(cache.make_key("*"))]
    return found


def nothing_cached_about(*texts):
    """True when no cache holds any of these texts (her name, her notes …)."""
    return not any(text.encode() in value for value in cached_values() for text in texts)


# Property tests explore widely; on a busy 2-core CI machine the default deadline is noise.
hypothesis_settings.register_profile("restride", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("restride")
