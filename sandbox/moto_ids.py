"""AWS-shaped unique ids for the IAM entities moto creates.

moto names users and groups with 20 random lower-case characters; AWS uses a four-letter prefix and 17 upper-case
letters and digits (`AIDA...` users, `AGPA...` groups, `AIPA...` instance profiles). Learners see these ids
(GetUser, `aws:userid`, CloudTrail), and a trust policy names a deleted user by its id, so they must look real.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
"""
from __future__ import annotations

import functools
import secrets
import string
from collections.abc import Callable
from typing import Any

_ALPHABET = string.ascii_uppercase + string.digits
PREFIXES = {"User": "AIDA", "Group": "AGPA", "InstanceProfile": "AIPA"}


def unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(17))


def _with_aws_id(init: Callable[..., None], prefix: str) -> Callable[..., None]:
    @functools.wraps(init)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.id = unique_id(prefix)

    wrapped.__aws_ids__ = True  # type: ignore[attr-defined]
    return wrapped


def install() -> None:
    """Patch moto's IAM entity classes once per process (called when the process-wide mock starts)."""
    from moto.iam import models

    for name, prefix in PREFIXES.items():
        cls = getattr(models, name)
        if not getattr(cls.__init__, "__aws_ids__", False):
            cls.__init__ = _with_aws_id(cls.__init__, prefix)
