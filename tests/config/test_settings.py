"""Settings from the environment: relative paths mean the folder the command started in."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings


def test_every_path_setting_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env(
        {
            "MODERATION_DATA_DIR": "data",
            "MODERATION_MODELS_DIR": "./models",
            "MODERATION_EMBEDDING_MODEL": "weights/minilm",
            "DATABASE_URL": "sqlite:///db/moderation.db?timeout=5",
        }
    )
    assert settings.data_dir == tmp_path.resolve() / "data"
    assert settings.models_dir == tmp_path.resolve() / "models"
    assert settings.embedding_model == str(tmp_path.resolve() / "weights" / "minilm")
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/db/moderation.db?timeout=5"
    assert (tmp_path / "data" / "secret_key").exists()


def test_the_default_data_folder_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path.resolve() / "moderation-data"
    assert settings.effective_database_url == (
        f"sqlite:///{tmp_path.resolve()}/moderation-data/moderation.db"
    )
    assert settings.embedding_model == ""


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/moderation.db",
        "sqlite:///:memory:",
        "sqlite://",
        "postgresql+psycopg://user@db/moderation",
    ],
)
def test_other_database_urls_are_kept_as_they_are(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({"DATABASE_URL": url}).database_url == url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("database", ""),
        ("s3://models", "s3://models"),
        ("s3://models/moderation/prod/", "s3://models/moderation/prod"),
    ],
)
def test_model_versions_are_kept_in_the_database_unless_an_s3_bucket_is_named(
    raw: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).model_store_url == ""
    assert Settings.from_env({"MODEL_STORE_URL": raw}).model_store_url == expected


@pytest.mark.parametrize("raw", ["s3://", "file:///srv/models", "models-bucket"])
def test_a_model_store_url_that_names_no_bucket_is_refused(
    raw: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="MODEL_STORE_URL"):
        Settings.from_env({"MODEL_STORE_URL": raw})
