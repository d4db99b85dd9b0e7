"""Benchmark the slice: provisioning, role writes and reads through the engine, snapshot reloads, grading.

Runs on a throwaway SQLite database (or DATABASE_URL when set). Prints one line per figure.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="iam-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
os.environ.setdefault("RUN_DIR", scratch)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

LEARNERS = 50
CALLS = 200
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)


def timed(label: str, count: int, call: Callable[[int], object]) -> None:
    samples = []
    for index in range(count):
        start = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<48} n={count:<4} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def main() -> None:
    from labs.grading.checks import grade
    from labs.models import Submission
    from labs.services.catalog import catalog_load
    from labs.services.grading import grade_context_load, submission_grade
    from sandbox import moto_store, provisioning, roles
    from sandbox.maintenance import sandbox_stats
    from sandbox.models import AccountSnapshot

    call_command("migrate", verbosity=0)
    lab = catalog_load()[0]
    print(f"database: {django.db.connection.vendor}")
    users = [get_user_model().objects.create_user(f"bench{index}") for index in range(LEARNERS)]
    timed("provision a learner (org, 3 accounts, user, key)", LEARNERS,
          lambda i: provisioning.sandbox_provision(user=users[i]))
    stats = sandbox_stats()
    per_learner = stats.current_bytes_per_learner / 1024
    print(f"{'stored state per provisioned learner':<48} {per_learner:.1f} KiB (goal < 100 KB)")
    identity = provisioning.learner_identity(user=users[0])
    timed("CreateRole (validate, authorize, snapshot, event)", CALLS,
          lambda i: roles.role_create(identity=identity, role_name=f"role-{i}", trust_policy=TRUST))
    timed(f"ListRoles ({CALLS} roles, authorized)", 50, lambda i: roles.role_list(identity=identity))
    timed("GetRole (authorized)", CALLS, lambda i: roles.role_get(identity=identity, role_name=f"role-{i}"))

    def reload(_: int) -> None:
        moto_store.forget_cache()
        roles.roles_snapshot(account_id=identity.account_id)

    timed(f"reload an account from its snapshot ({CALLS} roles)", 50, reload)
    small = provisioning.learner_identity(user=users[1])
    roles.role_create(identity=small, role_name="FirstEc2Role", trust_policy=TRUST)
    loaded = grade_context_load(student_id=users[1].pk, lab=lab)
    assert loaded is not None
    context = loaded[0]
    timed("grade first-role (pure checks over a snapshot)", CALLS, lambda i: grade(lab.definition, context))
    submissions = [Submission.objects.create(student=users[1], lab=lab) for _ in range(50)]
    timed("submission_grade service (claim, snapshot, grade, store)", 50,
          lambda i: submission_grade(submission_id=submissions[i].pk))
    memory_per_active_learner(users)
    latest = AccountSnapshot.objects.filter(account__account_id=identity.account_id).latest("version")
    size = len(bytes(latest.data))
    print(f"{'snapshot size with ' + str(CALLS) + ' roles':<48} {size / 1024:.1f} KiB")


def memory_per_active_learner(users: list[Any]) -> None:
    """Memory an active learner costs a process: all accounts of every learner loaded into moto's cache, each with
    a few roles as a learner early in the course would have (3 accounts per learner). Measured as the Python heap
    the loaded state holds (tracemalloc): RSS would hide it, as freed memory is reused."""
    import gc
    import tracemalloc

    from sandbox import moto_store, provisioning, roles
    from sandbox.models import Account

    identities = [provisioning.learner_identity(user=user) for user in users[2:]]
    for number, learner in enumerate(identities):
        for index in range(5):
            roles.role_create(identity=learner, role_name=f"mem-{number}-{index}", trust_policy=TRUST)
    accounts = list(Account.objects.filter(sandbox__owner__in=users[2:]).values_list("account_id", flat=True))
    moto_store.forget_cache()
    gc.collect()
    tracemalloc.start()
    for account_id in accounts:
        with moto_store.account_reader(account_id):
            pass
    gc.collect()
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_learner = held / 1024 / len(identities)
    print(f"{'memory per active learner (3 accounts cached)':<48} {per_learner:.0f} KiB "
          f"({len(identities)} learners loaded)")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
