"""`fast_init` keeps a frozen dataclass's signature, defaults, equality and immutability."""

from __future__ import annotations

import dataclasses

import pytest

from iam.fastinit import fast_init


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    a: int
    b: str = "x"
    c: tuple[int, ...] = dataclasses.field(default=(), kw_only=True)


class FastInitTests:
    def test_positional_defaults_and_keyword_only_fields(self):
        assert Sample(1) == Sample(1, "x", c=())
        assert Sample(1, "y", c=(2,)).c == (2,)

    def test_keyword_only_stays_keyword_only(self):
        with pytest.raises(TypeError):
            Sample(1, "y", (2,))  # type: ignore[misc]

    def test_instances_stay_frozen_and_hashable(self):
        sample = Sample(1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            sample.a = 2  # type: ignore[misc]
        assert hash(sample) == hash(Sample(1))

    def test_classes_it_cannot_handle_are_refused_at_import(self):
        @dataclasses.dataclass(frozen=True, slots=True)
        class WithFactory:
            items: list[int] = dataclasses.field(default_factory=list)

        with pytest.raises(TypeError):
            fast_init(WithFactory)
