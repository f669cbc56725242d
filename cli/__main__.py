"""`python -m cli` is the `moderation` command."""

from cli.main import cli

cli()
