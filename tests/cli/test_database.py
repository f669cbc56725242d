"""`moderation db current|upgrade`: what an operator sees before and after an upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from domain.store.migrations import head_revision


def test_db_current_reports_and_db_upgrade_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODERATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'moderation.db'}")
    runner = CliRunner()
    before = runner.invoke(cli, ["db", "current"])
    assert before.exit_code == 0, before.output
    assert before.output.strip() == f"none (behind; head is {head_revision()})"
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.output.strip() == f"upgraded none -> {head_revision()}"
    again = runner.invoke(cli, ["db", "upgrade"])
    assert again.output.strip() == f"already at {head_revision()}"
    after = runner.invoke(cli, ["db", "current"])
    assert after.output.strip() == f"{head_revision()} (head)"
