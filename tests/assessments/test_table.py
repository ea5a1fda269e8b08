"""The assessments table (her client page, her list of assessments) written as it was by a template loop."""

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, engines
from django.utils.safestring import mark_safe

from assessments.models import Assessment
from guideline import protocol
from tests.conftest import engine_before, make_client, make_trainer
from tests.factories import make_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]

ODD = '<b>"Tom" & Jerry\'s</b>'
ESCAPED = "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&#x27;s&lt;/b&gt;"


def drawn(assessments):
    """The table as the template with its loop and included badge wrote it
    (tests/assessments/table_before), and as it is written now."""
    context = {"assessments": assessments, "client": SimpleNamespace(pk=5)}
    return [engine.get_template("assessments/_table.html").render(Context(context))
            for engine in (engine_before(Path(__file__).parent / "table_before"), engines["django"].engine)]


def test_the_table_writes_what_its_loop_and_badge_wrote(owner):
    """Issue 20: the table's rows and the compare form's choices are built in Python
    (assessment_table_rows, assessment_options) where the template looped and included the verdict
    badge once a row: byte for byte what it wrote, for one row (no compare form) and several, every
    value escaped as the template escaped it, her trainer's name among them."""
    odd_verdict = protocol.Verdict(ODD, ODD, mark_safe("<i>!</i>"), ODD)
    stand_ins = [
        SimpleNamespace(pk=ODD, assessed_on=date(2026, 3, 4), weeks_postpartum=12, verdict_wording=odd_verdict,
                        recorded_by=ODD),
        SimpleNamespace(pk=1234567, assessed_on=date(2026, 12, 25), weeks_postpartum=None,
                        verdict_wording=protocol.VERDICT_WORDING["refer"], recorded_by=None),
        SimpleNamespace(pk=8, assessed_on=date(2025, 1, 1), weeks_postpartum=3.5, verdict_wording=protocol.VERDICT_WORDING["ready"],
                        recorded_by=mark_safe("<em>kept</em>")),
    ]
    owner.full_name = ODD
    owner.save()
    client = make_client(owner)
    make_assessment(client, days_after_birth=7 * 10)
    make_assessment(client, days_after_birth=7 * 14, by=make_trainer("gone@example.com", name=""))
    real = list(Assessment.objects.filter(client=client).select_related("client", "recorded_by").order_by("-assessed_on"))
    for assessments in (stand_ins, stand_ins[:1], stand_ins[1:], real, real[:1]):
        before, now = drawn(assessments)
        assert before == now
        assert ODD not in now and ("compare-a" in now) == (len(assessments) > 1)
    now = drawn(stand_ins)[1]  # two addresses, the badge's class and word, her recorder, two choices
    assert now.count(ESCAPED) == 7 and "<i>!</i>" in now and "<em>kept</em>" in now and "<td>None</td>" in now
    assert ESCAPED in drawn(real)[1]
