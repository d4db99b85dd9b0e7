"""Provision a learner's sandbox when they sign in, so it is ready before their first click."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from sandbox.provisioning import sandbox_provision


@receiver(user_logged_in, dispatch_uid="sandbox-provision-on-sign-in")
def provision_on_sign_in(sender: Any, user: Any, **kwargs: Any) -> None:
    sandbox_provision(user=user)
