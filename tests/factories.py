"""Assessment values for tests, built from the protocol so they follow it when it changes."""

from assessments.models import Assessment, values_at_target
from guideline import protocol


def ready_values():
    return values_at_target()


def make_assessment(client, days_after_birth=7 * 14, by=None, **overrides):
    from datetime import timedelta

    values = {**ready_values(), **overrides}
    assessment = Assessment(
        client=client, assessed_on=client.baby_date_of_birth + timedelta(days=days_after_birth),
        recorded_by=by or client.trainer, **values,
    )
    assessment.save()
    return assessment


__all__ = ["make_assessment", "ready_values", "protocol"]
