"""Starting a lab: its setup (accounts, users, roles... the lab controls) applied to the learner's sandbox, once
per lab version; resetting returns the sandbox to the lab's start."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from labs.models import Lab, LabStart
from labs.services.lab_runner import LabRunError, apply_setup
from sandbox.maintenance import sandbox_reset
from sandbox.provisioning import sandbox_provision


def lab_needs_start(*, student: User, lab: Lab) -> bool:
    """True when the lab has a setup that this learner's sandbox does not have yet (or has for an older version)."""
    if not lab.definition.get("setup"):
        return False
    return not LabStart.objects.filter(student=student, lab=lab, version=lab.version).exists()


class LabStartRefused(Exception):
    """The lab's setup could not be applied to this sandbox (nothing of it was kept); the message says what to do."""


def lab_start(*, student: User, lab: Lab) -> None:
    """Apply the lab's setup to the learner's sandbox (idempotent per lab version).

    The setup runs in one transaction: when a call fails (typically because the sandbox already holds what an
    earlier version of the lab created), nothing is kept and LabStartRefused explains how to go on.
    """
    sandbox = sandbox_provision(user=student)
    try:
        with transaction.atomic():
            if LabStart.objects.select_for_update().filter(student=student, lab=lab, version=lab.version).exists():
                return
            apply_setup(sandbox, lab.definition)
            LabStart.objects.update_or_create(student=student, lab=lab, defaults={"version": lab.version})
    except LabRunError as failed:
        raise LabStartRefused(_(
            "The lab could not be set up in your sandbox (%(cause)s). If you started an earlier version of this lab "
            "or changed what it sets up, use \"Reset to lab start\"."
        ) % {"cause": failed}) from failed


def lab_reset(*, student: User, lab: Lab) -> None:
    """The learner's whole sandbox back to its start state, then this lab's setup again."""
    sandbox = sandbox_provision(user=student)
    with transaction.atomic():
        sandbox_reset(sandbox=sandbox)
        LabStart.objects.filter(student=student).delete()
        apply_setup(sandbox, lab.definition)
        LabStart.objects.create(student=student, lab=lab, version=lab.version)
