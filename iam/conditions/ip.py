"""IP address operators: IpAddress and NotIpAddress (CIDR, default /32, IPv6 allowed)."""

from __future__ import annotations

import ipaddress

from iam.conditions.base import InvalidPolicyValue, Matcher
from iam.matching import Template


def within(policy: Template) -> Matcher:
    """Match a request address inside the policy's network.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
    """
    try:
        network = ipaddress.ip_network(policy.text.strip(), strict=False)
    except ValueError:
        raise InvalidPolicyValue(policy.text) from None

    def matches(value: str) -> bool:
        try:
            return ipaddress.ip_address(value.strip()) in network
        except ValueError:
            return False

    return matches
