"""Benchmark the policy engine: a mixed JSON Lines stream through `python -m iam simulate`, and in-process evaluation.

Prints one line per figure with its goal next to it, and `BELOW GOAL` when a figure misses it.
Always exits 0: it is a report. Goals (2-core machine): the CLI at least 7,000 lines/s end to end,
in-process trust-policy evaluation at least 50,000 evaluations/s with p99 under 1 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iam import PolicyInputs, PolicyKind, Principal, Request, evaluate, parse_policy  # noqa: E402
from iam.cli_simulate import PolicyCache, principal_of, simulate_line  # noqa: E402

STREAM_LINES = 20_000
CLI_RUNS = 3
CLI_GOAL = 7_000
EVALUATIONS = 200_000
LATENCY_SAMPLES = 20_000
EVALS_GOAL = 50_000
P99_GOAL_MS = 1.0
SEED = 20240611

V = "2012-10-17"
HOME = "111122223333"
PARTNER = "444455556666"
OTHER = "777788889999"
ROLE = f"arn:aws:iam::{HOME}:role/Target"
OIDC = f"arn:aws:iam::{HOME}:oidc-provider/token.actions.githubusercontent.com"
Json = dict[str, Any]


def document(*statements: Json) -> Json:
    return {"Version": V, "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> Json:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> Json:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: Json | str, action: str = "sts:AssumeRole", **condition: Json) -> Json:
    statement: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return document(statement)


IDENTITY = [
    document(allow(["s3:Get*", "s3:List*"], ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"])),
    document(allow("ec2:*", Condition={"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}})),
    document(allow("*"), deny("*", Condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}})),
    document(allow(["iam:*AccessKey*", "iam:GetUser"], "arn:aws:iam::*:user/${aws:username}")),
    document(
        allow(
            ["ec2:StartInstances", "ec2:StopInstances"],
            Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        )
    ),
    document(allow("dynamodb:*Item", Condition={"ForAllValues:StringLike": {"dynamodb:Attributes": ["id", "pub*"]}})),
    document(allow("sts:AssumeRole", f"arn:aws:iam::{HOME}:role/*")),
    document(deny(["s3:Delete*", "s3:PutBucketPolicy"]), allow("s3:*")),
    document(allow("lambda:InvokeFunction", f"arn:aws:lambda:*:{HOME}:function:app-?-*")),
    document(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    document(allow(["sqs:SendMessage", "sns:Publish"], Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01"}})),
    document(allow("s3:GetObject", Condition={"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{HOME}:role/*"}})),
]
TRUST = [
    trust({"AWS": PARTNER}, StringEquals={"sts:ExternalId": "partner-42"}),
    trust(
        {"AWS": f"arn:aws:iam::{HOME}:root"},
        Bool={"aws:MultiFactorAuthPresent": "true"},
        NumericLessThan={"aws:MultiFactorAuthAge": "3600"},
    ),
    trust("*", StringEquals={"aws:PrincipalOrgID": "o-abc123"}),
    trust({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}),
    trust(
        {"Federated": OIDC},
        "sts:AssumeRoleWithWebIdentity",
        StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        StringLike={"token.actions.githubusercontent.com:sub": "repo:acme/*"},
    ),
    trust({"AWS": [f"arn:aws:iam::{HOME}:role/Admin", f"arn:aws:iam::{PARTNER}:role/Deployer"]}),
]
SCPS = [
    document({"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}),
    document(
        {
            "Sid": "DenyOutsideEurope",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
        }
    ),
    document({"Sid": "NoLeaving", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    document(
        {"Sid": "Workloads", "Effect": "Allow", "Action": ["s3:*", "ec2:*", "sts:*", "dynamodb:*"], "Resource": "*"}
    ),
]
BOUNDARIES = [
    document(allow(["s3:*", "ec2:*", "sts:AssumeRole"])),
    document(allow("*"), deny("iam:*")),
    document(allow(["s3:Get*", "dynamodb:GetItem"])),
]
SESSIONS = [
    document(allow("s3:GetObject", "arn:aws:s3:::data-*/*")),
    document(allow(["ec2:Describe*", "ec2:StartInstances"])),
    document(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
]
BUCKET_POLICIES = [
    {
        "Version": V,
        "Statement": [
            {
                "Sid": "PartnerRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::data-shared/*",
            },
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::data-shared/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    },
    {
        "Version": V,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::data-public/*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            }
        ],
    },
]

CALLERS = [
    f"arn:aws:iam::{HOME}:user/alice",
    f"arn:aws:iam::{HOME}:user/bob",
    f"arn:aws:sts::{HOME}:assumed-role/Admin/alice",
    f"arn:aws:iam::{PARTNER}:user/deployer",
    f"arn:aws:sts::{PARTNER}:assumed-role/Deployer/ci",
    f"arn:aws:iam::{OTHER}:user/mallory",
]
HOME_CALLERS, PARTNER_CALLERS = CALLERS[:3], CALLERS[3:5]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]
ACTIONS = [
    # action, resource, the identity policy written for it
    ("s3:GetObject", "arn:aws:s3:::data-reports/2024/q1.csv", 0),
    ("s3:DeleteObject", "arn:aws:s3:::data-reports/2024/q1.csv", 7),
    ("s3:ListBucket", "arn:aws:s3:::data-reports", 0),
    ("ec2:StartInstances", f"arn:aws:ec2:eu-west-1:{HOME}:instance/i-0abc", 4),
    ("ec2:RunInstances", "*", 1),
    ("iam:CreateAccessKey", f"arn:aws:iam::{HOME}:user/alice", 3),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{HOME}:table/Orders", 5),
    ("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{HOME}:function:app-1-api", 8),
    ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{HOME}:jobs", 10),
    ("organizations:LeaveOrganization", "*", 9),
    ("s3:GetObject", "arn:aws:s3:::logs/app.log", 11),
    ("ec2:TerminateInstances", f"arn:aws:ec2:eu-west-1:{HOME}:instance/i-0abc", 2),
]


def context_for(rng: random.Random, caller: str) -> Json:
    """The keys an AWS caller's request carries, some of them varied."""
    context: Json = {
        "aws:PrincipalArn": caller,
        "aws:PrincipalAccount": caller.split(":")[4],
        "aws:CurrentTime": "2026-03-01T12:00:00Z",
        "aws:SourceIp": rng.choice(["10.1.2.3", "10.9.9.9", "192.0.2.10", "203.0.113.7"]),
        "aws:RequestedRegion": rng.choice(["eu-west-1", "eu-west-1", "eu-central-1", "us-east-1"]),
        "aws:SecureTransport": rng.choice(["true", "true", "false"]),
    }
    if rng.random() < 0.6:
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = str(rng.choice([60, 1800, 7200]))
    if rng.random() < 0.7:
        context["aws:PrincipalOrgID"] = rng.choice(["o-abc123", "o-abc123", "o-zzz999"])
    if ":user/" in caller:
        context["aws:username"] = caller.rsplit("/", 1)[-1]
    context["aws:PrincipalTag/team"] = rng.choice(["red", "blue"])
    context["aws:ResourceTag/team"] = rng.choice(["red", "blue"])
    if rng.random() < 0.5:
        context["dynamodb:Attributes"] = rng.sample(["id", "public_name", "secret"], k=rng.randint(1, 2))
    return context


def maybe_text(rng: random.Random, doc: Json) -> Json | str:
    """A tenth of the documents travel as JSON text, as some callers send them."""
    return json.dumps(doc) if rng.random() < 0.1 else doc


def identity_line(rng: random.Random, number: int) -> Json:
    """A request judged by identity-based policies (usually one written for it), sometimes more."""
    caller = rng.choice(CALLERS)
    action, resource, written_for = rng.choice(ACTIONS)
    policies = rng.sample(IDENTITY, k=rng.randint(0, 2))
    if rng.random() < 0.8:
        policies.insert(rng.randint(0, len(policies)), IDENTITY[written_for])
    line: Json = {
        "id": f"r{number}",
        "principal": caller,
        "action": action,
        "resource": resource,
        "resource_account": HOME if resource.startswith("arn:aws:s3") else None,
        "identity_policies": [maybe_text(rng, doc) for doc in policies],
        "context": context_for(rng, caller),
    }
    if rng.random() < 0.25:
        line["boundary"] = rng.choice(BOUNDARIES)
    if ":assumed-role/" in caller and rng.random() < 0.5:
        line["session_policy"] = rng.choice(SESSIONS)
    if rng.random() < 0.15:
        line["resource_policy"] = rng.choice(BUCKET_POLICIES)
        line["resource"] = rng.choice(["arn:aws:s3:::data-shared/x", "arn:aws:s3:::data-public/y"])
    return line


def trust_case(rng: random.Random) -> tuple[str, str, int, Json]:
    """`(caller, action, trust policy index, context)`: usually the caller a trust policy is written for."""
    written_for = rng.randrange(len(TRUST))
    number = written_for if rng.random() < 0.8 else rng.randrange(len(TRUST))
    if number == 3:
        return rng.choice(SERVICES), "sts:AssumeRole", written_for, {}
    if number == 4:
        subject = rng.choice(["repo:acme/api:ref:refs/heads/main", "repo:acme/web:pull_request", "repo:evil/x"])
        context = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
        context["token.actions.githubusercontent.com:sub"] = subject
        return OIDC, "sts:AssumeRoleWithWebIdentity", written_for, context
    callers = {0: PARTNER_CALLERS, 1: HOME_CALLERS, 5: [CALLERS[2], CALLERS[4], CALLERS[5]]}.get(number, CALLERS)
    caller = rng.choice(callers)
    context = context_for(rng, caller)
    if rng.random() < 0.8:
        context["sts:ExternalId"] = rng.choice(["partner-42", "partner-42", "partner-43"])
    return caller, "sts:AssumeRole", written_for, context


def trust_line(rng: random.Random, number: int) -> Json:
    """An `sts:AssumeRole*` request against the role's trust policy and the caller's identity policies."""
    caller, action, trust_index, context = trust_case(rng)
    aws_caller = caller.startswith("arn:aws:iam::") or caller.startswith("arn:aws:sts::")
    return {
        "id": f"r{number}",
        "principal": caller,
        "action": action,
        "resource": ROLE,
        "resource_account": None,
        "identity_policies": [rng.choice([IDENTITY[6], IDENTITY[2]])] if aws_caller else [],
        "boundary": None,
        "session_policy": None,
        "resource_policy": TRUST[trust_index],
        "scps": None,
        "context": context,
    }


def stream(count: int) -> list[str]:
    """A deterministic mixed stream: identity and trust requests, a third of them in an organization."""
    rng = random.Random(SEED)
    lines = []
    for number in range(count):
        line = trust_line(rng, number) if rng.random() < 0.3 else identity_line(rng, number)
        if rng.random() < 0.35 and line["principal"].startswith("arn:aws:iam::"):
            line["scps"] = [[SCPS[0]], [rng.choice(SCPS[1:3]), SCPS[3]], [SCPS[0]]]
        lines.append(json.dumps(line))
    return lines


def check_stream(lines: list[str]) -> str:
    """Decisions of a sample, so that a stream of error lines cannot pass for a fast one."""
    cache = PolicyCache()
    counts: Counter[str] = Counter()
    for line in lines[:2_000]:
        response = simulate_line(line, cache=cache) or {}
        counts["error" if "error" in response else str(response.get("decision"))] += 1
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))


def run_cli(path: Path | None) -> float:
    with open(path or os.devnull, "rb") as source:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "iam", "simulate"], stdin=source, stdout=subprocess.DEVNULL, cwd=ROOT, check=True
        )
        return time.perf_counter() - start


def goal(value: float, target: float, *, higher: bool = True) -> str:
    met = value >= target if higher else value <= target
    return "" if met else "   BELOW GOAL"


def bench_cli() -> None:
    lines = stream(STREAM_LINES)
    distinct = len(set(_documents(lines)))
    print(f"stream: {len(lines):,} lines, {distinct} distinct documents; first 2,000: {check_stream(lines)}")
    with tempfile.TemporaryDirectory(prefix="bench-iam-") as scratch:
        path = Path(scratch) / "stream.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        startup = statistics.median(run_cli(None) for _ in range(3))
        total = statistics.median(run_cli(path) for _ in range(CLI_RUNS))
    rate = len(lines) / total
    print(f"cli mixed stream: {rate:,.0f} lines/s (goal >= {CLI_GOAL:,}){goal(rate, CLI_GOAL)}")
    print(
        f"  median of {CLI_RUNS} runs: {total:.2f} s including {startup * 1000:.0f} ms start-up; "
        f"{len(lines) / (total - startup):,.0f} lines/s excluding start-up"
    )


def _documents(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        data = json.loads(line)
        docs = [
            *data["identity_policies"],
            data.get("boundary"),
            data.get("session_policy"),
            data.get("resource_policy"),
        ]
        docs += [doc for level in data.get("scps") or [] for doc in level]
        found += [json.dumps(json.loads(doc) if isinstance(doc, str) else doc, sort_keys=True) for doc in docs if doc]
    return found


def trust_workload() -> list[tuple[Request, PolicyInputs]]:
    """Role-assumption requests against pre-parsed trust policies (and the caller's identity policy)."""
    trusts = [parse_policy(doc, name=f"Trust{n}", kind=PolicyKind.TRUST) for n, doc in enumerate(TRUST)]
    assume = (parse_policy(IDENTITY[6], name="AssumeHomeRoles"),)
    rng = random.Random(SEED)
    work = []
    for _ in range(512):
        line = trust_line(rng, 0)
        # A new Principal per request, as a library caller builds them (the CLI's `principal_of` caches).
        caller = principal_of(line["principal"])
        principal = Principal(kind=caller.kind, arn=caller.arn)
        request = Request(action=line["action"], resource=ROLE, principal=principal, context=line["context"])
        identity = assume if line["identity_policies"] else ()
        work.append((request, PolicyInputs(identity=identity, resource=trusts[TRUST.index(line["resource_policy"])])))
    return work


def bench_in_process() -> None:
    work = trust_workload()
    decisions = Counter(evaluate(request, policies).decision.value for request, policies in work)
    print(
        f"trust workload: {len(work)} requests over {len(TRUST)} trust policies; "
        + ", ".join(f"{name} {count}" for name, count in sorted(decisions.items()))
    )
    size = len(work)
    start = time.perf_counter()
    for number in range(EVALUATIONS):
        request, policies = work[number % size]
        evaluate(request, policies)
    rate = EVALUATIONS / (time.perf_counter() - start)
    samples = []
    clock = time.perf_counter_ns
    for number in range(LATENCY_SAMPLES):
        request, policies = work[number % size]
        begin = clock()
        evaluate(request, policies)
        samples.append(clock() - begin)
    samples.sort()
    p50 = samples[len(samples) // 2] / 1e6
    p99 = samples[int(len(samples) * 0.99) - 1] / 1e6
    print(f"in-process trust evaluations: {rate:,.0f} evals/s (goal >= {EVALS_GOAL:,}){goal(rate, EVALS_GOAL)}")
    print(f"in-process latency p50: {p50 * 1000:,.1f} µs")
    below = goal(p99, P99_GOAL_MS, higher=False)
    print(f"in-process latency p99: {p99 * 1000:,.1f} µs (goal < {P99_GOAL_MS * 1000:,.0f} µs){below}")


def main() -> int:
    bench_cli()
    bench_in_process()
    return 0


if __name__ == "__main__":
    sys.exit(main())
