"""The signed-in learner's sandbox identity."""
from __future__ import annotations

from django.contrib.auth.models import User

from sandbox import provisioning
from sandbox.identity import Identity


def learner_identity(*, user: User) -> Identity:
    """Who the learner is in their sandbox (provisioned on first use)."""
    return provisioning.learner_identity(user=user)
