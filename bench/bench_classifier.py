"""Classifier latency/throughput beside alt-profanity-check (python -m bench.bench_classifier)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from classifier import ModelRegistry
from classifier.data import ALL_SETS, load_dataset
from classifier.languages import detect_language

REPEATS = 5


def _texts(n: int = 1000) -> list[str]:
    """A fixed mix of texts from every data set (every k-th row, capped at 500 chars)."""
    rows = [r.text for name in ALL_SETS for r in load_dataset(name)]
    step = max(len(rows) // n, 1)
    return [t[:500] for t in rows[::step][:n]]


def _median_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of ``fn`` over a few repeats."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _single_ms(fn: Callable[[Sequence[str]], object], texts: list[str]) -> float:
    """Median per-comment latency (ms) when scoring one comment per call."""
    sample = texts[:200]
    return _median_seconds(lambda: [fn([t]) for t in sample]) / len(sample) * 1000


def _encoder_row(texts: list[str]) -> tuple[str, float, float]:
    """The embedding tier's extra cost: the MiniLM encoder on the normalised texts."""
    from classifier.embeddings import locate_model, shared_encoder
    from classifier.normalize import normalize

    encoder = shared_encoder(locate_model())
    norms = [normalize(t) for t in texts]
    batch = _median_seconds(lambda: encoder.encode(norms), repeats=1)
    single = _single_ms(encoder.encode, norms[:50])
    return "+ embedding tier: MiniLM encoder (numpy)", single, batch


def main(argv: list[str] | None = None) -> None:
    """Load (training once if needed) the default bundle and print the benchmark table."""
    from profanity_check import predict_prob

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "classifier-bench-models")
    parser.add_argument("--embeddings", action="store_true",
                        help="also time the optional tier's MiniLM encoder on the same texts")
    parser.add_argument("--languages", action="store_true",
                        help="also time language identification and the other languages' models")
    args = parser.parse_args(argv)
    texts = _texts()
    bundle = ModelRegistry(args.models_dir).ensure_current()
    ours_batch = _median_seconds(lambda: bundle.score(texts))
    peer_batch = _median_seconds(lambda: predict_prob(texts))
    ours_single = _single_ms(bundle.score, texts)
    peer_single = _single_ms(predict_prob, texts)
    rows = [
        ("ours (normalise + 2 axes + attrs + explanations)", ours_single, ours_batch),
        ("alt-profanity-check predict_prob", peer_single, peer_batch),
    ]
    if args.embeddings:
        rows.append(_encoder_row(texts))
    out = sys.stdout
    out.write(f"{len(texts)} texts, median of {REPEATS} repeats\n")
    out.write(f"{'scorer':52} {'single ms':>10} {'batch ms/comment':>17} {'comments/s':>11}\n")
    for name, single, batch in rows:
        out.write(f"{name:52} {single:10.3f} {batch / len(texts) * 1000:17.3f} "
                  f"{len(texts) / batch:11.0f}\n")
    out.write(f"ratio ours/peer time: single {ours_single / peer_single:.2f}x, "
              f"batch {ours_batch / peer_batch:.2f}x\n")
    if args.languages:
        from bench.bench_languages import language_rows_table

        detect = _median_seconds(lambda: [detect_language(t) for t in texts])
        out.write(f"detect_language on the same {len(texts)} texts: "
                  f"{detect / len(texts) * 1000:.3f} ms/comment\n")
        out.write(f"{'languages':52} {'batch ms/comment':>17} {'peak RSS MB':>12}\n")
        for name, ms, mb in language_rows_table(args.models_dir):
            out.write(f"{name:52} {ms:17.3f} {mb:12.1f}\n")


if __name__ == "__main__":
    main()
