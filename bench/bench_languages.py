"""Language identification and the other languages' models: time per comment and memory.

Run through ``python -m bench.bench_classifier --languages`` (or this module alone).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

from classifier.languages import LanguageRegistry, detect_language
from classifier.languages.data import LANGUAGE_SETS, language_rows

PER_LANGUAGE = 500


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms_per_comment(fn: Callable[[], object], n: int, repeats: int = 3) -> float:
    """Median milliseconds per comment of ``fn`` over ``n`` comments."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] / n * 1000


def language_rows_table(models_dir: Path) -> list[tuple[str, float, float]]:
    """(what, batch ms/comment, peak RSS MB after it) for detection and each language model."""
    before = _rss_mb()
    models = LanguageRegistry(models_dir).ensure_current()
    loaded = _rss_mb()
    texts = {lang: [r.text for r in language_rows(lang)[0][:PER_LANGUAGE]]
             for lang in LANGUAGE_SETS}
    everything = [t for group in texts.values() for t in group]
    rows = [("language models loaded (+MB)", 0.0, loaded - before),
            ("detect_language, all four languages' texts",
             _ms_per_comment(lambda: [detect_language(t) for t in everything], len(everything)),
             _rss_mb())]
    for lang, group in texts.items():
        rows.append((f"{lang}: detect + score (toxicity, spam, spans)", _ms_per_comment(
            lambda g=group, lg=lang: ([detect_language(t) for t in g], models.score(g, lg)),
            len(group)), _rss_mb()))
    return rows


def main() -> None:
    """Print the table for the benchmark's models folder."""
    import tempfile

    folder = Path(tempfile.gettempdir()) / "classifier-bench-models"
    print(f"{'what':52} {'batch ms/comment':>17} {'peak RSS MB':>12}")
    for name, ms, mb in language_rows_table(folder):
        print(f"{name:52} {ms:17.3f} {mb:12.1f}")


if __name__ == "__main__":
    main()
