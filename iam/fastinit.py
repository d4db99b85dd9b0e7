"""A faster `__init__` for the engine's frozen, slotted result dataclasses (they are built on every evaluation)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Replace a frozen slotted dataclass's `__init__` with one that sets the slots through their descriptors.

    Same parameters, defaults and keyword-only markers as the dataclass's own `__init__`, and the instances
    stay frozen (assignment still raises `FrozenInstanceError`); construction takes about half the time,
    because `object.__setattr__` is looked up and called once per field otherwise. Only for dataclasses
    without `__post_init__`, default factories or `InitVar`s: anything else raises `TypeError` at import.
    """
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"fast_init needs a dataclass without __post_init__, not {cls!r}")
    namespace: dict[str, Any] = {}
    positional: list[str] = []
    keyword_only: list[str] = []
    body: list[str] = []
    for number, spec in enumerate(dataclasses.fields(cls)):
        if spec.default_factory is not dataclasses.MISSING or not spec.init:
            raise TypeError(f"fast_init cannot handle field {spec.name} of {cls.__name__}")
        parameter = spec.name
        if spec.default is not dataclasses.MISSING:
            namespace[f"_default{number}"] = spec.default
            parameter += f"=_default{number}"
        (keyword_only if spec.kw_only else positional).append(parameter)
        namespace[f"_set{number}"] = cls.__dict__[spec.name].__set__
        body.append(f"    _set{number}(self, {spec.name})")
    parameters = ", ".join(["self", *positional, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({parameters}) -> None:\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - source built above from the dataclass's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - assigning a method: mypy forbids the attribute form
    return cls
