"""`moderation models list|promote|rollback`: the other languages' versions beside the English."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from classifier.languages import LanguageModels
from cli.main import cli
from domain.infra.collaborators import Runtime


def moderation(*args: str, ok: bool = True) -> Result:
    """Run the command in this process, as an operator would from a shell."""
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def operator(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The commands read the runtime's settings from the environment."""
    settings = runtime.settings
    monkeypatch.setenv("MODERATION_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MODERATION_MODELS_DIR", str(settings.effective_models_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    monkeypatch.delenv("MODEL_STORE_URL", raising=False)
    return runtime


def test_language_versions_are_listed_marked_and_promoted_apart_from_the_english_model(
    operator: Runtime,
) -> None:
    english = operator.models.current().version
    old = operator.languages.current()
    retrained = f"{old.version}+labels-4-20991231000000"
    operator.languages.registry.save(
        LanguageModels(old.models, old.spam, dict(old.metadata, version=retrained,
                                                  created_at="2099-12-31T00:00:00+00:00")))

    lines = moderation("models", "list").output.splitlines()
    assert lines[0].startswith(f"* {english}") and "[languages" not in lines[0]
    assert lines[1].startswith("Other languages' models")
    assert lines[2].startswith(f"* {old.version}") and lines[2].endswith(
        "[languages: de ko pt zh]")
    assert "de_roc_auc=" in lines[2]
    assert lines[3].startswith(f"  {retrained}") and "[languages" in lines[3]

    promoted = moderation("models", "promote", retrained)  # known as a language version
    assert promoted.output.strip() == f"Language models {retrained} are now current."
    assert operator.store.language_versions.current() == retrained
    assert operator.store.model_versions.current() == english
    listed = json.loads(moderation("models", "list", "--languages", "--json").output)
    assert [m["version"] for m in listed if m["active"]] == [retrained]
    assert {m["kind"] for m in listed} == {"languages"}
    english_only = json.loads(moderation("models", "list", "--json").output)
    assert [m["version"] for m in english_only] == [english]

    rolled = moderation("models", "rollback", "--languages")
    assert rolled.output.strip() == f"Rolled back; language models {old.version} are now current."
    assert operator.store.model_versions.current() == english
    refused = moderation("models", "rollback", "--languages", ok=False)
    assert refused.exit_code == 1 and "no earlier" in refused.output
    wrong_kind = moderation("models", "promote", "--languages", english, ok=False)
    assert wrong_kind.exit_code == 1 and "unknown language models" in wrong_kind.output
    english_rollback = moderation("models", "rollback", ok=False)
    assert english_rollback.exit_code == 1 and "no earlier" in english_rollback.output
    assert operator.store.language_versions.current() == old.version
