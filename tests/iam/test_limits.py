"""Policy size quotas: the aggregate of a user's, role's or group's inline policies."""

from __future__ import annotations

import json

import pytest

from iam import (
    GROUP_INLINE_POLICIES_SIZE_LIMIT,
    ROLE_INLINE_POLICIES_SIZE_LIMIT,
    USER_INLINE_POLICIES_SIZE_LIMIT,
    PolicySyntaxError,
    check_inline_aggregate,
)


def document_of_size(size):
    """A policy whose text, whitespace not counted, has exactly `size` characters."""
    skeleton = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
    padding = size - len(json.dumps(skeleton, separators=(",", ":")))
    skeleton["Statement"][0]["Sid"] = "A" * padding
    return json.dumps(skeleton, indent=4)


class InlineAggregateTests:
    @pytest.mark.parametrize(
        ("kind", "limit"),
        [
            ("user", USER_INLINE_POLICIES_SIZE_LIMIT),
            ("role", ROLE_INLINE_POLICIES_SIZE_LIMIT),
            ("group", GROUP_INLINE_POLICIES_SIZE_LIMIT),
        ],
    )
    def test_the_limit_itself_is_allowed_and_one_more_character_is_not(self, kind, limit):
        assert check_inline_aggregate(kind, [document_of_size(limit)], name="x") == limit
        with pytest.raises(PolicySyntaxError) as raised:
            check_inline_aggregate(kind, [document_of_size(limit + 1)], name="Deployer")
        assert (raised.value.code, raised.value.message) == (
            "LimitExceeded",
            f"Maximum policy size of {limit} bytes exceeded for {kind} Deployer",
        )

    def test_the_limits_are_those_aws_documents(self):
        assert (USER_INLINE_POLICIES_SIZE_LIMIT, ROLE_INLINE_POLICIES_SIZE_LIMIT, GROUP_INLINE_POLICIES_SIZE_LIMIT) == (
            2048,
            10240,
            5120,
        )

    def test_every_inline_policy_counts_towards_the_aggregate(self):
        documents = [document_of_size(1200), document_of_size(1200)]
        with pytest.raises(PolicySyntaxError, match="Maximum policy size of 2048 bytes exceeded for user alice"):
            check_inline_aggregate("user", documents, name="alice")
        assert check_inline_aggregate("role", documents, name="Dev") == 2400

    def test_whitespace_is_not_counted(self):
        text = document_of_size(2000)
        assert len(text) > 2048
        assert check_inline_aggregate("user", [text], name="alice") == 2000

    def test_documents_may_be_given_as_json_objects(self):
        document = json.loads(document_of_size(300))
        assert check_inline_aggregate("group", [document], name="Admins") == 300

    def test_no_inline_policies_is_size_zero(self):
        assert check_inline_aggregate("role", [], name="Empty") == 0
