"""A small learned model of the main category: multinomial logistic regression over words and character pairs.

The keyword lexicon (analysis/lexicon.py) names what a category is about; this model learns from our labelled
messages how cadres actually write it. `classify` blends the two. The weights are data
(`category_model.json`), trained on the tune part of the labelled set only by `bench/train_classifier.py`;
reading them needs no library. Pure: the caller passes jieba's tokens in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("category_model.json")

_RE_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_RE_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_RE_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def features(text: str, tokens: Iterable[str]) -> dict[str, float]:
    """Binary features of a simplified text and its tokens, scaled to unit length."""
    names: set[str] = set()
    for token in tokens:
        if _RE_WORDLIKE.search(token):
            names.add("w:" + _RE_DIGITS.sub("0", token))
    for run in _RE_CJK_RUN.findall(text):
        names.update("b:" + run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            names.add("c:" + run)
    if not names:
        return {}
    value = 1.0 / math.sqrt(len(names))
    return dict.fromkeys(names, value)


@dataclass(frozen=True, slots=True)
class CategoryModel:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Mapping[int, float]]  # feature -> {class index: weight}
    blend_weight: float = 4.0  # a probability times this is added to a category's keyword score
    floor: float = 0.1  # a probability under this adds nothing (no stray second category)
    l2: float = 0.0  # the L2 penalty it was trained with (kept to retrain it the same way)

    def probabilities(self, feats: Mapping[str, float]) -> dict[str, float]:
        """The model's probability of each category for these features (softmax of the linear scores)."""
        scores = list(self.bias)
        for name, value in feats.items():
            row = self.weights.get(name)
            if row:
                for index, weight in row.items():
                    scores[index] += weight * value
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def to_json(self) -> str:
        """The model as compact JSON: each feature's weights as one row over the classes, to 3 decimals."""
        k = len(self.classes)
        rows = {f: [round(row.get(i, 0.0), 3) for i in range(k)] for f, row in sorted(self.weights.items())}
        return json.dumps(
            {
                "classes": list(self.classes),
                "blend_weight": self.blend_weight,
                "floor": self.floor,
                "l2": self.l2,
                "bias": [round(b, 4) for b in self.bias],
                "weights": rows,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> CategoryModel:
        data = json.loads(text)
        weights = {f: {i: float(w) for i, w in enumerate(row) if w} for f, row in data["weights"].items()}
        return cls(
            tuple(data["classes"]),
            tuple(float(b) for b in data["bias"]),
            weights,
            float(data["blend_weight"]),
            float(data["floor"]),
            float(data["l2"]),
        )


_override: list[CategoryModel | None] = []


@lru_cache(maxsize=1)
def _shipped() -> CategoryModel | None:
    if not MODEL_FILE.exists():
        return None
    return CategoryModel.from_json(MODEL_FILE.read_text(encoding="utf-8"))


def current() -> CategoryModel | None:
    """The model in use: the shipped one, or the one a training run set for cross-validation."""
    return _override[-1] if _override else _shipped()


def use(model: CategoryModel | None) -> None:
    """Use this model instead of the shipped one (None: no model) until `restore()`; for the training script."""
    _override.append(model)


def restore() -> None:
    _override.pop()
