"""Helpers shared by the tests: real processes, real Redis, real databases."""
