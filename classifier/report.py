"""Evaluation report: ``python -m classifier.report`` writes docs/model.md and docs/img/*.png."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from classifier.data import VIDEOS, civil_holdout, jigsaw_holdout, load_dataset
from classifier.evaluation import predict_in_article_order
from classifier.identity_probe import CIVIL, ProbeRow, probe
from classifier.identity_probe import render as render_probe
from classifier.training import train_bundle

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"lovo": 0.99, "jigsaw": 0.975, "news_margin": 0.03}


def _auc(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """ROC AUC and average precision."""
    return float(roc_auc_score(y, p)), float(average_precision_score(y, p))


def _plot(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, title: str) -> None:
    """Write ROC and precision-recall curves side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.2))
    for name, (y, p) in curves.items():
        fpr, tpr, _ = roc_curve(y, p)
        prec, rec, _ = precision_recall_curve(y, p)
        ax_roc.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
        ax_pr.plot(rec, prec, label=f"{name} (AP {average_precision_score(y, p):.3f})")
    ax_roc.plot([0, 1], [0, 1], ":", color="grey")
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC: {title}")
    ax_pr.set(xlabel="recall", ylabel="precision", title=f"Precision-recall: {title}")
    for ax in (ax_roc, ax_pr):
        ax.legend(loc="lower left" if ax is ax_pr else "lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate_all(log: Any = sys.stderr, **tier: Any) -> dict[str, Any]:
    """Run every evaluation (LOVO, Jigsaw split, Fox, peer) and return results + curves.

    ``tier`` (``encoder``, ``embedding_cache``) evaluates the optional embedding tier.
    """
    from profanity_check import predict_prob

    res: dict[str, Any] = {"lovo": {}, "curves": {}}
    t0 = time.perf_counter()
    bundle = train_bundle(exclude={"fox-news-comments"}, **tier)
    res["train_seconds_no_fox"] = time.perf_counter() - t0
    res["metadata"] = bundle.metadata
    log.write(f"trained without Fox in {res['train_seconds_no_fox']:.1f}s\n")
    tox = bundle.heads.index("toxicity")
    _, test = jigsaw_holdout()
    fox = load_dataset("fox-news-comments")
    news = civil_holdout()["test"]  # read here only, for the reported figure
    for name, rows in (("jigsaw", test), ("fox", fox), ("civil", news)):
        y = np.array([r.label == "toxic" for r in rows], dtype=int)
        texts = [r.text for r in rows]
        ours = bundle.predict_heads(texts)[:, tox]
        peer = np.asarray(predict_prob(texts))
        res[name] = {"n": len(rows), "positives": int(y.sum()), "ours": _auc(y, ours),
                     "peer": _auc(y, peer)}
        res["curves"][name] = {"ours": (y, ours), "alt-profanity-check": (y, peer)}
        log.write(f"{name}: {res[name]}\n")
    res["identity"] = probe(bundle)
    spam_curves = {}
    for video in VIDEOS:
        b = train_bundle(holdout_videos={video}, heads_to_fit={"spam"}, **tier)
        rows = [r for r in load_dataset("youtube-spam") if r.group == video]
        y = np.array([r.label == "spam" for r in rows], dtype=int)
        texts, spam = [r.text for r in rows], b.heads.index("spam")
        # scored as the worker scores them: on arrival, beside the video's approved comments
        p = predict_in_article_order(b, texts, [r.group for r in rows],
                                     [r.posted_at for r in rows])[:, spam]
        alone = b.predict_heads(texts)[:, spam]
        res["lovo"][video] = {"n": len(rows), "positives": int(y.sum()), "ours": _auc(y, p),
                              "alone": _auc(y, alone), "context": b.metadata["article_context"]}
        spam_curves[video] = (y, p)
        log.write(f"LOVO {video}: {res['lovo'][video]}\n")
    res["curves"]["lovo"] = spam_curves
    return res


def _status(value: float, target: float) -> str:
    """Pass/fail mark against a target."""
    return "met" if value >= target else "**not met**"


def _tier_table(res: dict[str, Any], tier: dict[str, Any]) -> list[str]:
    """The optional embedding tier beside the default model, same rows and targets."""
    lines = [
        "",
        "### With the optional embedding tier (`moderation train --embeddings`)",
        "",
        "| check | default ROC AUC | with the tier | target | status with the tier |",
        "| --- | --- | --- | --- | --- |",
    ]
    for video, r in res["lovo"].items():
        ours, theirs = r["ours"][0], tier["lovo"][video]["ours"][0]
        lines.append(f"| spam, leave-one-video-out: {video} | {ours:.4f} | {theirs:.4f} | "
                     f">= {TARGETS['lovo']} | {_status(theirs, TARGETS['lovo'])} |")
    for name, label in (("jigsaw", "toxicity, Jigsaw fixed 20 % split"),
                        ("fox", "toxicity, Fox News (not trained on)")):
        ours, theirs, peer = res[name]["ours"][0], tier[name]["ours"][0], res[name]["peer"][0]
        ok = theirs > peer and (name != "jigsaw" or theirs >= TARGETS["jigsaw"])
        target = f">= {TARGETS['jigsaw']} and > peer" if name == "jigsaw" else "> peer"
        lines.append(f"| {label} | {ours:.4f} | {theirs:.4f} | {target} | "
                     f"{'met' if ok else '**not met**'} |")
    how = ("with the training texts' embeddings already cached" if tier.get("embeddings_cached")
           else "including embedding the ~28k training texts, which later runs read from the cache")
    return lines + [
        "",
        f"Training the tier's model without Fox took {tier['train_seconds_no_fox']:.0f} s {how} "
        "(see \"Optional embedding tier\" below).",
    ]


def _context_table(res: dict[str, Any], tier: dict[str, Any] | None) -> list[str]:
    """Held-out videos scored with and without their article context."""
    header = "| video | each comment alone | with the article context (as scored) |"
    rule = "| --- | --- | --- |"
    if tier:
        header += " tier alone | tier with context |"
        rule += " --- | --- |"
    lines = ["", "Spam on the held-out videos with and without the article context (each",
             "comment beside the video's earlier comments that scored under the model's",
             "reference bar; see \"Article context\" below), ROC AUC:", "",
             header, rule]
    for video, r in res["lovo"].items():
        line = f"| {video} | {r['alone'][0]:.4f} | {r['ours'][0]:.4f} |"
        if tier:
            t = tier["lovo"][video]
            line += f" {t['alone'][0]:.4f} | {t['ours'][0]:.4f} |"
        lines.append(line)
    return lines


def _identity_section(result: dict[str, list[ProbeRow]]) -> list[str]:
    """The probe of comments naming a group of people (``classifier.identity_probe``)."""
    return [
        "## Comments that name a group of people",
        "",
        f"The same {len(CIVIL)} civil sentences with each group's name (\"I am {{}}.\",",
        "\"The {} community organised a food drive this weekend.\", ...;",
        "`classifier/identity_probe.py`), scored by the model above with its thresholds.",
        "Toxic training comments often name groups, so the scores are not alike for every",
        "group: the policy's guard (`domain.scoring.decide.decide`) keeps toxicity that only the",
        "words",
        "of `classifier/lexicons/identity-terms.txt` carry over the reject line from rejecting",
        "a comment; it is held for a moderator with the reason `toxicity:identity-term`.",
        "",
        *render_probe(result),
    ]


def render(res: dict[str, Any], extra_sections: str = "",
           tier: dict[str, Any] | None = None) -> str:
    """Render the markdown report (with the embedding tier's table when evaluated)."""
    meta = res["metadata"]
    lines = [
        "# Comment classifier: evaluation report",
        "",
        "Generated by `python -m classifier.report` (`random_state=0`, fixed splits).",
        "",
        "## Targets",
        "",
        "| check | rows (pos) | ours ROC AUC | ours PR AUC | peer ROC AUC | target | status |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for video, r in res["lovo"].items():
        auc, ap = r["ours"]
        lines.append(f"| spam, leave-one-video-out: {video} | {r['n']} ({r['positives']}) | "
                     f"{auc:.4f} | {ap:.4f} | n/a | >= {TARGETS['lovo']} | "
                     f"{_status(auc, TARGETS['lovo'])} |")
    margin = TARGETS["news_margin"]
    for name, label in (("jigsaw", "toxicity, Jigsaw fixed 20 % split"),
                        ("fox", "toxicity, Fox News (not trained on)"),
                        ("civil", "toxicity, Civil Comments news posts, fixed test split")):
        r = res[name]
        (auc, ap), (pauc, _) = r["ours"], r["peer"]
        target = (f">= {TARGETS['jigsaw']} and > peer" if name == "jigsaw"
                  else f">= peer + {margin}")
        ok = (auc >= TARGETS["jigsaw"] and auc > pauc if name == "jigsaw"
              else auc >= pauc + margin)
        lines.append(f"| {label} | {r['n']} ({r['positives']}) | {auc:.4f} | {ap:.4f} | "
                     f"{pauc:.4f} | {target} | {'met' if ok else '**not met**'} |")
    lines += [
        "",
        "Peer: `alt-profanity-check` `predict_prob` on exactly the same rows. The model used",
        "for the Jigsaw/Fox rows was trained without the Fox News set and the Jigsaw hold-out.",
        f"Training that model took {res['train_seconds_no_fox']:.0f} s on this machine.",
        "",
        *(_tier_table(res, tier) if tier else []),
        *_context_table(res, tier),
        "",
        "![toxicity curves](img/toxicity_jigsaw.png)",
        "![fox curves](img/toxicity_fox.png)",
        "![spam curves](img/spam_lovo.png)",
        "",
        "## Default thresholds (from out-of-fold calibrated scores)",
        "",
        "Flag at ~3 % and reject at ~0.5 % false-positive rate on the training negatives,",
        "clipped to sane ranges; the policy approves when both scores are below `flag`.",
        "",
        "| axis | flag | reject |",
        "| --- | --- | --- |",
    ]
    for axis, th in meta["thresholds"].items():
        lines.append(f"| {axis} | {th['flag']} | {th['reject']} |")
    lines += ["", *_identity_section(res["identity"]), "", extra_sections]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the evaluations and write the report and images."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "model.md")
    parser.add_argument("--embeddings", action="store_true",
                        help="also evaluate the optional MiniLM embedding tier")
    parser.add_argument("--embedding-cache", type=Path, default=None,
                        help="npz cache of training-text embeddings (kept between runs)")
    args = parser.parse_args(argv)
    res = evaluate_all()
    tier = None
    if args.embeddings:
        from classifier.embeddings import locate_model, shared_encoder

        cached = args.embedding_cache is not None and args.embedding_cache.exists()
        tier = evaluate_all(encoder=shared_encoder(locate_model()),
                            embedding_cache=args.embedding_cache)
        tier["embeddings_cached"] = cached
    img = args.out.parent / "img"
    _plot(res["curves"]["jigsaw"], img / "toxicity_jigsaw.png", "Jigsaw hold-out")
    _plot(res["curves"]["fox"], img / "toxicity_fox.png", "Fox News")
    _plot(res["curves"]["lovo"], img / "spam_lovo.png", "YouTube, held-out video")
    static = Path(__file__).with_name("report_notes.md")
    notes = static.read_text(encoding="utf-8") if static.exists() else ""
    args.out.write_text(render(res, notes, tier), encoding="utf-8")
    sys.stderr.write(f"wrote {args.out}\n")


if __name__ == "__main__":
    main()
