"""The exercise library (issue 24): built-ins to read and duplicate, a trainer's own to add, edit and
delete, as with walk–run templates (plan_views). Another trainer's exercise is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .strength import Exercise, ExercisePicture
from .strength_forms import ExerciseForm


def _save(form, exercise, trainer):
    with transaction.atomic():
        exercise = form.save(commit=False)
        if exercise.studio_id is None:  # a new one: her studio's, added by her
            exercise.studio_id, exercise.trainer = trainer.studio_id, trainer
        exercise.save()
        if form.cleaned_data.get("picture"):
            ExercisePicture.objects.update_or_create(exercise=exercise, defaults={"data": form.cleaned_data["picture"]})
        elif form.cleaned_data.get("remove_picture"):
            ExercisePicture.objects.filter(exercise=exercise).delete()
    return exercise


@login_required
def exercise_list(request):
    # Only the columns the table shows: steps, cues and pictures stay in the database.
    exercises = Exercise.objects.viewable_by(request.user).only("name", "serves", "muscles", "studio", "sets", "reps",
                                                                "hold_seconds")
    return render(request, "programmes/exercise_list.html", {"exercises": exercises, "nav": "plans"})


@login_required
def exercise_create(request):
    form = ExerciseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        exercise = _save(form, None, request.user)
        messages.success(request, f"“{exercise.name}” is added to your library.")
        return redirect(exercise)
    return render(request, "programmes/exercise_form.html", {"form": form, "nav": "plans"})


@login_required
def exercise_detail(request, pk):
    exercise = get_object_or_404(Exercise.objects.viewable_by(request.user).select_related("picture"), pk=pk)
    picture = getattr(exercise, "picture", None)
    return render(request, "programmes/exercise_detail.html", {
        "exercise": exercise, "picture_url": picture.data_url() if picture else "",
        "editable": exercise.studio_id == request.user.studio_id, "nav": "plans",
    })


@login_required
def exercise_edit(request, pk):
    exercise = get_object_or_404(Exercise.objects.editable_by(request.user), pk=pk)
    has_picture = ExercisePicture.objects.filter(exercise=exercise).exists()
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, has_picture=has_picture)
    if request.method == "POST" and form.is_valid():
        _save(form, exercise, request.user)
        messages.success(request, "The exercise is saved. Plans already assigned keep their own copy.")
        return redirect(exercise)
    return render(request, "programmes/exercise_form.html", {"form": form, "exercise": exercise, "nav": "plans"})


@login_required
@require_POST
def exercise_duplicate(request, pk):
    exercise = get_object_or_404(Exercise.objects.viewable_by(request.user), pk=pk)
    copy = exercise.copy(request.user)
    messages.success(request, f"This is your own copy of “{exercise.name}”: change it as you like. It is suggested "
                              "instead of the built-ins for the same test.")
    return redirect(copy)


@login_required
def exercise_delete(request, pk):
    exercise = get_object_or_404(Exercise.objects.editable_by(request.user), pk=pk)
    if request.method == "POST":
        name = exercise.name
        exercise.delete()
        messages.success(request, f"“{name}” is deleted. Clients' plans that include it keep their own copy.")
        return redirect("plans:exercises")
    return render(request, "programmes/exercise_delete.html", {"exercise": exercise, "nav": "plans"})
