"""The STS scenario suite's world: a learner's organization driven through the real `/aws/` endpoint with boto3.

Rules cited in the tests as "ref 1.4" and the like are sections of /work/shared/reference/aws-iam-sts.md.
Each test builds what it needs in a few IAM calls (`World.user`, `World.role`), then calls STS with the keys or
session credentials it got back, exactly as a learner's script would.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import boto3
import pyotp
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox.learners import LearnerSummary, learner_create
from sandbox.models import Sandbox

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
ORGANIZATION_ACCESS_ROLE = "OrganizationAccountAccessRole"
SESSION = "demo-session"
# A 30-second TOTP step boundary, far from real time: authenticator codes depend only on the seed and this.
TOTP_START = 1_800_000_000.0

# Exact texts AWS answers with (ref 1.6, 4.3, and the brief's interface list).
CHAINING_LIMIT = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
ROLE_MAXIMUM = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
EXPIRED = "The security token included in the request is expired"
INVALID_TOKEN = "The security token included in the request is invalid"  # some services add a final period
SESSION_CREDENTIALS_GST = "Cannot call GetSessionToken with session credentials"
# AWS's MFA texts carry a trailing space and a double space, as many independent CLI transcripts show them.
MFA_INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
MFA_UNKNOWN_DEVICE = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  "
    "Please verify your MFA serial number is valid and associated with this user."
)


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: str | list[str], resource: str | list[str] = "*", condition: dict | None = None) -> dict:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(actions: str | list[str], resource: str | list[str] = "*") -> dict:
    return {"Effect": "Deny", "Action": actions, "Resource": resource}


def trusts(principal: str | list[str], actions: str | list[str] = "sts:AssumeRole", condition: dict | None = None):
    """A trust-policy statement letting `principal` (ARN, account id or a list) perform `actions` on the role."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    if condition:
        statement["Condition"] = condition
    return statement


def not_authorized(caller_arn: str, action: str, resource_arn: str) -> str:
    """STS's refusal text (ref 1.6); trust-policy refusals carry no "because ..." suffix."""
    return f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource_arn}"


def error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def status(raised: pytest.ExceptionInfo[ClientError]) -> int:
    return int(raised.value.response["ResponseMetadata"]["HTTPStatusCode"])


def seconds_from_now(moment: datetime) -> float:
    return (moment - datetime.now(UTC)).total_seconds()


@dataclass(frozen=True)
class Keys:
    """Credentials to sign with: an access key pair, plus the session token of temporary credentials."""

    key_id: str
    secret: str
    token: str | None = None

    @classmethod
    def of(cls, response: dict[str, Any]) -> Keys:
        """The credentials of an AssumeRole or GetSessionToken answer."""
        credentials = response["Credentials"]
        return cls(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


@dataclass(frozen=True)
class User:
    name: str
    arn: str
    user_id: str
    keys: Keys


class World:
    """One learner's sandbox seen from outside: boto3 clients on the live server, and quick scenario builders."""

    def __init__(self, live_server, learner: LearnerSummary) -> None:
        self.live_server = live_server
        self.learner = learner
        self.admin = Keys(learner.access_key_id, learner.secret_access_key)

    @property
    def account(self) -> str:
        return self.learner.home_account_id

    def account_id(self, alias: str) -> str:
        return next(account.account_id for account in self.learner.accounts if account.alias == alias)

    def client(self, service: str, keys: Keys | None = None, **config: Any):
        keys = keys or self.admin
        return boto3.client(
            service, endpoint_url=f"{self.live_server.url}/aws", region_name="us-east-1",
            aws_access_key_id=keys.key_id, aws_secret_access_key=keys.secret, aws_session_token=keys.token,
            config=NO_RETRIES.merge(Config(**config)),
        )

    def unchecked(self, service: str, keys: Keys | None = None):
        """A client that skips boto3's own parameter checks, so the server's constraint errors can be seen."""
        return self.client(service, keys, parameter_validation=False)

    @cached_property
    def iam(self):
        return self.client("iam")

    @cached_property
    def sts(self):
        return self.client("sts")

    def role_arn(self, name: str, account: str | None = None, path: str = "/") -> str:
        return f"arn:aws:iam::{account or self.account}:role{path}{name}"

    def user_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account}:user/{name}"

    def session_arn(self, role: str, session: str = SESSION, account: str | None = None) -> str:
        return f"arn:aws:sts::{account or self.account}:assumed-role/{role}/{session}"

    def user(self, name: str, *statements: dict, tags: tuple[dict, ...] = (), iam=None) -> User:
        """An IAM user with an access key and, when given, one inline policy made of `statements`."""
        iam = iam or self.iam
        created = iam.create_user(UserName=name, Tags=list(tags))["User"]
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return User(name, created["Arn"], created["UserId"], Keys(key["AccessKeyId"], key["SecretAccessKey"]))

    def role(
        self, name: str, *trust: dict, inline: tuple[dict, ...] = (), managed: tuple[str, ...] = (),
        tags: tuple[dict, ...] = (), max_session: int | None = None, path: str = "/", iam=None,
    ) -> str:
        """A role trusting per `trust`, with one inline policy of `inline` statements and `managed` policies."""
        iam = iam or self.iam
        extra: dict[str, Any] = {"Tags": list(tags), "Path": path}
        if max_session is not None:
            extra["MaxSessionDuration"] = max_session
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy(*trust), **extra)["Role"]["Arn"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy(*inline))
        for policy_arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arn

    def assume(self, role_arn: str, keys: Keys | None = None, session: str = SESSION, **params: Any) -> dict:
        return self.client("sts", keys).assume_role(RoleArn=role_arn, RoleSessionName=session, **params)

    def assume_keys(self, role_arn: str, keys: Keys | None = None, session: str = SESSION, **params: Any) -> Keys:
        return Keys.of(self.assume(role_arn, keys, session, **params))

    def admin_in(self, alias: str) -> Keys:
        """The management administrator's session in member account `alias`, through OrganizationAccountAccessRole."""
        return self.assume_keys(self.role_arn(ORGANIZATION_ACCESS_ROLE, self.account_id(alias)), session="admin")

    def sandbox(self) -> Sandbox:
        return Sandbox.objects.get(owner__username=self.learner.username)

    def advance(self, seconds: int) -> None:
        """Move the teaching clock forward (every expiry check and aws:CurrentTime read it)."""
        from sandbox.clock import clock_advance

        clock_advance(self.sandbox(), seconds)

    def events(self, event_name: str, keys: Keys | None = None) -> list[dict[str, Any]]:
        """CloudTrail records named `event_name` in the account `keys` act in (newest first)."""
        found = self.client("cloudtrail", keys).lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": event_name}]
        )["Events"]
        return [json.loads(event["CloudTrailEvent"]) for event in found]


@pytest.fixture
def world(live_server) -> World:
    return World(live_server, learner_create(username="carol"))


class TotpClock:
    """What the server believes the time is for TOTP codes; each use moves it one 30-second step on."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def step(self) -> float:
        self.now += 30
        return self.now


@pytest.fixture
def totp(monkeypatch) -> TotpClock:
    clock = TotpClock(TOTP_START)
    monkeypatch.setattr("sandbox.mfa.totp_now", clock)
    return clock


@dataclass
class MfaUser:
    """An IAM user with an enabled virtual MFA device; `code()` is the authenticator's next code."""

    user: User
    serial: str
    otp: pyotp.TOTP
    clock: TotpClock

    def code(self) -> str:
        # INVARIANT: a fresh 30-second step for every use, because AWS refuses a code that was already used.
        return self.otp.at(self.clock.step())


def mfa_user(world: World, clock: TotpClock, name: str, *statements: dict) -> MfaUser:
    """Create `name` with a virtual MFA device enabled by two consecutive codes (ref 3.2; IAM EnableMFADevice)."""
    user = world.user(name, *statements)
    device = world.iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    otp = pyotp.TOTP(device["Base32StringSeed"].decode())
    first = otp.at(clock.now)
    second = otp.at(clock.step())
    world.iam.enable_mfa_device(
        UserName=name, SerialNumber=device["SerialNumber"], AuthenticationCode1=first, AuthenticationCode2=second
    )
    return MfaUser(user, device["SerialNumber"], otp, clock)


def about(expected_seconds: int, moment: datetime, slack: int = 120) -> bool:
    """`moment` is `expected_seconds` from now, give or take `slack` (the test itself takes well under a second)."""
    return abs(seconds_from_now(moment) - expected_seconds) <= slack


def sandbox_iso_now(world: World, plus: timedelta = timedelta()) -> str:
    from sandbox.clock import sandbox_now

    return (sandbox_now(world.account) + plus).strftime("%Y-%m-%dT%H:%M:%SZ")
