"""Print the classifier's accuracy on our labelled table (kind and main category).

Run: .venv/bin/python bench/classifier.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.classify import analyse, warm_up

TABLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled_messages.tsv"


def load_table() -> list[tuple[str, str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, category, message = line.split("\t")
            rows.append((kind, category, message))
    return rows


def evaluate(rows: list[tuple[str, str, str]]) -> tuple[float, float, list[str]]:
    today = dt.date(2026, 7, 15)
    kinds = categories = 0
    misses = []
    for kind, category, message in rows:
        result = analyse(message, today)
        main = result.categories[0] if result.categories else "-"
        kinds += result.kind == kind
        categories += main == category
        if result.kind != kind or main != category:
            misses.append(f"  expected {kind}/{category}, got {result.kind}/{main}: {message}")
    return kinds / len(rows), categories / len(rows), misses


def main() -> None:
    warm_up()
    rows = load_table()
    kind_accuracy, category_accuracy, misses = evaluate(rows)
    print(f"messages: {len(rows)}")
    print(f"kind accuracy: {kind_accuracy:.1%}")
    print(f"main-category accuracy: {category_accuracy:.1%}")
    if misses:
        print("misses:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
