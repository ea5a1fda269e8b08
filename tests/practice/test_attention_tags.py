"""Issue 20: the worklist's entries and the client list's rows are written out by tags
(practice/templatetags/attention_tags.py, client_list_tags.py), and draw exactly what the
templates they replaced drew, kept beside this file as the definition."""

import itertools
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from practice.attention import ORDER, Action, Reason

# templates/clients/_attention_list.html as it was, beside this file
TEMPLATE = (Path(__file__).parent / "attention_list_template.html").read_text()

HOSTILE = "O'Brien <b>&amp; \"co\""


def client(number, namesake=False, twin=False, email="", born=date(2026, 3, 4), whose=None):
    found = SimpleNamespace(full_name=f"{HOSTILE} {number}", email=email, baby_date_of_birth=born, has_namesake=namesake,
                            has_twin=twin)
    if whose is not None:
        found.whose = whose
    return found


def entry(number, kinds, last_ack="", **fields):
    reasons = tuple(Reason(kind, f"{kind} <title> {number}", f"Detail & {HOSTILE}", Action(f"Do {kind}", f"/c/{number}/?a=1&b=<2>")
                           if index % 2 == 0 else None) for index, kind in enumerate(kinds))
    return SimpleNamespace(
        client=client(number, **fields), kind=kinds[0], url=f"/clients/{number}/", anchor="#programme" if number % 2 else "",
        reasons=reasons, last_ack=last_ack, actions=tuple(dict.fromkeys(r.action for r in reasons if r.action)),
        offers_referral_sent=any(r.kind in ("paused", "red_flag") for r in reasons), ack_url=f"/clients/{number}/attention/",
        fingerprint=f"{number}-7-<x>")


def entries():
    found = [entry(index, (kind,)) for index, kind in enumerate(ORDER)]
    found.append(entry(20, ORDER[:4], last_ack=f"Seen by {HOSTILE} on 1 Dec 2026, before this."))
    found.append(entry(21, ("due", "ready"), namesake=True))
    found.append(entry(22, ("quiet",), namesake=True, twin=True, email="sam<b>@example.com"))
    found.append(entry(23, ("quiet",), namesake=True, twin=True))  # a twin without an email: her baby's date of birth
    found.append(entry(24, ("pain",), namesake=True, born=None))
    found.append(entry(25, ("held",), whose="your client"))
    found.append(entry(26, ("held",), whose=f"{HOSTILE}’s client"))
    found.append(entry(27, ("held",), whose=""))
    safe = entry(28, ("paused",))
    safe.reasons = (Reason("paused", mark_safe("<em>safe</em>"), mark_safe("&amp;")),)
    found.append(safe)
    return found


@pytest.mark.parametrize(("back", "everyone"), list(itertools.product([None, 0, 1, 12, "3"], [False, True])))
def test_the_tag_draws_what_the_template_drew(back, everyone):
    context = {"attention": entries(), "everyone": everyone, "csrf_token": "token<&>"}
    if back is not None:
        context["back"] = back
    before = engines["django"].from_string(TEMPLATE).render(context)
    after = get_template("clients/_attention_list.html").render(context)
    assert after == before
    assert "Referral sent" in after and 'class="namesake"' in after and "&lt;title&gt;" in after


def test_no_csrf_token_draws_none_as_the_template_did():
    context = {"attention": entries()[:3]}
    assert get_template("clients/_attention_list.html").render(context) == engines["django"].from_string(TEMPLATE).render(context)


# templates/clients/list.html's loop over a page of clients as it was, beside this file
ROWS_TEMPLATE = (Path(__file__).parent / "client_rows_template.html").read_text()


def listed(number, verdict="ready", label="", check_up="", weeks=14, lead="Cara <Coach>", **fields):
    from datetime import UTC, datetime

    from django.urls import reverse

    from practice.attention import ClientStatus

    found = client(number, **fields)
    found.pk = number
    found.get_absolute_url = lambda: reverse("clients:detail", args=[number])
    found.weeks_postpartum_today = weeks
    found.last_activity_at = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 2 Jul in London
    found.lead_name = lead
    found.status = ClientStatus(verdict, date(2026, 5, 6) if verdict else None, label, "active" if label else "", check_up)
    return found


def rows():
    return [
        listed(1), listed(2, verdict=None), listed(3, verdict="not_yet", label=f"Week 2 of 8 <{HOSTILE}>", check_up="Check-up overdue"),
        listed(4, verdict="refer", weeks=1, lead=""), listed(5, weeks=None, namesake=True),
        listed(6, namesake=True, twin=True, email="a@b.c"),
        listed(7, verdict="refer", label="Paused", check_up="Check-up due 9 Dec", lead=None),
        *many_days(),
    ]


def many_days():
    """Clients whose last activity falls around midnights and clock changes: each day is written once a page."""
    from datetime import UTC, datetime, timedelta

    found = []
    for step in range(40):
        row = listed(100 + step)
        row.last_activity_at = datetime(2026, 3, 28, 0, 7, tzinfo=UTC) + timedelta(hours=5 * step, minutes=step)
        found.append(row)
    found[-1].last_activity_at = None
    return found


@pytest.mark.parametrize("many_trainers", [False, True])
def test_the_client_rows_are_what_the_template_drew(many_trainers):
    context = {"page": SimpleNamespace(object_list=rows()), "many_trainers": many_trainers}
    before = engines["django"].from_string(ROWS_TEMPLATE).render(context)
    after = engines["django"].from_string(
        "{% load client_list_tags %}    {% client_rows page.object_list %}\n").render(context)
    assert after == before
    assert "2 Jul 2026" in after and ("lead trainer" in after) == many_trainers



def test_the_client_lists_badge_draws_what_the_badge_template_draws_and_never_fails():
    """The client list's badge (client_list_tags.verdict_badge) as assessments/_verdict_badge.html
    draws code|as_verdict; a code the wording does not know (the template fails on it) an empty
    badge, never an error answer (found by review)."""
    from django.template.loader import render_to_string

    from assessments.templatetags.protocol_tags import as_verdict
    from guideline import protocol
    from practice.templatetags.client_list_tags import verdict_badge

    for code in protocol.VERDICT_WORDING:
        drawn = render_to_string("assessments/_verdict_badge.html", {"verdict": as_verdict(code)})
        assert verdict_badge(code) == drawn.strip(), code
    assert verdict_badge("unheard-of") == '<span class="badge badge--"><span aria-hidden="true"></span> </span>'
