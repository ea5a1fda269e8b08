"""The exercise library (issue 24): built-ins from the data migration, a trainer's own, copies,
pictures checked like the logo, and every page scoped to the signed-in trainer."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from programmes.builtin_exercises import BUILTIN_EXERCISES
from programmes.models import Exercise, ExercisePicture
from programmes.strength_rules import PELVIC_FLOOR_ROUTINE, SERVABLE, SINGLE_LEG_CONTROL, STRENGTH_TESTS
from tests.conftest import visible_text

pytestmark = pytest.mark.django_db


def png(size=(60, 40)):
    out = io.BytesIO()
    Image.new("RGB", size, (31, 111, 107)).save(out, format="PNG")
    return out.getvalue()


def form_data(**overrides):
    data = {"name": "Wall sit", "serves": "strength.single_leg_sit_to_stand", "muscles": "Quads",
            "steps": "Lean on a wall and slide down.", "cues": "Knees over toes", "sets": "2", "reps": "5",
            "hold_seconds": "20", "tempo": "", "load": "Body weight", "progression": "", "regressions": "",
            "low_impact": "on", "video_url": ""}
    return {**data, **overrides}


def own_exercise(trainer, **fields):
    builtin = Exercise.objects.get(trainer=None, serves=fields.pop("serves", "strength.calf_raise"))
    return builtin.copy(trainer)


def test_the_builtins_cover_the_four_strength_tests_the_pelvic_floor_routine_and_single_leg_control():
    served = set(Exercise.objects.filter(trainer=None).values_list("serves", flat=True))
    assert served == {*STRENGTH_TESTS, *PELVIC_FLOOR_ROUTINE, *SINGLE_LEG_CONTROL} == set(SERVABLE)
    assert Exercise.objects.filter(trainer=None).count() == len(BUILTIN_EXERCISES)


def test_the_list_shows_builtins_and_her_own_not_anothers(owner_http, owner, stranger):
    own_exercise(stranger).__class__.objects.filter(trainer=stranger).update(name="Stranger's secret lift")
    mine = own_exercise(owner)
    page = owner_http.get(reverse("plans:exercises")).content.decode()
    assert "Single leg bridge" in page and mine.name in page
    assert "Stranger's secret lift" not in visible_text(page)


def test_anonymous_is_sent_to_sign_in(anon_http, owner):
    exercise = own_exercise(owner)
    for url in (reverse("plans:exercises"), reverse("plans:exercise_create"), exercise.get_absolute_url(),
                reverse("plans:exercise_edit", args=[exercise.pk]), reverse("plans:exercise_delete", args=[exercise.pk])):
        assert anon_http.get(url).status_code == 302
    assert anon_http.post(reverse("plans:exercise_duplicate", args=[exercise.pk])).status_code == 302


def test_another_trainers_exercise_is_a_404(stranger_http, owner):
    exercise = own_exercise(owner)
    for url in (exercise.get_absolute_url(), reverse("plans:exercise_edit", args=[exercise.pk]),
                reverse("plans:exercise_delete", args=[exercise.pk])):
        assert stranger_http.get(url).status_code == 404
    assert stranger_http.post(reverse("plans:exercise_duplicate", args=[exercise.pk])).status_code == 404
    assert stranger_http.post(reverse("plans:exercise_delete", args=[exercise.pk])).status_code == 404
    assert Exercise.objects.filter(pk=exercise.pk).exists()


def test_a_builtin_can_be_read_and_duplicated_but_not_edited(owner_http, owner):
    builtin = Exercise.objects.get(trainer=None, serves="strength.single_leg_bridge")
    page = owner_http.get(builtin.get_absolute_url()).content.decode()
    assert "Duplicate to edit" in page and builtin.steps.split(".")[0] in page
    assert owner_http.get(reverse("plans:exercise_edit", args=[builtin.pk])).status_code == 404
    response = owner_http.post(reverse("plans:exercise_duplicate", args=[builtin.pk]))
    copy = Exercise.objects.get(trainer=owner)
    assert response.url == copy.get_absolute_url()
    assert (copy.name, copy.serves, copy.dose) == (f"{builtin.name} (copy)", builtin.serves, builtin.dose)


def test_she_adds_her_own_with_a_picture_re_encoded_as_png(owner_http, owner):
    picture = SimpleUploadedFile("wall.png", png(), "image/png")
    response = owner_http.post(reverse("plans:exercise_create"), {**form_data(), "picture": picture})
    exercise = Exercise.objects.get(trainer=owner)
    assert response.url == exercise.get_absolute_url()
    assert bytes(exercise.picture.data).startswith(b"\x89PNG")
    page = owner_http.get(exercise.get_absolute_url()).content.decode()
    assert 'src="data:image/png;base64,' in page and "1 set" not in page and "2 sets of 5, hold 20 s" in page


def test_the_video_is_a_link_not_an_embed(owner_http, owner):
    owner_http.post(reverse("plans:exercise_create"), form_data(video_url="https://example.com/wall-sit"))
    exercise = Exercise.objects.get(trainer=owner)
    page = owner_http.get(exercise.get_absolute_url()).content.decode()
    assert '<a href="https://example.com/wall-sit"' in page and "<iframe" not in page and "<video" not in page


@pytest.mark.parametrize("name, content, message", [
    ("notes.png", b"not an image at all", "not a PNG or JPEG image we can read"),
    ("huge.png", png((4100, 10)), "over 4000 pixels across"),
    ("big.png", b"\x89PNG" + b"0" * (1024 * 1024 + 10), "larger than 1 MB"),
])
def test_a_bad_picture_is_refused_beside_the_field_keeping_what_was_typed(owner_http, owner, name, content, message):
    response = owner_http.post(reverse("plans:exercise_create"),
                               {**form_data(name="My typed name"), "picture": SimpleUploadedFile(name, content)})
    page = response.content.decode()
    assert response.status_code == 200 and message in page and 'value="My typed name"' in page
    assert not Exercise.objects.filter(trainer=owner).exists()


@pytest.mark.parametrize("field, value, message", [
    ("sets", "0", "Ensure this value is greater than or equal to 1."),
    ("reps", "500", "Ensure this value is less than or equal to 100."),
    ("hold_seconds", "-3", "Ensure this value is greater than or equal to 1."),
    ("name", "   ", "This field is required."),
    ("serves", "symptoms.urinary_leakage", "Select a valid choice."),
    ("video_url", "javascript:alert(1)", "Enter a valid URL."),
])
def test_bad_input_is_refused_beside_the_field(owner_http, owner, field, value, message):
    response = owner_http.post(reverse("plans:exercise_create"), form_data(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 200
    errors = page[page.index(f'id="id_{field}_error"'):]  # the list beside the field, which it names
    assert visible_text(errors[errors.index(">") + 1:errors.index("</ul>")]).startswith(message)
    assert not Exercise.objects.filter(trainer=owner).exists()


def test_she_edits_her_own_and_removes_its_picture(owner_http, owner):
    exercise = own_exercise(owner)
    ExercisePicture.objects.create(exercise=exercise, data=png())
    response = owner_http.post(reverse("plans:exercise_edit", args=[exercise.pk]),
                               form_data(name="Calf raise, slow", remove_picture="on"))
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "Calf raise, slow" and not ExercisePicture.objects.filter(exercise=exercise).exists()


def test_a_copy_carries_the_picture(owner):
    exercise = own_exercise(owner)
    ExercisePicture.objects.create(exercise=exercise, data=png())
    assert bytes(exercise.copy(owner).picture.data) == png()


def test_she_deletes_her_own(owner_http, owner):
    exercise = own_exercise(owner)
    assert owner_http.post(reverse("plans:exercise_delete", args=[exercise.pk])).status_code == 302
    assert not Exercise.objects.filter(pk=exercise.pk).exists()


def test_the_list_costs_the_same_however_many_exercises(owner_http, owner, django_assert_max_num_queries):
    for _ in range(15):
        own_exercise(owner)
    with django_assert_max_num_queries(8):
        assert owner_http.get(reverse("plans:exercises")).status_code == 200
