"""Print the classifier's accuracy on our labelled set: kind, main category and entry role.

The set is split once and for all into a tune part and a held-out third by a hash of each message's text, so
adding rows never moves old ones; rows added later (below the table's "# fresh:" line) are worded to fall in the
tune part, so the held-out third stays as it was. Tune on the tune part's misses only (the keyword rules) and
train on the tune part only (the category model, bench/train_classifier.py); the held-out figures are the honest
ones.

Run: .venv/bin/python bench/classifier.py [--misses tune]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.classify import analyse, warm_up

TABLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled_messages.tsv"
TODAY = dt.date(2026, 7, 15)
PARTS = ("tune", "held-out")
NO_ROLE = "-"  # leave and return messages are not report entries: their role is not scored
SCORED_ROLES = ("summary", "plan")


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    category: str
    role: str
    message: str

    @property
    def part(self) -> str:
        """Hold out a third of the rows, chosen by the text alone (stable across edits of other rows)."""
        digest = hashlib.sha1(self.message.encode("utf-8")).hexdigest()
        return "held-out" if int(digest[:8], 16) % 3 == 0 else "tune"


@dataclass(frozen=True, slots=True)
class RoleScore:
    precision: float
    recall: float
    predicted: int
    labelled: int


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    kind_accuracy: float
    category_accuracy: float
    role_accuracy: float
    roles: dict[str, RoleScore]
    misses: tuple[str, ...]


def load_table(path: Path = TABLE) -> list[Row]:
    """Read the labelled set: kind, main category, role, message (one tab-separated row per message)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise ValueError(f"{path.name}:{number}: expected 4 tab-separated fields, got {len(fields)}")
        rows.append(Row(*fields))
    return rows


def split(rows: list[Row]) -> dict[str, list[Row]]:
    """Rows of each part, in table order."""
    return {part: [r for r in rows if r.part == part] for part in PARTS}


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def evaluate(rows: list[Row]) -> Scores:
    """Analyse each row as written today and compare kind, main category and role with the labels."""
    kinds = categories = roles = role_rows = 0
    true_pos = dict.fromkeys(SCORED_ROLES, 0)
    predicted = dict.fromkeys(SCORED_ROLES, 0)
    labelled = dict.fromkeys(SCORED_ROLES, 0)
    misses = []
    for row in rows:
        result = analyse(row.message, TODAY)
        main = result.categories[0] if result.categories else "-"
        kinds += result.kind == row.kind
        categories += main == row.category
        role_ok = True
        if row.role != NO_ROLE:
            role_rows += 1
            role_ok = result.role == row.role
            roles += role_ok
            for role in SCORED_ROLES:
                predicted[role] += result.role == role
                labelled[role] += row.role == role
                true_pos[role] += result.role == role == row.role
        if result.kind != row.kind or main != row.category or not role_ok:
            got_role = result.role if row.role != NO_ROLE else NO_ROLE
            misses.append(
                f"  expected {row.kind}/{row.category}/{row.role}, got {result.kind}/{main}/{got_role}: {row.message}"
            )
    n = len(rows)
    return Scores(
        n=n,
        kind_accuracy=_ratio(kinds, n),
        category_accuracy=_ratio(categories, n),
        role_accuracy=_ratio(roles, role_rows),
        roles={
            role: RoleScore(
                precision=_ratio(true_pos[role], predicted[role]),
                recall=_ratio(true_pos[role], labelled[role]),
                predicted=predicted[role],
                labelled=labelled[role],
            )
            for role in SCORED_ROLES
        },
        misses=tuple(misses),
    )


def report(part: str, scores: Scores) -> str:
    """The figures of one part as a few lines of text."""
    lines = [
        f"{part}: n={scores.n}",
        f"  kind accuracy          {scores.kind_accuracy:6.1%}",
        f"  main-category accuracy {scores.category_accuracy:6.1%}",
        f"  role accuracy          {scores.role_accuracy:6.1%}",
    ]
    for role, score in scores.roles.items():
        lines.append(
            f"  {role:<8} precision {score.precision:6.1%} ({score.predicted} predicted)"
            f"  recall {score.recall:6.1%} ({score.labelled} labelled)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=PARTS, help="list the misses of this part (tune while tuning)")
    args = parser.parse_args()
    warm_up()
    parts = split(load_table())
    for part in PARTS:
        scores = evaluate(parts[part])
        print(report(part, scores))
        if args.misses == part and scores.misses:
            print("misses:")
            print("\n".join(scores.misses))


if __name__ == "__main__":
    main()
