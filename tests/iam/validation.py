"""Documents and helpers shared by the `validate_policy` tests."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings

from iam import FindingCode, PolicyKind, validate_policy

TRUST, IDENTITY, RESOURCE = PolicyKind.TRUST, PolicyKind.IDENTITY, PolicyKind.RESOURCE
C = FindingCode
V = "2012-10-17"
ME = "111122223333"
PARTNER = "444455556666"
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def doc(*statements, version=V, **top):
    document = {"Version": version} if version else {}
    return {**document, **top, "Statement": list(statements)}


def allow(action="s3:GetObject", resource="arn:aws:s3:::data/*", **more):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def trust(principal, action="sts:AssumeRole", effect="Allow", **more):
    return {"Effect": effect, "Principal": principal, "Action": action, **more}


def external_id(value="partner-42", operator="StringEquals"):
    return {"Condition": {operator: {"sts:ExternalId": value}}}


def found(document, kind=IDENTITY, account=None):
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return validate_policy(text, kind=kind, account_id=account)


def codes(document, kind=IDENTITY, account=None):
    return [(finding.code, finding.path) for finding in found(document, kind, account)]
