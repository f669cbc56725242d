"""Scoring: the worker's batches (score -> decide -> record -> publish) and the sweep."""
