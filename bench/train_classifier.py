"""Train the learned category model (analysis/category_model.json) on the tune part of the labelled set only.

Multinomial logistic regression over words and character pairs, fitted by stochastic gradient descent with
AdaGrad steps and an L2 penalty, in plain Python. Its L2 strength, its weight in the blend with the keyword
lexicon and the floor under which its probability adds nothing are chosen by 5-fold cross-validation on the tune
part, scoring the whole pipeline (`analyse`) on each held-back fold; the best-ranked setting whose drafts still
pass bench/report_quality.py is written. The held-out third of the set is never read here.

Rows below the table's FRESH_MARK line were written after the keyword rules were tuned: the rules have never
been fitted to them, so their cross-validated figure is the honest one for choosing the blend (on the older tune
rows the rules score as if they had seen the answers, because they have).

Run: .venv/bin/python bench/train_classifier.py [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import math
import random
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import category_model, classify
from analysis.category_model import CategoryModel
from analysis.lexicon import CATEGORY_CODES
from bench import report_quality
from bench.classifier import TABLE, Row, load_table, split
from bench.postings import POSTING_MODULES, load

FRESH_MARK = "# fresh:"
FOLDS = 5
EPOCHS = 30
SEED = 7
L2_GRID = (1e-4, 3e-4, 1e-3)
WEIGHT_GRID = (0.0, 2.0, 3.0, 4.0, 5.0, 6.0)
FLOOR_GRID = (0.1, 0.25, 0.4)
TODAY = dt.date(2026, 7, 15)
MIN_FEATURE_COUNT = 2  # a feature seen once in training is noise: left out of the shipped weights


def fresh_messages(path: Path = TABLE) -> set[str]:
    """Messages written after the keyword rules were tuned (rows below the FRESH_MARK line)."""
    fresh: set[str] = set()
    seen_mark = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(FRESH_MARK):
            seen_mark = True
        elif seen_mark and line.strip() and not line.startswith("#"):
            fresh.add(line.split("\t")[3])
    return fresh


def fold_of(row: Row) -> int:
    return int(hashlib.sha1(("fold:" + row.message).encode("utf-8")).hexdigest()[:8], 16) % FOLDS


def train(rows: Sequence[Row], l2: float, epochs: int = EPOCHS) -> CategoryModel:
    """Fit softmax regression on the rows' main categories."""
    classes = CATEGORY_CODES
    index = {c: i for i, c in enumerate(classes)}
    data = [(classify.model_features(classify.simplify(r.message)), index[r.category]) for r in rows]
    counts = Counter(name for feats, _ in data for name in feats)
    kept = {name for name, n in counts.items() if n >= MIN_FEATURE_COUNT}
    data = [({k: v for k, v in feats.items() if k in kept}, label) for feats, label in data]
    k = len(classes)
    weights: dict[str, list[float]] = {name: [0.0] * k for name in kept}
    squares: dict[str, list[float]] = {name: [1e-8] * k for name in kept}
    bias = [0.0] * k
    bias_squares = [1e-8] * k
    rate = 0.5
    rng = random.Random(SEED)
    order = list(range(len(data)))
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            feats, label = data[i]
            scores = bias[:]
            for name, value in feats.items():
                row = weights[name]
                for c in range(k):
                    scores[c] += row[c] * value
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            errors = [e / total for e in exps]
            errors[label] -= 1.0
            for c in range(k):
                bias_squares[c] += errors[c] ** 2
                bias[c] -= rate * errors[c] / math.sqrt(bias_squares[c])
            for name, value in feats.items():
                row, square = weights[name], squares[name]
                for c in range(k):
                    grad = errors[c] * value + l2 * row[c]
                    square[c] += grad * grad
                    row[c] -= rate * grad / math.sqrt(square[c])
    sparse = {name: {c: w for c, w in enumerate(row) if abs(w) >= 1e-3} for name, row in weights.items()}
    return CategoryModel(classes, tuple(bias), {n: r for n, r in sparse.items() if r}, l2=l2)


def main_category_right(model: CategoryModel | None, rows: Iterable[Row]) -> list[bool]:
    """Whether the whole pipeline (`analyse`) gets each row's main category right with this model in it."""
    category_model.use(model)
    classify._classify_cached.cache_clear()
    try:
        right = []
        for row in rows:
            categories = classify.analyse(row.message, TODAY).categories
            right.append((categories[0] if categories else "-") == row.category)
        return right
    finally:
        category_model.restore()
        classify._classify_cached.cache_clear()


Setting = tuple[float, float, float]  # L2, blend weight, floor


def cross_validate(tune: list[Row], fresh: set[str]) -> dict[Setting, tuple[int, int, int, int]]:
    """For each setting: main category right on all tune rows and on the fresh ones, and the two totals."""
    results: dict[Setting, list[int]] = {}
    for l2 in L2_GRID:
        for fold in range(FOLDS):
            training = [r for r in tune if fold_of(r) != fold]
            testing = [r for r in tune if fold_of(r) == fold]
            is_fresh = [r.message in fresh for r in testing]
            model = train(training, l2)
            for weight in WEIGHT_GRID:
                for floor in FLOOR_GRID if weight else (FLOOR_GRID[0],):
                    candidate = dataclasses.replace(model, blend_weight=weight, floor=floor) if weight else None
                    right = main_category_right(candidate, testing)
                    totals = results.setdefault((l2, weight, floor), [0, 0, 0, 0])
                    totals[0] += sum(right)
                    totals[1] += len(right)
                    totals[2] += sum(r for r, f in zip(right, is_fresh, strict=True) if f)
                    totals[3] += sum(is_fresh)
    return {key: (a, b, c, d) for key, (a, b, c, d) in results.items()}


def reports_failing(model: CategoryModel) -> str:
    """The bench postings whose compiled drafts fail bench/report_quality.py with this model in the pipeline."""
    category_model.use(model)
    classify._classify_cached.cache_clear()
    try:
        failing = [
            name
            for name in POSTING_MODULES
            if not report_quality.score(report_quality.compile_body(load(name)), load(name)).passed()
        ]
    finally:
        category_model.restore()
        classify._classify_cached.cache_clear()
    return ", ".join(failing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="train on the whole tune part and write the model")
    args = parser.parse_args()
    classify.warm_up()
    tune = split(load_table())["tune"]
    fresh = fresh_messages()
    print(f"tune rows: {len(tune)} (fresh: {sum(r.message in fresh for r in tune)}), {FOLDS}-fold CV")
    results = cross_validate(tune, fresh)
    print(f"{'L2':>8}{'weight':>8}{'floor':>7}{'all tune':>10}{'fresh':>8}")
    for (l2, weight, floor), (right, n, fresh_right, fresh_n) in sorted(results.items()):
        fresh_ratio = fresh_right / fresh_n if fresh_n else float("nan")
        print(f"{l2:>8.0e}{weight:>8.1f}{floor:>7.2f}{right / n:>10.1%}{fresh_ratio:>8.1%}")
    # Rank on the fresh rows where there are enough of them (the rules have seen the others), else on all; on a
    # tie, the lower blend weight (the model overrides fewer of the keywords' answers), then all tune rows, then
    # the higher floor. The first setting whose drafts still pass bench/report_quality.py is chosen: the
    # categories decide a report's sections, and a better category must not cost a true report.
    use_fresh = min(v[3] for v in results.values()) >= 100
    ranked = sorted(
        results,
        key=lambda key: (-(results[key][2] if use_fresh else results[key][0]), key[1], -results[key][0], -key[2]),
    )
    models: dict[float, CategoryModel] = {}
    chosen: CategoryModel | None = None
    for l2, weight, floor in ranked:
        if weight == 0:
            break  # the keywords alone rank above every blend left: no model
        model = models.setdefault(l2, train(tune, l2))
        candidate = dataclasses.replace(model, blend_weight=weight, floor=floor)
        failing = reports_failing(candidate)
        print(f"  L2 {l2:.0e}, weight {weight}, floor {floor}: report quality {'FAIL ' + failing if failing else 'PASS'}")
        if not failing:
            chosen = candidate
            break
    if chosen is None:
        print("chosen: no model (no blend ranks above the keywords alone with every report passing)")
        return
    print(
        f"chosen: L2 {chosen.l2:.0e}, blend weight {chosen.blend_weight}, floor {chosen.floor} "
        f"(ranked by {'fresh' if use_fresh else 'all'} tune rows)"
    )
    if args.write:
        model = chosen
        category_model.MODEL_FILE.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {category_model.MODEL_FILE} ({len(model.weights)} features)")


if __name__ == "__main__":
    main()
