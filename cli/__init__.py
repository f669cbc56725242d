"""The `moderation` command line."""
