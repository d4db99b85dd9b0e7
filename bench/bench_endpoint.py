"""Benchmark the AWS endpoint against a real gunicorn (2 workers) on a scratch SQLite database.

Prints: endpoint p50/p95 for iam:GetRole, iam:CreateRole, sts:GetCallerIdentity next to a bare in-process moto call
(boto3 through moto's own stubber, no HTTP), throughput of a mixed IAM workload from 4 client threads, resident memory
of a web worker, and the time to load an account cold.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCRATCH = Path(tempfile.mkdtemp(prefix="iam-endpoint-bench-"))
ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3",
    "RUN_DIR": str(SCRATCH),
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
CALLS = 200
LOAD_SECONDS = 10
THREADS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(*args: str) -> str:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True,
                          text=True).stdout


def start_server(port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning", *os.environ.get("BENCH_GUNICORN_ARGS", "").split()], cwd=ROOT, env=ENV,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/signin/", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def timed(label: str, call: Callable[[int], object], count: int = CALLS) -> float:
    samples = []
    for index in range(count):
        start = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = statistics.median(samples)
    print(f"{label:<44} median {median:6.2f} ms   p95 {samples[int(len(samples) * 0.95) - 1]:6.2f} ms")
    return median


def bare_moto() -> dict[str, float]:
    """The same calls straight into moto in this process (its botocore stubber), for the 3x comparison."""
    sys.path.insert(0, str(ROOT))
    os.environ.update({k: v for k, v in ENV.items() if k in ("DATABASE_URL", "RUN_DIR", "DJANGO_SETTINGS_MODULE")})
    import django

    django.setup()
    from sandbox import moto_store

    moto_store._ensure_started()
    client = boto3.client("iam", region_name="us-east-1")
    client.meta.events.register("before-sign", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", "210987654321"))
    sts = boto3.client("sts", region_name="us-east-1")
    sts.meta.events.register("before-sign", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", "210987654321"))
    return {
        "CreateRole": timed("bare moto  iam:CreateRole", lambda i: client.create_role(
            RoleName=f"bare{i}", AssumeRolePolicyDocument=TRUST)),
        "GetRole": timed("bare moto  iam:GetRole", lambda i: client.get_role(RoleName=f"bare{i}")),
        "GetCallerIdentity": timed("bare moto  sts:GetCallerIdentity", lambda i: sts.get_caller_identity()),
        "AssumeRole": timed("bare moto  sts:AssumeRole (checks nothing)", lambda i: sts.assume_role(
            RoleArn="arn:aws:iam::210987654321:role/bare0", RoleSessionName=f"s{i}")),
    }


def endpoint_clients(url: str, learner: dict[str, str]) -> tuple[object, object]:
    kwargs = {
        "endpoint_url": f"{url}/aws", "region_name": "us-east-1", "aws_access_key_id": learner["access_key_id"],
        "aws_secret_access_key": learner["secret_access_key"], "config": Config(retries={"max_attempts": 1}),
    }
    return boto3.client("iam", **kwargs), boto3.client("sts", **kwargs)


def load(url: str, learners: list[dict[str, str]]) -> None:
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def worker(number: int) -> None:
        iam, sts = endpoint_clients(url, learners[number % len(learners)])
        index = 0
        while time.monotonic() < deadline:
            index += 1
            try:
                if index % 4 == 0:
                    iam.create_role(RoleName=f"load{number}-{index}", AssumeRolePolicyDocument=TRUST)  # type: ignore[attr-defined]
                elif index % 4 == 1:
                    iam.list_roles(MaxItems=20)  # type: ignore[attr-defined]
                elif index % 4 == 2:
                    sts.get_caller_identity()  # type: ignore[attr-defined]
                else:
                    iam.get_user()  # type: ignore[attr-defined]
                outcome = "ok"
            except Exception:  # noqa: BLE001 - counted as an error, which is what this figure reports
                outcome = "errors"
            with lock:
                counts[outcome] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = (counts["ok"] + counts["errors"]) / LOAD_SECONDS
    print(f"mixed IAM workload, {THREADS} client threads, gunicorn 2 workers: {rate:,.0f} requests/s "
          f"(goal >= 200), errors {counts['errors']}")


def sts_figures(url: str, learner: dict[str, str], iam: object, sts: object) -> dict[str, float]:
    """AssumeRole through our STS (trust policy, tags, session stored), and a call made with the session."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": learner["iam_user_arn"]},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    iam.create_role(RoleName="bench-assume", AssumeRolePolicyDocument=trust)  # type: ignore[attr-defined]
    iam.attach_role_policy(  # type: ignore[attr-defined]
        RoleName="bench-assume", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    role_arn = f"arn:aws:iam::{learner['home_account_id']}:role/bench-assume"
    median = timed("endpoint   sts:AssumeRole (+1 session tag)", lambda i: sts.assume_role(  # type: ignore[attr-defined]
        RoleArn=role_arn, RoleSessionName=f"s{i}", Tags=[{"Key": "team", "Value": "bench"}]))
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="calls")["Credentials"]  # type: ignore[attr-defined]
    session_iam = boto3.client(
        "iam", endpoint_url=f"{url}/aws", region_name="us-east-1", aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )
    timed("endpoint   iam:GetRole with role-session credentials",
          lambda i: session_iam.get_role(RoleName="bench-assume"))
    return {"AssumeRole": median}


def rss_of_children(server: subprocess.Popen[bytes]) -> None:
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"web worker {pid} resident memory after the run: {rss.split(':')[1].strip()}")


def main() -> None:
    manage("migrate", "--noinput")
    learners = [json.loads(manage("create_learner", f"bench{n}", "--json")) for n in range(THREADS)]
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        iam, sts = endpoint_clients(url, learners[0])
        ours = {
            "CreateRole": timed("endpoint   iam:CreateRole", lambda i: iam.create_role(  # type: ignore[attr-defined]
                RoleName=f"r{i}", AssumeRolePolicyDocument=TRUST)),
            "GetRole": timed("endpoint   iam:GetRole", lambda i: iam.get_role(RoleName=f"r{i}")),  # type: ignore[attr-defined]
            "GetCallerIdentity": timed("endpoint   sts:GetCallerIdentity",
                                       lambda i: sts.get_caller_identity()),  # type: ignore[attr-defined]
        }
        ours.update(sts_figures(url, learners[0], iam, sts))
        load(url, learners)
        rss_of_children(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    bare = bare_moto()
    for name, median in ours.items():
        ratio = median / bare[name]
        flag = "" if ratio <= 3 else "   ABOVE GOAL"
        print(f"{name:<20} endpoint / bare moto = {ratio:4.1f}x (goal <= 3x){flag}")
    from sandbox import moto_store, roles
    from sandbox.models import Account

    account_id = Account.objects.get(sandbox__owner__username="bench0", is_home=True).account_id
    moto_store.forget_cache()
    start = time.perf_counter()
    count = len(roles.roles_snapshot(account_id=account_id))
    print(f"cold load of an account with {count} roles: {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
