"""JSON paths and the line each one starts on."""

from __future__ import annotations

import pytest

from iam.jsonpos import child_path, line_of, locate_lines, parent_path


@pytest.mark.parametrize(
    ("parent", "key", "expected"),
    [
        ("$", "Statement", "$.Statement"),
        ("$.Statement", 0, "$.Statement[0]"),
        ("$.Condition", "sts:ExternalId", "$.Condition['sts:ExternalId']"),
        ("$.Condition", "it's", "$.Condition['it\\'s']"),
        ("$", "9lives", "$['9lives']"),
    ],
)
def test_child_path(parent, key, expected):
    assert child_path(parent, key) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", None),
        ("$.Statement", "$"),
        ("$.Statement[3]", "$.Statement"),
        ("$.Condition['it\\'s']", "$.Condition"),
        ("nonsense", None),
    ],
)
def test_parent_path(path, expected):
    assert parent_path(path) == expected


class LocateLinesTests:
    TEXT = '{\n  "a": [\n    1,\n    {"b": "x\\"y", "c": null}\n  ],\n  "d": true\n}'

    def test_members_start_at_their_key_and_items_at_their_value(self):
        assert locate_lines(self.TEXT) == {
            "$": 1,
            "$.a": 2,
            "$.a[0]": 3,
            "$.a[1]": 4,
            "$.a[1].b": 4,
            "$.a[1].c": 4,
            "$.d": 6,
        }

    def test_line_of_falls_back_to_the_nearest_ancestor(self):
        lines = locate_lines(self.TEXT)
        assert (line_of(lines, "$.a[1].missing"), line_of(lines, "$.zzz"), line_of({}, "$.a")) == (4, 1, None)

    def test_empty_containers(self):
        assert locate_lines("[\n{}, []\n]") == {"$": 1, "$[0]": 2, "$[1]": 2}
