"""The Null operator: `true` means the key is absent, `false` that it is present."""

from __future__ import annotations

from iam.conditions.base import InvalidPolicyValue


def null_matches(policy_values: tuple[str, ...], *, key_present: bool) -> bool:
    """True when some policy value agrees with the key's absence (`true`) or presence (`false`).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
    """
    wanted = []
    for value in policy_values:
        text = value.strip().lower()
        if text not in ("true", "false"):
            raise InvalidPolicyValue(value)
        wanted.append(text == "true")
    return any(absent != key_present for absent in wanted)
