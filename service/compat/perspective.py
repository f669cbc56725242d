"""Perspective API's `comments:analyze` and `comments:suggestscore`, answered by our models.

Every production attribute is scored (service/compat/perspective_attributes.py says how);
experimental ones (SEXUALLY_EXPLICIT, FLIRTATION, ...) are refused the way Perspective refuses
an attribute it does not offer for a language, so clients that handle that error keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from flask import Blueprint, Response, request

from classifier import ModelBundle, Score
from classifier.languages import UNDETERMINED, detect_language
from domain.intake.admission import RateLimited, fingerprint
from domain.intake.validate import MAX_CHARS
from domain.records import Site
from domain.scoring.assess import Scorer
from domain.scoring.languages import LanguageModelsProvider, LanguagePolicy
from domain.store import Label, Store
from service.compat import common
from service.compat.model_versions import UnknownVersion, bundle_for
from service.compat.perspective_attributes import ATTRIBUTES, ENGLISH, serves
from service.context import current_runtime
from service.responses import json_response

blueprint = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

LANGUAGES = ENGLISH
# Attributes that our per-language models (classifier/languages) also score.
MULTILINGUAL = ("TOXICITY", "SPAM")
MAX_TEXT_BYTES = 20480  # Perspective's own limit
SENDER_NAME = "perspective-client"
EMAIL = common.placeholder_email("perspective")


class PerspectiveError(Exception):
    """An error answered in Google's JSON shape: `{"error": {"code", "message", "status"}}`."""

    def __init__(
        self, message: str, code: int = 400, status: str = "INVALID_ARGUMENT", error_type: str = ""
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.error_type = message, code, status, error_type

    def response(self) -> Response:
        """The error as Perspective sends it."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.error_type:
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                    "errorType": self.error_type,
                }
            ]
        return json_response({"error": error}, self.code)


@blueprint.errorhandler(PerspectiveError)
def _perspective_error(error: PerspectiveError) -> Response:
    """Render our errors in Perspective's shape."""
    return error.response()


@dataclass(frozen=True)
class Requested:
    """One entry of `requestedAttributes`: its name as sent, the attribute, the pinned version."""

    key: str
    name: str
    version: str | None
    threshold: float | None


def _site(store: Store) -> Site:
    """The site whose API key is in `?key=` (or `X-Goog-Api-Key`), as Google APIs take it."""
    key = request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    if not key:
        raise PerspectiveError("The request is missing a valid API key.", 403, "PERMISSION_DENIED")
    site = store.sites.by_key(key)
    if site is None:
        raise PerspectiveError("API key not valid. Please pass a valid API key.")
    return site


def _body() -> dict[str, Any]:
    """The JSON request body, which must be an object."""
    try:
        body = orjson.loads(request.get_data(cache=False) or b"{}")
    except orjson.JSONDecodeError as error:
        raise PerspectiveError(f"Invalid JSON payload received. {error}") from error
    if not isinstance(body, dict):
        raise PerspectiveError("Invalid JSON payload received. Expected an object.")
    return body


def _text(body: dict[str, Any]) -> str:
    """`comment.text`, non-empty and within Perspective's size limit."""
    comment = body.get("comment")
    text = comment.get("text") if isinstance(comment, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise PerspectiveError("Comment must be non-empty.", error_type="COMMENT_EMPTY")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise PerspectiveError(
            f"Comment text too long: at most {MAX_TEXT_BYTES} bytes are accepted.",
            error_type="COMMENT_TOO_LONG",
        )
    return text


def _languages(body: dict[str, Any]) -> list[str]:
    """The request's languages (we serve English only); empty when the caller sent none."""
    languages = body.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise PerspectiveError("languages must be a list of language codes.")
    return languages


def _unsupported(name: str, languages: list[str]) -> PerspectiveError:
    """Perspective's error for an attribute that cannot serve the request's languages."""
    return PerspectiveError(
        f"Attribute {name} does not support request languages: {','.join(languages) or 'en'}",
        error_type="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
    )


def _language(text: str, languages: list[str], site: Site) -> tuple[str, list[str]]:
    """The language we score in (the request's first, else detected) and what we detected."""
    policy = LanguagePolicy.of(site.policy)
    detection = detect_language(text, policy.default_language)
    if languages:
        return languages[0].split("-")[0].lower(), list(detection.detected)
    # Perspective's clients (Coral) send no languages: an undetermined text is read in the
    # site's default language rather than refused.
    found = detection.language
    return (found if found != UNDETERMINED else policy.default_language), list(detection.detected)


def _supports(name: str, language: str, language_models: LanguageModelsProvider) -> bool:
    """Whether an attribute scores texts in ``language``."""
    if language in LANGUAGES:
        return serves(name, [language])
    return name in MULTILINGUAL and language_models.current().covers(language)


def _requested(body: dict[str, Any], languages: list[str], language: str,
               language_models: LanguageModelsProvider) -> list[Requested]:
    """Parse `requestedAttributes`, refusing (or dropping, if asked) what we cannot score."""
    attributes = body.get("requestedAttributes")
    if not isinstance(attributes, dict) or not attributes:
        raise PerspectiveError("requestedAttributes must name at least one attribute.")
    drop = body.get("dropUnsupportedAttributes") is True
    wanted: list[Requested] = []
    for key, options in attributes.items():
        name, _, version = key.partition("@")
        if not _supports(name, language, language_models):
            if drop:
                continue
            raise _unsupported(name, languages or [language])
        options = options if isinstance(options, dict) else {}
        score_type = options.get("scoreType", "PROBABILITY")
        if score_type != "PROBABILITY":
            raise PerspectiveError(f"Attribute {key}: only scoreType PROBABILITY is supported.")
        threshold = options.get("scoreThreshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold <= 1
        ):
            raise PerspectiveError(f"Attribute {key}: scoreThreshold must be between 0 and 1.")
        wanted.append(Requested(key, name, version or None, threshold))
    return wanted


def _value(name: str, text: str, score: Score) -> float:
    """The probability one attribute reads from a text's score."""
    return ATTRIBUTES[name].value(text, score)


def _span_scores(
    name: str, text: str, score: Score, bundle: ModelBundle, summary: float, scorer: Scorer
) -> list[dict[str, Any]]:
    """Our explanation spans (the words that pushed the score up), each scored on its own.

    Perspective scores sentences; we mark the few highest-weight words instead. When the model
    found no notable words (a score under the flag line), the whole text is one span.
    """
    axis = ATTRIBUTES[name].span_axis
    spans = sorted({(s.begin, s.end) for s in score.spans if s.axis == axis})
    if not spans:
        return [_span(0, len(text), summary)]
    texts = [text[begin:end] for begin, end in spans]
    pieces = scorer.scores(texts, bundle)
    return [
        _span(begin, end, _value(name, piece_text, piece))
        for (begin, end), piece_text, piece in zip(spans, texts, pieces, strict=True)
    ]


def _span(begin: int, end: int, value: float) -> dict[str, Any]:
    """One `spanScores` entry."""
    return {"begin": begin, "end": end, "score": {"value": value, "type": "PROBABILITY"}}


@blueprint.post("/comments:analyze")
def analyze() -> Response:
    """Score a comment for the requested attributes; store it unless `doNotStore` is true."""
    runtime = current_runtime()
    site = _site(runtime.store)
    body = _body()
    text = _text(body)
    languages = _languages(body)
    language, detected = _language(text, languages, site)
    wanted = _requested(body, languages, language, runtime.languages)
    # With doNotStore the text is scored in this process and answered, neither stored nor logged.
    recorder = (
        None
        if body.get("doNotStore") is True
        else common.Recorder(runtime.abuse, runtime.store, runtime.scorer, runtime.publishing)
    )
    if language not in LANGUAGES:
        return _analyze_other(
            body, text, site, language, detected, wanted, runtime.languages, recorder
        )
    try:
        bundles = {r.version: bundle_for(runtime.models, r.version) for r in wanted}
    except UnknownVersion as error:
        raise PerspectiveError(str(error)) from error
    current = runtime.models.current()
    checked = (
        common.assess(site, text, runtime.scorer)
        if recorder is None
        else _record(site, body, text, recorder)
    )
    score = checked.score
    if score is None:  # refused before scoring (a rate limit): Google's answer to a quota
        raise _quota_exceeded(checked.limited)
    scores = {}
    for attribute in wanted:
        bundle = bundles[attribute.version]
        used = score
        if bundle.version != current.version:
            [used] = runtime.scorer.scores([text], bundle)
        value = _value(attribute.name, text, used)
        if attribute.threshold is not None and value < attribute.threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if body.get("spanAnnotations") is True:
            entry["spanScores"] = _span_scores(
                attribute.name, text, used, bundle, value, runtime.scorer
            )
        scores[attribute.key] = entry
    answer: dict[str, Any] = {
        "attributeScores": scores,
        "languages": languages or [language],
        "detectedLanguages": detected,
    }
    if "clientToken" in body:
        answer["clientToken"] = body["clientToken"]
    return json_response(answer)


def _record(
    site: Site, body: dict[str, Any], text: str, recorder: common.Recorder
) -> common.Checked:
    """Store and score the comment as intake would (its rate limits and duplicate check).

    Perspective sends no author; its `sessionId` (one per reader's session) stands in for one,
    and without it only the site's limits apply.
    """
    session = body.get("sessionId")
    author = (
        common.placeholder_email(f"perspective-{fingerprint(site.slug, session)[:20]}")
        if isinstance(session, str) and session.strip()
        else EMAIL
    )
    fields = {
        "article_id": common.truncate(body.get("communityId"), MAX_CHARS["article_id"])
        or "perspective",
        "sender_name": SENDER_NAME,
        "email": author,
        "comment": text,
    }
    return common.record(site, fields, recorder, EMAIL)


def _quota_exceeded(limited: RateLimited | None) -> PerspectiveError:
    """Google's 429 for a caller over its quota, naming our limit and when to retry."""
    scope = limited.scope.replace("_", " ") if limited else "caller"
    wait = f"; retry in {limited.retry_after_seconds} s" if limited else ""
    return PerspectiveError(
        f"Quota exceeded: too many comments from this {scope}{wait}.", 429, "RESOURCE_EXHAUSTED"
    )


def _analyze_other(body: dict[str, Any], text: str, site: Site, language: str,
                   detected: list[str], wanted: list[Requested],
                   language_models: LanguageModelsProvider,
                   recorder: common.Recorder | None) -> Response:
    """Answer for a language with its own model (TOXICITY, SPAM); stored unless doNotStore
    (``recorder`` None)."""
    models = language_models.current()
    [score] = models.score([text], language)
    if recorder is not None:
        checked = _record(site, body, text, recorder)
        if checked.score is None:
            raise _quota_exceeded(checked.limited)
    scores: dict[str, Any] = {}
    for attribute in wanted:
        value = _value(attribute.name, text, score)
        if attribute.threshold is not None and value < attribute.threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if body.get("spanAnnotations") is True:
            spans = sorted({(s.begin, s.end) for s in score.spans}) or [(0, len(text))]
            pieces = models.score([text[b:e] for b, e in spans], language)
            entry["spanScores"] = [
                _span(b, e, _value(attribute.name, text[b:e], piece))
                for (b, e), piece in zip(spans, pieces, strict=True)
            ]
        scores[attribute.key] = entry
    answer: dict[str, Any] = {"attributeScores": scores, "languages": [language],
                              "detectedLanguages": detected}
    if "clientToken" in body:
        answer["clientToken"] = body["clientToken"]
    return json_response(answer)


# Coral's feedback call names the attribute after the moderator's decision (`APPROVED` or
# `DELETED`, value 1) rather than after a Perspective attribute.
CORAL_STATUS_LABELS = {"APPROVED": ("ok", "ham"), "DELETED": ()}


@blueprint.post("/comments:suggestscore")
def suggest_score() -> Response:
    """Record suggested scores as training labels.

    Perspective attributes: 1 means the comment has it (`TOXICITY` -> toxic, `SPAM` -> spam),
    0 that it has not. Coral's moderation feedback: `APPROVED` teaches ok and ham; `DELETED`
    is accepted but teaches nothing, since it does not say whether the comment was spam or
    toxic. Other names Coral might send are accepted and ignored, never a 400 in its log.
    """
    runtime = current_runtime()
    site = _site(runtime.store)
    body = _body()
    text = _text(body)
    suggested = body.get("attributeScores")
    if not isinstance(suggested, dict) or not suggested:
        raise PerspectiveError("attributeScores must name at least one attribute.")
    from_coral = str(body.get("communityId") or "").startswith("Coral:")
    token = body.get("clientToken")
    comment_id = _our_comment_id(token, site, runtime.store)
    labels = []
    for key, entry in suggested.items():
        name = key.partition("@")[0]
        if name not in ATTRIBUTES and name not in CORAL_STATUS_LABELS and not from_coral:
            raise _unsupported(name, _languages(body))
        value = _suggested_value(key, entry)
        labels += [
            Label(text, label, source="perspective", comment_id=comment_id, site_id=site.id)
            for label in _labels(name, value)
        ]
    runtime.store.labels.add_many(labels)
    return json_response({"clientToken": token} if token is not None else {})


def _suggested_value(key: str, entry: object) -> float:
    """The summary score of one suggested attribute, or a 400 naming it."""
    summary = entry.get("summaryScore") if isinstance(entry, dict) else None
    value = summary.get("value") if isinstance(summary, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PerspectiveError(f"Attribute {key}: summaryScore.value must be between 0 and 1.")
    return float(value)


def _labels(name: str, value: float) -> tuple[str, ...]:
    """The training labels a suggested score teaches (none when it says nothing we can use)."""
    has_it = value >= 0.5
    if name in CORAL_STATUS_LABELS:
        return CORAL_STATUS_LABELS[name] if has_it else ()
    if name == "SPAM":
        return ("spam",) if has_it else ("ham",)
    if name == "TOXICITY":
        return ("toxic",) if has_it else ("ok",)
    # No identity attack or profanity does not make a comment civil; their presence makes it toxic.
    return ("toxic",) if has_it and name in ATTRIBUTES else ()


def _our_comment_id(token: object, site: Site, store: Store) -> str | None:
    """The comment a `comment:<id>` client token names, if it is one of this site's."""
    if not isinstance(token, str) or not token.startswith("comment:"):
        return None
    candidate = token.removeprefix("comment:")
    if not candidate or len(candidate) > 32:
        return None
    comment = store.comments.get(candidate, site_id=site.id)
    return comment.id if comment else None
