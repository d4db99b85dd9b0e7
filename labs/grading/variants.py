"""Per-learner lab parameters drawn deterministically from a seed, so answers cannot be copied between learners.

A variant spec is `{"kind": "token", "length": 12, "prefix": "ext-"}`, `{"kind": "choice", "values": [...]}` or
`{"kind": "number", "min": 1000, "max": 9999}`; the same seed always gives the same values.
"""
from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Mapping
from typing import Any

TOKEN_ALPHABET = string.ascii_lowercase + string.digits


def variant_seed(lab_uuid: str, learner_key: str) -> str:
    return hashlib.sha256(f"{lab_uuid}:{learner_key}".encode()).hexdigest()


def draw(specs: Mapping[str, Mapping[str, Any]], seed: str) -> dict[str, str]:
    """The values of every variant for `seed` (each drawn from its own stream: adding one changes no other)."""
    values = {}
    for name, spec in specs.items():
        rng = random.Random(f"{seed}:{name}")  # noqa: S311 - reproducible lab parameters, not secrets
        values[name] = _one(spec, rng)
    return values


def _one(spec: Mapping[str, Any], rng: random.Random) -> str:
    kind = spec["kind"]
    if kind == "token":
        alphabet = spec.get("alphabet", TOKEN_ALPHABET)
        return str(spec.get("prefix", "")) + "".join(rng.choice(alphabet) for _ in range(int(spec["length"])))
    if kind == "choice":
        return str(rng.choice(list(spec["values"])))
    if kind == "number":
        return str(rng.randint(int(spec["min"]), int(spec["max"])))
    raise ValueError(f"unknown variant kind {kind!r}")
