"""The built-in exercise library (issue 24), as plain data: the four strength tests, the pelvic-floor
routine (long holds, fast squeezes, relax) and the load tests' single-leg control. A data migration
copies these into rows; trainers duplicate and edit them. The starting doses sit at or under the
protocol's own example exercises (guideline/protocol.py, `Item.exercise`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinExercise:
    name: str
    serves: str  # a protocol item code (programmes/strength_rules.SERVABLE)
    muscles: str
    steps: str  # her words
    cues: str  # the trainer's
    sets: int
    reps: int
    hold_seconds: int | None = None
    tempo: str = ""
    load: str = "Body weight"
    progression: str = ""
    regressions: str = ""
    low_impact: bool = True


BUILTIN_EXERCISES = (
    BuiltinExercise(
        "Single leg calf raise on a step", "strength.calf_raise", "Calf (gastrocnemius and soleus)",
        "Stand on a step on one foot, holding on for balance. Rise up onto the ball of your foot, "
        "then lower your heel slowly below the step.",
        "Straight knee, weight over the big toe; full height; 3 s down.",
        3, 10, tempo="1 s up, 3 s down",
        progression="Add reps to 15, then hold a weight in the hand on the working side.",
        regressions="Both feet together on the flat floor, then on the step.",
    ),
    BuiltinExercise(
        "Single leg bridge", "strength.single_leg_bridge", "Glutes and hamstrings",
        "Lie on your back, one foot flat on the floor and the other leg lifted. Push through your "
        "heel to lift your hips, then lower slowly.",
        "Breathe out on the lift; hips level; no arching through the lower back.",
        3, 8, tempo="1 s up, hold 1 s, 3 s down",
        progression="Add reps to 15, then a pause at the top, then the foot raised on a step.",
        regressions="Both feet down (a double-leg bridge).",
    ),
    BuiltinExercise(
        "Sit to stand", "strength.single_leg_sit_to_stand", "Quads and glutes",
        "Sit on a firm chair. Stand up without using your hands, then sit down slowly. Put more "
        "weight through one leg as it gets easier.",
        "Knee tracks over the toes; slow on the way down; breathe out as she stands.",
        3, 8, tempo="3 s down",
        progression="Shift the weight onto one leg, then a lower seat, then hold a weight.",
        regressions="A higher seat, or hands on the thighs.",
    ),
    BuiltinExercise(
        "Side-lying leg lift", "strength.side_lying_abduction", "Hip abductors (gluteus medius)",
        "Lie on your side with your bottom knee bent. Lift your top leg, toes pointing forwards, "
        "and lower it slowly.",
        "Hips stacked; lead with the heel; no rolling back.",
        3, 10, tempo="3 s down",
        progression="Add reps to 15, then a resistance band above the knees.",
        regressions="A smaller lift, or a clam with knees bent.",
    ),
    BuiltinExercise(
        "Pelvic floor long holds", "pelvic_floor.long_holds", "Pelvic floor",
        "Squeeze and lift your pelvic floor as if stopping wind and a wee, hold it while you keep "
        "breathing, then let it go fully. Rest a few seconds between holds.",
        "Breathing throughout; no buttock or thigh squeeze; a full let-go after each.",
        1, 6, hold_seconds=5, load="",
        progression="Longer holds up to 10 s, then 10 holds; then in sitting and standing.",
        regressions="Shorter holds lying down.",
    ),
    BuiltinExercise(
        "Pelvic floor fast squeezes", "pelvic_floor.fast_reps", "Pelvic floor",
        "Squeeze and lift your pelvic floor quickly, then let it go straight away. Repeat.",
        "A full let-go between squeezes; no breath holding.",
        1, 8, tempo="Quick squeeze, full let-go", load="",
        progression="Up to 10 squeezes, then in standing, then with a cough.",
        regressions="Fewer squeezes, lying down.",
    ),
    BuiltinExercise(
        "Pelvic floor relax", "pelvic_floor.can_relax", "Pelvic floor",
        "Lie comfortably and breathe slowly into your belly. As you breathe in, let your pelvic "
        "floor soften and drop.",
        "Belly breathing; she should feel a gentle drop, not a push.",
        1, 5, tempo="Slow breaths", load="",
        progression="Also in sitting, and after each set of squeezes.",
        regressions="Lying with knees bent and supported.",
    ),
    BuiltinExercise(
        "Single leg balance", "load_impact.single_leg_balance", "Ankle, hip and trunk control",
        "Stand on one leg near a wall or chair, knee soft, and hold still. Then swap.",
        "Hips level; eyes ahead; a light hand on the wall at first.",
        2, 3, hold_seconds=10,
        progression="Longer holds, then eyes closed, then on a cushion.",
        regressions="A hand on the wall throughout.",
    ),
    BuiltinExercise(
        "Single leg squat to a chair", "load_impact.single_leg_squat", "Quads, glutes and knee control",
        "Stand in front of a chair on one leg. Bend your knee and sit back slowly towards the chair, "
        "then stand up again.",
        "Knee over the second toe; pelvis level; slow down.",
        2, 6, tempo="3 s down",
        progression="A lower chair, then no chair.",
        regressions="Both legs (a sit to stand).",
    ),
    BuiltinExercise(
        "Running man", "load_impact.running_man", "Hip and trunk control on one leg",
        "Stand on one leg, knee soft. Drive your other knee up and the opposite arm forwards, as in "
        "running, then swing them back. Keep steady.",
        "Tall trunk; standing knee soft and steady; controlled swing.",
        2, 8, tempo="Slow and controlled",
        progression="Faster, then onto the toes of the standing foot.",
        regressions="A hand on the wall; a smaller swing.",
        low_impact=False,
    ),
)
