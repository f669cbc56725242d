"""Training progress: one bar on one line, whatever the number of steps."""

from __future__ import annotations

import io

from cli.model_commands import TrainingProgress

STAGES = ["load data", "vocabulary", "vectorise", "fit spam", "fit toxicity", "fit hate"]


def test_a_training_run_leaves_one_line() -> None:
    shown = io.StringIO()
    progress = TrainingProgress(file=shown)
    for step, stage in enumerate(STAGES[:3]):
        progress(stage, step, 7)
    for done in range(0, 28_001, 4_000):  # the embedding tier's own count
        progress("embed texts", done, 28_000)
    for step, stage in enumerate(STAGES[3:], start=3):
        progress(stage, step, 7)
    progress("done", 7, 7)
    progress.close()
    output = shown.getvalue()
    assert output.count("\n") == 1, output
    assert "embed texts" in output and "28000/28000" in output
    assert output.rstrip().rsplit("\r", 1)[-1].startswith("done: 100%")


def test_it_prints_nothing_when_disabled() -> None:
    shown = io.StringIO()
    progress = TrainingProgress(enabled=False, file=shown)
    progress("load data", 0, 7)
    progress.close()
    assert shown.getvalue() == ""
