"""Newsroom policies: pre-moderation, sections, reputation, rules, the pre-check and alerts.

Each policy adds to the model's verdict and says so in the verdict's reasons
(``domain/policies/judge.py`` composes them; README "Newsroom policies" lists the settings).
"""
