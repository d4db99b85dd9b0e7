"""Compiled Action and Resource patterns give the same answers as matching them one by one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iam.compiled import action_patterns, resource_patterns
from iam.matching import Template, action_matches, resource_matches

SETTINGS = settings(max_examples=400, deadline=None, database=None)
# Few characters, so that colons, wildcards and the `arn` prefix meet often.
text = st.text(alphabet="arn:*?/aA-\n", max_size=16)
arn_like = st.builds(lambda tail: "arn:" + tail, text)
patterns = st.lists(st.one_of(text, arn_like), min_size=1, max_size=3).map(tuple)


def one_by_one_resource(patterns, resource):
    return any(resource_matches(Template.plain(pattern), resource) for pattern in patterns)


class ActionPatternsTests:
    @SETTINGS
    @given(patterns, st.one_of(text, st.sampled_from(("s3:GetObject", "sts:AssumeRole"))))
    def test_agree_with_matching_each_pattern(self, patterns, action):
        expected = any(action_matches(pattern, action) for pattern in patterns)
        assert (action_patterns(patterns).fullmatch(action) is not None) == expected

    @pytest.mark.parametrize(
        ("patterns", "action", "expected"),
        [
            (("s3:Get*",), "S3:getobject", True),
            (("s3:Get*", "ec2:*"), "ec2:RunInstances", True),
            (("s3:?etObject",), "s3:GetObject", True),
            (("s3:Get",), "s3:GetObject", False),
            (("s3.*",), "s3:GetObject", False),
        ],
    )
    def test_examples(self, patterns, action, expected):
        assert (action_patterns(patterns).fullmatch(action) is not None) == expected


class ResourcePatternsTests:
    @SETTINGS
    @given(patterns, st.one_of(text, arn_like))
    def test_agree_with_matching_each_pattern(self, patterns, resource):
        assert resource_patterns(patterns).matches(resource) == one_by_one_resource(patterns, resource)

    @pytest.mark.parametrize(
        ("patterns", "resource", "expected"),
        [
            (("*",), "arn:aws:s3:::b/k", True),
            (("arn:aws:s3:::b/*",), "arn:aws:s3:::b/a/b:c", True),
            (("arn:aws:iam::*:role/*",), "arn:aws:iam::111122223333:role/Dev", True),
            (("arn:*:role/*",), "arn:aws:iam::111122223333:role/Dev", True),
            (("arn:*:*:*:*:role/*",), "arn:aws:iam::111122223333:role/Dev", True),
            (("arn:*:*:*:role/*",), "arn:aws:iam::111122223333:role/Dev", True),
            (("arn:*:*:*:*:*:role/*",), "arn:aws:iam::111122223333:role/Dev", False),
            (("arn:aws:s3:::B/*",), "arn:aws:s3:::b/k", False),
            (("arn:aws:s3:::b/*", "arn:aws:s3:::c/*"), "arn:aws:s3:::c/k", True),
            (("a*:b:c:d:e:f",), "ax:y:b:c:d:e:f", True),
            (("arn:aws:ec2:*:*:instance/?-1",), "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", True),
        ],
    )
    def test_examples(self, patterns, resource, expected):
        assert resource_patterns(patterns).matches(resource) == expected
