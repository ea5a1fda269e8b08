"""Bad input never gives a 5xx, and a rejected request changes nothing.

The endpoints are discovered, not listed: every URL pattern of the resolver is reversed with the
signed-in trainer's own objects, every page is fetched, and the fields of every form on it are
collected. Hypothesis then sends each endpoint generated bad data — wrong types, huge and unicode
digits, NUL, lone surrogates, invalid UTF-8, CR/LF, dates 0001 and 9999, huge strings, malformed
JSON of every shape, bad files, forged path values — signed in (and sometimes signed out), and
checks the answer is never a 5xx and that a rejection (a 4xx, or a page showing form errors)
wrote nothing. A new URL whose parameters it cannot fill fails the test, naming the URL.
"""

import io
import json
import logging
import os
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.member_views import invitation_token
from accounts.models import Invitation, Trainer
from accounts.views import SIGNUP_SALT
from assessments.models import Assessment
from clients.models import Client, ShareLink
from programmes.models import Exercise, Plan, PlanSession, Programme, StrengthLog, StrengthPlan
from reports.management.commands.loaddemo import DEMO_EMAIL

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", 2000))
# Ends the session, takes no input: not something bad data can reach.
SKIPPED_ROUTES = {"logout"}
# Sessions (renewed as she works, rewritten on sign-in), axes' record of every failed sign-in and
# the access log (every view and every attempt is recorded, accepted or not) and the unconfirmed
# authenticator that two-factor enrolment creates when first shown (django-otp also notes failed
# codes on it) are written by design, whatever the input: not a change of the trainer's data.
# So are the rate-limit counters (accounts/limits.py), which count every attempt.
BOOKKEEPING_TABLES = ("django_session", "axes_", "audit_accessevent", "otp_totp_totpdevice", "accounts_ratecount")


# The trainer's world

@pytest.fixture
def world(db):
    call_command("loaddemo", stdout=io.StringIO())
    trainer = Trainer.objects.get(email=DEMO_EMAIL)
    programme = Programme.objects.filter(client__trainer=trainer).select_related("client", "plan").first()
    client = programme.client
    plan = Plan.objects.filter(trainer=None).first().copy(trainer=trainer, name="Fuzz plan")
    _, share_token = ShareLink.issue(client, trainer)
    exercise = Exercise.objects.filter(trainer=None).first().copy(trainer)
    # A strength session with a red flag, for its referral summary: on another client of hers, so
    # that the fuzzed client's programme stays open to logging.
    other = Client.objects.filter(trainer=trainer).exclude(pk=client.pk).exclude(consent_recorded_at=None).first()
    strength = StrengthPlan.objects.create(client=other, assigned_by=trainer, start_date=timezone.localdate(),
                                           ended_at=timezone.now())  # beside any current plan of hers
    strength_log = StrengthLog.objects.create(plan=strength, sequence=1, done_on=timezone.localdate(), logged_by=trainer,
                                              symptoms=["heaviness_dragging"])
    details = {"email": "new-trainer@example.com", "full_name": "New Trainer", "business_name": ""}
    colleague = Trainer.objects.create_user(email="fuzz-colleague@example.com", password="a-long-test-passphrase",
                                            full_name="Fuzz Colleague", studio=trainer.studio, role=Trainer.TRAINER)
    invitation = Invitation.objects.create(studio=trainer.studio, email="fuzz-invited@example.com", invited_by=trainer)
    return {
        "trainer": trainer,
        "client": client,
        "assessment": Assessment.objects.filter(client=client).first() or Assessment.objects.filter(client__trainer=trainer).first(),
        "programme": programme,
        "log": programme.logs.order_by("-sequence").first(),
        "plan": plan,
        "plan_session": PlanSession.objects.filter(plan=plan).first(),
        "exercise": exercise,
        "strength_log": strength_log,
        "share_token": share_token,
        "signup_token": signing.dumps(details, salt=SIGNUP_SALT, compress=True),
        "colleague": colleague,
        "invitation": invitation,
        "uidb64": urlsafe_base64_encode(force_bytes(trainer.pk)),
        "reset_token": default_token_generator.make_token(trainer),
    }


def parameter_value(world, namespace, name, route, parameter):
    """The trainer's own object for a URL parameter; None when this test does not know it yet."""
    if parameter == "client_pk":
        return world["client"].pk
    if parameter == "assessment_pk":
        return world["assessment"].pk
    if parameter == "week":
        return 1
    if parameter == "log_pk":
        return world["log"].pk
    if parameter == "strength_log_pk":
        return world["strength_log"].pk
    if parameter == "uidb64":
        return world["uidb64"]
    if parameter == "token":
        if namespace == "reports" and name == "unsubscribe":
            from reports.unsubscribe import token_for

            return token_for(client=world["client"])
        if namespace == "reports":
            return world["share_token"]
        if name == "invitation":
            return invitation_token(world["invitation"])
        return {"signup_confirm": world["signup_token"], "password_reset_confirm": world["reset_token"]}.get(name)
    if parameter == "pk":
        if name in ("member_role", "member_remove"):
            return world["colleague"].pk
        if name == "invitation_revoke":
            return world["invitation"].pk
        if route.startswith("assessments/"):
            return world["assessment"].pk
        if namespace == "plans" and route.startswith("plans/exercises/"):
            return world["exercise"].pk
        if namespace == "plans":
            return world["plan_session"].pk if "sessions/" in route else world["plan"].pk
        return {
            "clients": world["client"].pk, "assessments": world["assessment"].pk, "reports": world["assessment"].pk,
            "programmes": world["programme"].pk,
        }.get(namespace)
    return None


@dataclass
class Route:
    namespace: str
    name: str
    route: str
    parameters: list


def discover_routes(patterns=None, prefix="", namespace=""):
    routes = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            routes += discover_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = prefix + str(pattern.pattern)
            routes.append(Route(namespace, pattern.name, route, list(pattern.pattern.converters) or _regex_groups(pattern)))
    return routes


def _regex_groups(pattern):
    regex = getattr(pattern.pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


# What the pages offer

class FormParser(HTMLParser):
    """Every <form> on a page: its action, method, enctype and fields with their current values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                            "multipart": attrs.get("enctype") == "multipart/form-data", "fields": {}}
            self.forms.append(self.current)
        elif self.current is not None and attrs.get("name"):
            fields = self.current["fields"]
            if tag == "input":
                kind = attrs.get("type", "text")
                if kind in ("radio", "checkbox"):
                    fields.setdefault(attrs["name"], attrs.get("value", "on") if "checked" in attrs else "")
                    if "checked" in attrs:
                        fields[attrs["name"]] = attrs.get("value", "on")
                elif kind != "file":
                    fields[attrs["name"]] = attrs.get("value", "")
                else:
                    fields[attrs["name"]] = FILE
            elif tag in ("button",) and attrs.get("value") is not None:
                fields.setdefault(attrs["name"], attrs["value"])
            elif tag == "textarea":
                self.textarea = attrs["name"]
                fields[attrs["name"]] = ""
            elif tag == "select":
                self.select = attrs["name"]
                fields.setdefault(attrs["name"], "")
        elif tag == "option" and self.current is not None and self.select:
            if "selected" in attrs or not self.current["fields"].get(self.select):
                self.current["fields"][self.select] = attrs.get("value", "")

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current["fields"][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


FILE = object()


@dataclass
class Target:
    url: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> a valid-looking value from the page
    multipart: bool = False
    public: bool = False
    route: Route | None = None


def discover_targets(world):
    http = HttpClient()
    http.force_login(world["trainer"])
    routes = [r for r in discover_routes() if r.name not in SKIPPED_ROUTES]
    unmapped, targets = [], {}
    for route in routes:
        kwargs = {p: parameter_value(world, route.namespace, route.name, route.route, p) for p in route.parameters}
        if None in kwargs.values():
            unmapped.append(route.route)
            continue
        url = reverse(f"{route.namespace}:{route.name}" if route.namespace else route.name, kwargs=kwargs)
        for method in ("get", "post"):
            targets[(url, method)] = Target(url, method, route=route)
    assert not unmapped, f"Teach parameter_value() these new URLs' parameters: {unmapped}"

    for (url, method), target in list(targets.items()):
        if method != "get":
            continue
        response = http.get(url)
        assert response.status_code != 404, f"{url} should be one of the trainer's own pages"
        target.public = HttpClient().get(url).status_code not in (302, 404)
        if response.get("Content-Type", "").startswith("text/html"):
            parser = FormParser()
            parser.feed(response.content.decode())
            for form in parser.forms:
                action = urlsplit(urljoin(url, form["action"] or url)).path
                if resolve(action).url_name in SKIPPED_ROUTES:
                    continue
                found = targets.setdefault((action, form["method"]), Target(action, form["method"]))
                found.fields.update(form["fields"])
                found.multipart |= form["multipart"]
        targets[(url, "post")].public = target.public
    return sorted(targets.values(), key=lambda t: (t.url, t.method))


# Bad data

SECTION_KEYS = ["assessed_on", "notes", "weeks_postpartum", "profile", "symptoms", "pelvic_floor", "load_impact", "strength", "holistic"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from([10**4000, -(10**30), "\ud800", "\x00", "2026-02-30", "0001-01-01", "9999-12-31"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(SECTION_KEYS) | st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=5,
)


def json_text(value):
    try:
        return json.dumps(value, ensure_ascii=False)
    except ValueError:  # 10**4000 is past the str() limit: write it by hand
        return "9" * 4500


MALFORMED_JSON = st.one_of(
    JSON_VALUES.map(json_text),
    st.dictionaries(st.sampled_from(SECTION_KEYS), JSON_VALUES, max_size=6).map(json_text),
    JSON_VALUES.map(json_text).map(lambda text: text[: len(text) // 2]),  # cut short
    st.sampled_from([
        "{", "[", "}", '{"a":}', "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "NaN", "Infinity",
        '{"assessed_on": 1e999}', '{"notes": "\\ud800"}', '{"notes": "\\u0000"}', '"\\udfff"', "\ufeff{}", "{}" * 100,
        '{"strength": {"single_leg_bridge": {"left": ' + "9" * 5000 + "}}}", '{"assessed_on": [], "notes": {}}',
    ]),
)
NASTY_STRINGS = st.sampled_from([
    "", " ", "0", "-1", "-0", "1.5", "1e309", "NaN", "inf", "²", "١٢", "௫", "9" * 30, "9" * 5000, "0x10", "+5",
    "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "31/12/2026", "0000-00-00", "1-1-1",
    "true", "false", "null", "on", "[]", "{}", "\x00", "a\x00b", "\ud800", "x\udfffy", "\r\n", "a\r\nBcc: x@example.com",
    "\u202eevil", "\u200b", "\ufeff", "\uffff", "😀" * 50, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
    "%00", "%ZZ", "x" * 100_000, "é" * 20_000, " \t ", "\x0b\x0c", "a@b", "user@example.com\nBcc: a@b.c",
])
BAD_VALUE = st.one_of(
    NASTY_STRINGS,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(st.characters(codec=None, categories=None), max_size=40),
    st.lists(st.integers(0xD800, 0xDFFF) | st.integers(0, 0x1F), max_size=8).map(lambda codes: "".join(map(chr, codes))),
    MALFORMED_JSON,
)
FILE_CONTENT = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from([b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff\xe0" + b"\x00" * 40, b"GIF89a", b"\xff" * 3000]),
    MALFORMED_JSON.map(lambda text: text.encode("utf-8", "surrogatepass")),
)


EXTRA_NAMES = st.sampled_from(
    ["q", "page", "a", "b", "show", "next", "logged", "overwrite", "retest", "action", "token", "version", "expires_on",
     "csrfmiddlewaretoken"]
) | st.text(max_size=10)


def encode(value):
    # surrogatepass: a lone surrogate goes on the wire as the (invalid) UTF-8 bytes it would be.
    return quote_from_bytes(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value, safe="")


def form_body(pairs):
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


@st.composite
def requests(draw, targets):
    # Mostly POSTs: a GET page takes its input only from the query string and path.
    posts = [t for t in targets if t.method == "post"]
    gets = [t for t in targets if t.method == "get"]
    target = draw(st.sampled_from(gets if draw(st.integers(0, 4)) == 0 else posts))
    names = [name for name, valid in target.fields.items() if valid is not FILE]
    # A few fields get bad values; the rest keep the page's own, so the request reaches deeper code.
    bad = set(draw(st.lists(st.sampled_from(names), max_size=5, unique=True))) if names else set()
    dropped = draw(st.sampled_from(names)) if names and draw(st.integers(0, 4)) == 0 else None
    pairs = []
    for name in names:
        if name == dropped:
            continue
        if name not in bad:
            pairs.append((name, target.fields[name]))
            continue
        pairs.append((name, draw(BAD_VALUE)))
        if draw(st.integers(0, 5)) == 0:
            pairs.append((name, draw(BAD_VALUE)))  # the same field twice
    for _ in range(draw(st.integers(0, 2))):
        pairs.append((draw(EXTRA_NAMES), draw(BAD_VALUE)))  # what views read from request.GET/POST directly
    files = {}
    if target.method == "post" and (target.multipart or draw(st.integers(0, 9)) == 0):
        names = [n for n, v in target.fields.items() if v is FILE] or [draw(st.sampled_from(["file", "logo"]))]
        for name in names:
            if draw(st.integers(0, 3)):
                files[name] = draw(FILE_CONTENT)
    url = target.url
    if target.route and target.route.parameters and draw(st.integers(0, 9)) == 0:
        url = forge_path(url, draw(st.sampled_from(["0", "9" * 25, "%00", "%ED%A0%80", "x" * 300, "%0d%0a", "..%2f"])))
    return {
        "target": target, "url": url, "pairs": pairs, "files": files,
        "htmx": draw(st.booleans()), "anonymous": target.public and draw(st.integers(0, 4)) == 0,
    }


def forge_path(url, value):
    """Replace the last path segment holding a parameter value with `value`."""
    parts = url.rstrip("/").split("/")
    for index in range(len(parts) - 1, 0, -1):
        if parts[index].isdigit() or len(parts[index]) > 20:
            parts[index] = value
            break
    return "/".join(parts) + ("/" if url.endswith("/") else "")


class LeanClient(HttpClient):
    """Django's test client without its copy of every template's context on each render: on this
    endpoint mix that bookkeeping is a large share of a request's cost. It still re-raises the
    view's exception, so a 5xx comes with its traceback."""

    def request(self, **request):
        environ = self._base_environ(**request)
        uid = f"fuzz-exception-{id(request)}"
        got_request_exception.connect(self.store_exc_info, dispatch_uid=uid)
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid=uid)
        self.check_exception(response)
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


# Watching the database

class WriteCounter:
    """Rows inserted, updated or deleted outside the bookkeeping tables, from each statement's rowcount."""

    def __init__(self):
        self.rows = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statement = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if statement in ("INSERT", "UPDATE", "DELETE") and not any(table in sql for table in BOOKKEEPING_TABLES):
            self.rows += max(context["cursor"].rowcount, 0 if statement != "INSERT" else 1)
        return result


def rejected(response, target):
    if 400 <= response.status_code < 500:
        return True
    if response.status_code != 200 or target.method != "post" or target.route and target.route.name == "studio":
        # The studio saves every valid field as it changes, even beside a wrong one, by design.
        return False
    page = response.content.decode(errors="replace")
    # Field errors, a form's error summary, or a refusal ("already logged", "held"): not any red
    # alert, since a paused programme's card always shows one.
    return "field-errors" in page or 'id="error-summary"' in page or "alert--error refusal" in page


def test_no_input_gives_a_5xx_and_rejections_change_nothing(world):
    targets = discover_targets(world)
    assert {t.route.name for t in targets if t.route} >= {"studio", "import", "list", "progress", "signup", "login"}
    signed_in = LeanClient()
    signed_in.force_login(world["trainer"])
    anonymous = LeanClient()
    stats = {"requests": 0, "5xx": 0, "rejected": 0, "status": {}}
    counter = WriteCounter()

    @settings(max_examples=REQUESTS, phases=[Phase.generate, Phase.shrink], database=None,
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(request=requests(targets))
    def fuzz(request):
        http = anonymous if request["anonymous"] else signed_in
        saved_cookies = http.cookies
        http.cookies = type(saved_cookies)(saved_cookies)
        headers = {"HX-Request": "true"} if request["htmx"] else {}
        try:
            with transaction.atomic():
                counter.rows = 0
                with connection.execute_wrapper(counter):
                    response = send(http, request, headers)
                transaction.set_rollback(True)  # every request starts from the same world
        finally:
            http.cookies = saved_cookies
        stats["requests"] += 1
        stats["status"][response.status_code] = stats["status"].get(response.status_code, 0) + 1
        described = f"{request['target'].method.upper()} {request['url']} {request['pairs']!r:.300}"
        if response.status_code >= 500:
            stats["5xx"] += 1
        assert response.status_code < 500, described
        if rejected(response, request["target"]):
            stats["rejected"] += 1
            assert counter.rows == 0, f"a rejected request wrote {counter.rows} rows: {described}"

    started, cpu = time.monotonic(), time.process_time()
    logging.disable(logging.CRITICAL)  # thousands of expected "Not Found" warnings cost time and say nothing
    try:
        fuzz()
    finally:
        logging.disable(logging.NOTSET)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"\nfuzz: {stats['requests']} requests to {len(targets)} endpoints in {elapsed:.0f} s ({cpu:.0f} s of CPU), "
          f"{stats['5xx']} 5xx, {stats['rejected']} rejected, by status {dict(sorted(stats['status'].items()))}")
    assert stats["requests"] >= REQUESTS and stats["5xx"] == 0


def send(http, request, headers):
    target = request["target"]
    if target.method == "get":
        query = form_body(request["pairs"])
        return http.get(f"{request['url']}?{query}" if query else request["url"], headers=headers)
    if request["files"]:
        data = {}
        for name, value in request["pairs"]:
            # Multipart field names and values travel as text: a lone surrogate becomes U+FFFD on the way.
            text = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            data.setdefault(name.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), []).append(text)
        for name, content in request["files"].items():
            data[name] = SimpleUploadedFile("upload.bin", content)
        return http.post(request["url"], data, headers=headers)
    return http.post(request["url"], form_body(request["pairs"]), content_type="application/x-www-form-urlencoded", headers=headers)


# Every query parameter a page reads, with a fixed list of bad values

# Unicode digits that str.isdigit() accepts and int() refuses or reads, signs, spaces, floats,
# huge numbers, NUL, a lone surrogate, markup, the empty string and a repeated key.
BAD_QUERY_VALUES = ["²", "①", "١٢", "௫", "¹⁰", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x1", "0", "9" * 12, "9" * 5000,
                    "", "\x00", "\ud800", "<b>", "' OR 1=1 --", "%", "true", "None", "[]"]


class RecordingQueryDict:
    """While active, notes every key a view reads from request.GET (get, [], getlist, in)."""

    def __init__(self):
        self.read = set()

    def __enter__(self):
        from django.http import QueryDict

        self.saved = {name: getattr(QueryDict, name) for name in ("get", "__getitem__", "getlist", "__contains__")}
        for name, original in self.saved.items():
            setattr(QueryDict, name, self._recording(original))
        return self

    def _recording(self, original):
        recorder = self

        def method(querydict, key, *args, **kwargs):
            if isinstance(key, str):
                recorder.read.add(key)
            return original(querydict, key, *args, **kwargs)

        return method

    def __exit__(self, *exc):
        from django.http import QueryDict

        for name, original in self.saved.items():
            setattr(QueryDict, name, original)


def learned_query_parameters(world):
    """{url: the query keys its view read} for every page, learned by fetching it signed in.
    Django's own reads (the CSRF field, the sign-in page's "next") are learned too: harmless."""
    http = HttpClient()
    http.force_login(world["trainer"])
    learned = {}
    for route in discover_routes():
        if route.name in SKIPPED_ROUTES:
            continue
        kwargs = {p: parameter_value(world, route.namespace, route.name, route.route, p) for p in route.parameters}
        url = reverse(f"{route.namespace}:{route.name}" if route.namespace else route.name, kwargs=kwargs)
        with RecordingQueryDict() as recorder:
            http.get(url, headers={"HX-Request": "true"})
            http.get(url)
        learned[url] = recorder.read - {"csrfmiddlewaretoken"}
    return learned


def test_every_query_parameter_a_page_reads_takes_bad_values_without_a_5xx(world):
    learned = learned_query_parameters(world)
    read = set().union(*learned.values())
    # The ones this test was written for: a page that stops reading one is fine, one that reads a
    # new one is fuzzed without being listed here.
    assert read >= {"logged", "a", "b", "page", "q", "show", "next"}, read
    http = LeanClient()
    http.force_login(world["trainer"])
    failures = []
    logging.disable(logging.CRITICAL)
    try:
        for url, names in sorted(learned.items()):
            for name in sorted(names):
                for value in BAD_QUERY_VALUES:
                    for headers in ({}, {"HX-Request": "true"}):
                        with transaction.atomic():
                            try:
                                status = http.get(f"{url}?{form_body([(name, value)])}", headers=headers).status_code
                            except Exception as error:  # noqa: BLE001  the test client re-raises the view's error
                                status = repr(error)[:80]
                            transaction.set_rollback(True)
                        if not isinstance(status, int) or status >= 500:
                            failures.append(f"GET {url}?{name}={value!r:.20} {'(htmx) ' if headers else ''}→ {status}")
    finally:
        logging.disable(logging.NOTSET)
    assert not failures, "\n".join(failures[:40])
