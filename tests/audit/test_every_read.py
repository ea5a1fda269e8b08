"""Every read of her data is logged (issue 21, part 3): every page whose address names one of her
records (her, an assessment, her programme, a log, her own plan, her private link), fetched by
her trainer or through her link, writes exactly one line of the access log about her.

The pages are discovered, not listed: every URL pattern, filled in with the demo trainer's
objects as the fuzz test fills them (tests/test_fuzz.py)."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import AccessEvent
from tests.test_fuzz import SKIPPED_ROUTES, discover_routes, parameter_value, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Parameters that name one of her records.
HERS = {"client_pk", "assessment_pk", "log_pk", "token", "pk", "week"}
# Pages whose address names a record that is not hers: a trainer's own template, the sign-up and
# password-reset links (their tokens are not her link); her link's service worker and manifest,
# which hold nothing of hers (the same script for everyone; her trainer's business name); the
# unsubscribe page, a button (stopping her reminders is logged); the studio's members and
# invitations (their changes are logged, as membership changes).
NOT_HERS = {"signup_confirm", "password_reset_confirm", "reset", "service_worker", "manifest", "unsubscribe",
            "member_role", "member_remove", "invitation_revoke", "invitation"}


def her_pages(world):  # noqa: F811
    for route in discover_routes():
        if route.name in SKIPPED_ROUTES or route.name in NOT_HERS or not set(route.parameters) & HERS:
            continue
        if route.namespace == "plans":
            continue  # the fuzz world's plan is her trainer's own template: her copy is walked below
        kwargs = {p: parameter_value(world, route.namespace, route.name, route.route, p) for p in route.parameters}
        yield route, reverse(f"{route.namespace}:{route.name}" if route.namespace else route.name, kwargs=kwargs)


def test_every_page_of_her_data_writes_one_line_about_her(world):  # noqa: F811
    trainer, client = world["trainer"], world["client"]
    http = HttpClient()
    http.force_login(trainer)
    her_plan = client.programmes.first().plan
    walked, wrong = [], []
    for _, url in her_pages(world):
        for htmx in (False, True):
            before = AccessEvent.objects.filter(client=client).count()
            response = http.get(url, headers={"HX-Request": "true"} if htmx else {})
            if response.status_code != 200:
                continue
            written = AccessEvent.objects.filter(client=client).count() - before
            walked.append(url)
            if written != 1:
                wrong.append(f"{url}{' (htmx)' if htmx else ''}: {written} lines")
    # Her programme's own plan, which the fuzz world does not name.
    for url in [reverse("plans:detail", args=[her_plan.pk])]:
        before = AccessEvent.objects.filter(client=client).count()
        assert http.get(url).status_code == 200
        if AccessEvent.objects.filter(client=client).count() - before != 1:
            wrong.append(f"{url} (her programme's plan)")
    assert len(set(walked)) >= 15, walked
    assert not wrong, "\n".join(wrong)
