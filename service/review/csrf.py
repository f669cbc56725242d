"""CSRF protection for every form, and its exemption for token- or key-authenticated APIs."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from service.errors import API_PREFIXES


def protect(app: Flask) -> CSRFProtect:
    """Turn on CSRF checks; call after every blueprint is registered.

    API blueprints carry no cookie, so a forged cross-site request has nothing to ride on: every
    blueprint with a route under an API prefix (/api/, /v1alpha1/, /1.1/, /coral/) is exempt.
    """
    # Moderators keep a page open all day; the token lives as long as the session instead.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf = CSRFProtect(app)
    api_blueprints = {
        rule.endpoint.rpartition(".")[0]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIXES) and "." in rule.endpoint
    }
    for name in sorted(api_blueprints):
        if name in app.blueprints:
            csrf.exempt(app.blueprints[name])
    return csrf
