"""Action and Resource elements compiled once into one regular expression each, cached by pattern text.

These give the same answers as `matching.action_matches` and `matching.resource_matches`
applied pattern by pattern (tests/iam/test_compiled.py compares them); they only do it faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_CACHE_SIZE = 4096
_FLAGS = re.DOTALL


@dataclass(frozen=True, slots=True)
class ResourcePatterns:
    """Resource or NotResource values compiled as plain text (`${...}` taken literally).

    `arn` is used for a request resource that is an ARN (six colon-separated parts starting
    with `arn`): a six-part pattern is matched segment by segment, so a wildcard stops at `:`
    except in the resource part. `other` is used for anything else, matched as a whole.
    `has_variables` tells callers that a `2012-10-17` policy must substitute variables instead.
    """

    arn: re.Pattern[str]
    other: re.Pattern[str]
    has_variables: bool

    def matches(self, resource: str) -> bool:
        """True when some pattern matches `resource` (case-sensitive)."""
        pattern = self.arn if resource.startswith("arn:") and resource.count(":") >= 5 else self.other
        return pattern.fullmatch(resource) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def action_patterns(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching an action that some of `patterns` matches."""
    return re.compile(_alternatives(_wildcards(pattern, any_char=".") for pattern in patterns), _FLAGS | re.IGNORECASE)


@lru_cache(maxsize=_CACHE_SIZE)
def resource_patterns(patterns: tuple[str, ...]) -> ResourcePatterns:
    """Compile Resource values as plain text for `ResourcePatterns.matches`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    whole = [_wildcards(pattern, any_char=".") for pattern in patterns]
    by_segment = [_segmented(pattern) or regex for pattern, regex in zip(patterns, whole, strict=True)]
    return ResourcePatterns(
        arn=re.compile(_alternatives(by_segment), _FLAGS),
        other=re.compile(_alternatives(whole), _FLAGS),
        has_variables=any("${" in pattern for pattern in patterns),
    )


def _alternatives(regexes: Iterable[str]) -> str:
    return "|".join(f"(?:{regex})" for regex in regexes)


def _wildcards(text: str, *, any_char: str) -> str:
    """`*` is any run of `any_char`, `?` one of them; everything else is literal."""
    many = f"{any_char}*"
    return "".join(many if char == "*" else any_char if char == "?" else re.escape(char) for char in text)


def _segmented(pattern: str) -> str | None:
    """A six-part pattern as one regex whose first five parts cannot cross `:`; None otherwise."""
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    head = (_wildcards(part, any_char="[^:]") for part in parts[:5])
    return ":".join((*head, _wildcards(parts[5], any_char=".")))
