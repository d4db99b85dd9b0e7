"""The signed-in learner's sandbox identity."""
from __future__ import annotations

from django.contrib.auth.models import User

from sandbox import provisioning
from sandbox.identity import Identity, with_origin


def learner_identity(*, user: User, source_ip: str = "", secure_transport: bool = True) -> Identity:
    """Who the learner is in their sandbox (provisioned on first use), calling from their browser's address."""
    identity = provisioning.learner_identity(user=user)
    return with_origin(identity, source_ip=source_ip, secure_transport=secure_transport)
