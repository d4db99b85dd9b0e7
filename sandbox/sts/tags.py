"""Session tags and the packed-size limit: what a new session carries, and whether it fits.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
"""
from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sandbox.errors import AwsError
from sandbox.identity import Identity
from sandbox.sts.params import InvalidParameterValue

DUPLICATE_KEYS = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
AWS_PREFIX = "Tag keys and values cannot begin with 'aws:' (it is reserved for AWS use)."
TRANSITIVE_NOT_TAGGED = "The specified transitive tag key must be included in the requested tags."
OVERRIDES_TRANSITIVE = (
    "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the "
    "calling session."
)
PACKED_TAGS = "Packed size of session tags consumes {percent}% of allotted space."
PACKED_POLICY = "Packed policy consumes {percent}% of allotted space, please use smaller policy."

# The packed binary form is AWS's own; the sandbox approximates it by compressed size against two budgets, tuned
# so that a typical 2,048-character session policy uses about 90% and nine 250-character tag values fail (the
# measured AWS case reports 498%).
POLICY_BUDGET_BYTES = 600
TAGS_BUDGET_BYTES = 340


class PackedPolicyTooLarge(AwsError):
    code = "PackedPolicyTooLarge"
    status = 400


@dataclass(frozen=True, slots=True)
class SessionTags:
    """The tags a new session gets and which of them flow on to sessions it assumes."""

    requested: dict[str, str]  # in this request: `aws:RequestTag/*` and `aws:TagKeys`
    tags: dict[str, str]  # the new session's: incoming transitive tags plus the requested ones
    transitive_keys: tuple[str, ...]

    @property
    def any_passed(self) -> bool:
        return bool(self.requested)


def session_tags(
    requested: Sequence[Mapping[str, str]], transitive_keys: Sequence[str], caller: Identity | None
) -> SessionTags:
    """Check the requested tags against AWS's rules and add the calling session's transitive tags.

    Tag keys are case-insensitive: duplicates that differ only in case are refused, and a requested key may not
    override a transitive tag inherited from the calling session. `caller` is None for the federated calls, whose
    tags come from the identity provider and whose caller is no AWS principal.
    """
    pairs = {str(tag.get("Key", "")): str(tag.get("Value", "")) for tag in requested}
    lowered = [key.lower() for key in pairs]
    if len(set(lowered)) != len(requested):
        raise InvalidParameterValue(DUPLICATE_KEYS)
    if any(key.lower().startswith("aws:") or value.lower().startswith("aws:") for key, value in pairs.items()):
        raise InvalidParameterValue(AWS_PREFIX)
    for key in transitive_keys:
        if key.lower() not in lowered:
            raise InvalidParameterValue(TRANSITIVE_NOT_TAGGED)
    incoming = inherited_transitive_tags(caller) if caller is not None else {}
    for key in pairs:
        if any(name.lower() == key.lower() for name in incoming):
            raise InvalidParameterValue(OVERRIDES_TRANSITIVE)
    requested_keys = {key.lower(): key for key in pairs}
    flowing = [*incoming, *(requested_keys[key.lower()] for key in transitive_keys)]
    return SessionTags(requested=pairs, tags={**incoming, **pairs}, transitive_keys=tuple(dict.fromkeys(flowing)))


def inherited_transitive_tags(caller: Identity) -> dict[str, str]:
    """The transitive session tags of a calling role session (they pass to the next session of the chain)."""
    session = caller.session
    if session is None or not session.is_role_session:
        return {}
    values = session.tag_dict()
    keys = {key.lower() for key in session.transitive_tag_keys}
    return {key: value for key, value in values.items() if key.lower() in keys}


def packed_size(policy: str, policy_arns: Sequence[str], tags: Mapping[str, str]) -> int:
    """The percentage of the packed-size limit used; raise PackedPolicyTooLarge above 100%."""
    policy_bytes = _compressed(_minified(policy) + "".join(policy_arns)) if policy or policy_arns else 0
    tag_bytes = _compressed("".join(f"{key}={value};" for key, value in tags.items())) if tags else 0
    policy_share = policy_bytes / POLICY_BUDGET_BYTES
    tag_share = tag_bytes / TAGS_BUDGET_BYTES
    percent = math.ceil(100 * (policy_share + tag_share))
    if percent > 100:
        template = PACKED_TAGS if tag_share >= policy_share else PACKED_POLICY
        raise PackedPolicyTooLarge(template.format(percent=percent))
    return percent


def _minified(policy: str) -> str:
    if not policy:
        return ""
    try:
        return json.dumps(json.loads(policy), separators=(",", ":"))
    except ValueError:
        return policy


def _compressed(text: str) -> int:
    # zlib's own header and checksum are not part of the payload.
    return max(0, len(zlib.compress(text.encode(), 9)) - 6)
