"""Intake: validate the form, admit (rate limits, duplicates, traps), store, then enqueue."""
