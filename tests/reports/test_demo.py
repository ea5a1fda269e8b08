import pytest
from django.core.management import call_command

from accounts.models import Trainer
from assessments.models import Assessment
from reports.management.commands.loaddemo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_has_a_trainer_eight_clients_and_every_verdict(capsys):
    call_command("loaddemo")
    trainer = Trainer.objects.get(email=DEMO_EMAIL)
    assert trainer.check_password(DEMO_PASSWORD)
    assert trainer.clients.count() == 8
    assert set(Assessment.objects.values_list("verdict", flat=True)) == {"refer", "not_yet", "ready"}
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_one_demo_client_improves_over_three_assessments():
    call_command("loaddemo")
    dani = Assessment.objects.filter(client__full_name="Dani Kowalska").order_by("assessed_on")
    reasons = [len([r for r in a.result.reasons if r.kind != "not_assessed"]) for a in dani]
    assert len(reasons) == 3 and reasons[0] > reasons[1] > reasons[2] == 0


def test_loading_the_demo_twice_keeps_one_copy():
    call_command("loaddemo")
    call_command("loaddemo")
    assert Trainer.objects.count() == 1 and Assessment.objects.count() == 12
