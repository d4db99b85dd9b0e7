"""Put a lab into a learner's sandbox and run API calls there: the lab's setup, its reference solution, mutants.

A call is `{"as": "learner" | "<account alias>" | "session:<name>", "service": "iam" | "sts" | "ec2" | "lambda" |
"console", "action": "CreateRole", "params": {...}, "save": "<name>"}`. Calls run through real boto3 against the
real endpoint in this process (`inprocess_aws`), so they are authorized and recorded like the learner's own.
- `learner`: the learner's IAM user in the home account; `<alias>` (`management`, `dev`, `prod`, an external
  account): an administrator there (the home user, OrganizationAccountAccessRole, or the external account's admin);
- `session:<name>`: the credentials an earlier `sts` call saved with `"save": "<name>"`;
- `console` / `SwitchRole`: the console's switch role, as the learner;
- `console` / `SamlSignIn`: the corporate portal's console sign-in for a directory user of the training IdP;
- `clock` / `Advance` with `{"seconds": N}`, `clock` / `Reset`: the sandbox's teaching clock;
- a `TokenCode` of `{"totp": "<serial number>"}` is the device's current code (successive uses take later steps);
- `{"idp_saml_metadata": {}}`, `{"idp_saml_assertion": {"user": ...}}`, `{"idp_id_token": {"issuer": ...}}` are
  what the learner's training IdP hands out (`lab_idp`). `setup.directory` fills the IdP's directory.
Setup calls carry the lab-setup user agent, so grading never counts them as the learner's activity.
"""
from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyotp
from botocore.exceptions import ClientError, ParamValidationError

from labs.grading.mutants import normalized
from labs.grading.template import render
from labs.grading.variants import draw, variant_seed
from labs.services import lab_idp
from labs.services.inprocess_aws import aws_client
from labs.services.world import LAB_SETUP_AGENT
from sandbox import mfa, provisioning
from sandbox.clock import ClockError, clock_advance, clock_reset, sandbox_now
from sandbox.errors import ApplicationError, AwsError
from sandbox.identity import Identity
from sandbox.models import AccessKeyOwner, Account, MfaCodeUse, Sandbox
from sandbox.moto_store import account_reader
from sandbox.provisioning import ORGANIZATION_ACCESS_ROLE
from sandbox.sts.switch_role import switch_role

SOLUTION_AGENT = "iam-training-lab-solution"
TOTP_STEP = 30


class LabRunError(Exception):
    """A setup or solution call failed: the message names the call; `code` is AWS's error code."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


@dataclass
class RunState:
    """What a run of calls remembers: saved sessions and how many TOTP steps it has used."""

    sessions: dict[str, Credentials] = field(default_factory=dict)
    totp_steps_used: int = 0


def learner_variables(sandbox: Sandbox, definition: Mapping[str, Any]) -> dict[str, str]:
    """The learner's ids (`account.<alias>`, `user.name`, `user.arn`, `org.id`) and the lab's variants."""
    values: dict[str, str] = {}
    for account in sandbox.accounts.all():
        values[f"account.{'management' if account.is_home else account.alias}"] = account.account_id
    home = sandbox.accounts.get(is_home=True)
    values["account.home"] = home.account_id
    values["user.name"] = sandbox.home_user_name
    values["user.arn"] = f"arn:aws:iam::{home.account_id}:user/{sandbox.home_user_name}"
    organization = getattr(sandbox, "organization", None)
    values["org.id"] = organization.org_id if organization else ""
    seed = variant_seed(str(definition["uuid"]), str(sandbox.owner_id))
    values.update(draw(definition.get("variants", {}), seed))
    return values


def _user_credentials(account_id: str, user_name: str) -> Credentials:
    owner = AccessKeyOwner.objects.filter(account__account_id=account_id, user_name=user_name).order_by("created_at")
    for row in owner:
        with account_reader(account_id) as backends:
            user = backends.iam.users.get(user_name)
            key = next((k for k in (user.access_keys if user else []) if k.access_key_id == row.access_key_id), None)
            if key is not None and key.status == "Active":
                return Credentials(key.access_key_id, key.secret_access_key)
    raise LabRunError(f"the user {user_name} in {account_id} has no active access key")


def _account(sandbox: Sandbox, alias: str) -> Account:
    if alias in ("management", "home", "learner"):
        return sandbox.accounts.get(is_home=True)
    found = sandbox.accounts.filter(alias=alias).first()
    if found is None:
        raise LabRunError(f"no account `{alias}` in the sandbox (declare it in the lab's setup.accounts)")
    return found


def _credentials(sandbox: Sandbox, who: str, state: RunState, agent: str) -> Credentials:
    if who.startswith("session:"):
        name = who.removeprefix("session:")
        if name not in state.sessions:
            raise LabRunError(f"no saved session `{name}`")
        return state.sessions[name]
    account = _account(sandbox, who)
    home = sandbox.accounts.get(is_home=True)
    learner = _user_credentials(home.account_id, sandbox.home_user_name)
    if account.is_home:
        return learner
    if account.kind == Account.Kind.EXTERNAL:
        return _user_credentials(account.account_id, f"{account.alias}-admin")
    sts = aws_client("sts", access_key_id=learner.access_key_id, secret_access_key=learner.secret_access_key,
                     user_agent=agent)
    answer = sts.assume_role(RoleArn=f"arn:aws:iam::{account.account_id}:role/{ORGANIZATION_ACCESS_ROLE}",
                             RoleSessionName="lab-setup")["Credentials"]
    return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])


def _totp(sandbox: Sandbox, serial: str, state: RunState) -> str:
    account_id = serial.split(":")[4]
    with account_reader(account_id) as backends:
        seed = mfa.device_seed(backends, serial)
    if seed is None:
        raise LabRunError(f"no virtual MFA device {serial}")
    # The earliest step the device still accepts: after the last one used, at most one step behind now.
    now_step = int(mfa.totp_now() // TOTP_STEP)
    last = MfaCodeUse.objects.filter(account__account_id=account_id, serial_number=serial).values_list(
        "last_counter", flat=True).first()
    step = max(now_step - 1, (last if last is not None else now_step - 2) + 1)
    if state.totp_steps_used % 2 == 1 and last is None:
        step = now_step  # the second code of an EnableMFADevice pair
    state.totp_steps_used += 1
    return str(pyotp.TOTP(seed).at(step * TOTP_STEP))


def _zip(files: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in files.items():
            archive.writestr(name, source)
    return buffer.getvalue()


def _resolved(value: Any, sandbox: Sandbox, state: RunState) -> Any:
    """Special parameter values: `{"totp": serial}` (the device's next code), `{"zip": {name: text}}` (a zip
    archive's bytes, e.g. a Lambda function's code), `{"base64": text}` (decoded bytes), and the training IdP's
    `{"idp_saml_metadata": {}}`, `{"idp_saml_assertion": {...}}`, `{"idp_id_token": {...}}` (`lab_idp`)."""
    if isinstance(value, dict) and set(value) == {"totp"}:
        return _totp(sandbox, str(value["totp"]), state)
    if isinstance(value, dict) and len(value) == 1 and set(value) <= lab_idp.IDP_VALUES:
        ((name, spec),) = value.items()
        try:
            return lab_idp.idp_value(sandbox=sandbox, name=name, spec=spec or {})
        except ApplicationError as error:
            raise LabRunError(f"{name}: {error.message}", code="IdpRefused") from error
    if isinstance(value, dict) and set(value) == {"zip"}:
        return _zip(value["zip"])
    if isinstance(value, dict) and set(value) == {"base64"}:
        return base64.b64decode(str(value["base64"]))
    if isinstance(value, dict):
        return {key: _resolved(item, sandbox, state) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, sandbox, state) for item in value]
    return value


def _learner_identity(sandbox: Sandbox) -> Identity:
    return provisioning.home_identity(sandbox)


def run_call(sandbox: Sandbox, call: Mapping[str, Any], state: RunState, *, agent: str) -> dict[str, Any]:
    """Perform one call; raise LabRunError (naming it) when AWS refuses it."""
    action, service = str(call["action"]), str(call.get("service", "iam"))
    params = _resolved(call.get("params", {}), sandbox, state)
    if service == "console":
        return _console_call(sandbox, action, params, agent)
    if service == "clock":
        return _clock_call(sandbox, action, params)
    credentials = _credentials(sandbox, str(call.get("as", "learner")), state, agent)
    client = aws_client(service, access_key_id=credentials.access_key_id,
                        secret_access_key=credentials.secret_access_key, session_token=credentials.session_token,
                        user_agent=agent)
    method = getattr(client, _snake(action))
    try:
        answer: dict[str, Any] = method(**params)
    except ClientError as error:
        details = error.response.get("Error", {})
        code = str(details.get("Code"))
        raise LabRunError(f"{service}:{action} failed: {code}: {details.get('Message')}", code=code) from error
    except ParamValidationError as error:
        raise LabRunError(f"{service}:{action} refused by boto3: {error}", code="ParamValidation") from error
    if call.get("save") and "Credentials" in answer:
        found = answer["Credentials"]
        state.sessions[str(call["save"])] = Credentials(
            found["AccessKeyId"], found["SecretAccessKey"], found.get("SessionToken"))
    return answer


def _clock_call(sandbox: Sandbox, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """The teaching clock: `Advance` by `{"seconds": N}`, or `Reset` to real time. Answers the sandbox's time."""
    try:
        if action == "Advance":
            clock_advance(sandbox, int(params.get("seconds", 0)))
        elif action == "Reset":
            clock_reset(sandbox)
        else:
            raise LabRunError(f"clock:{action} is not a clock action (Advance, Reset)", code="InvalidAction")
    except (ClockError, TypeError, ValueError) as error:
        raise LabRunError(f"clock:{action} failed: {error}", code="InvalidParameterValue") from error
    return {"SandboxTime": sandbox_now(_learner_identity(sandbox).account_id).isoformat()}


def _console_call(sandbox: Sandbox, action: str, params: dict[str, Any], agent: str) -> dict[str, Any]:
    """The console's switch role (`SwitchRole`), or a SAML sign-in through the corporate portal (`SamlSignIn`)."""
    try:
        if action == "SamlSignIn":
            return lab_idp.console_saml_sign_in(sandbox=sandbox, params=params, user_agent=agent)
        switched = switch_role(user_identity=_learner_identity(sandbox), **params)
    except AwsError as error:
        raise LabRunError(f"console:{action} failed: {error.code}: {error.message}", code=error.code) from error
    except ApplicationError as error:
        raise LabRunError(f"console:{action} failed: {error.message}", code="IdpRefused") from error
    return {"Arn": switched.identity.arn}


def _snake(action: str) -> str:
    out = []
    for index, char in enumerate(action):
        if char.isupper() and index and (not action[index - 1].isupper() or
                                         (index + 1 < len(action) and action[index + 1].islower())):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def run_calls(sandbox: Sandbox, calls: Sequence[Mapping[str, Any]], variables: Mapping[str, str], *,
              agent: str = SOLUTION_AGENT, state: RunState | None = None, tolerate_errors: bool = False) -> RunState:
    """Run `calls` in order. A mutant keeps going past a refused call, as a learner would."""
    state = state or RunState()
    for call in normalized(calls):
        expected = call.get("expect_error")
        try:
            run_call(sandbox, render(call, variables), state, agent=agent)
        except LabRunError as error:
            if expected and error.code == expected:
                continue  # the call is meant to be refused (the learner tries it to see AWS say no)
            if not tolerate_errors:
                raise
        else:
            if expected and not tolerate_errors:
                what = f"{call.get('service', 'iam')}:{call['action']}"
                raise LabRunError(f"{what} succeeded but should fail with {expected}")
    return state


def apply_setup(sandbox: Sandbox, definition: Mapping[str, Any]) -> dict[str, str]:
    """The lab's start state: its extra accounts, its setup calls (recorded as lab setup, not activity), then the
    training IdP's directory.

    Returns the learner's variables (with the new accounts' ids)."""
    setup = definition.get("setup", {})
    existing = set(sandbox.accounts.values_list("alias", flat=True))
    for account in setup.get("accounts", []):
        if account["alias"] not in existing:
            provisioning.account_add_external(sandbox=sandbox, alias=account["alias"])
    values = learner_variables(sandbox, definition)
    run_calls(sandbox, setup.get("calls", []), values, agent=LAB_SETUP_AGENT)
    if setup.get("directory"):
        try:
            lab_idp.directory_setup(sandbox=sandbox, directory=render(setup["directory"], values))
        except ApplicationError as error:
            raise LabRunError(f"setup.directory: {error.message}", code="IdpRefused") from error
    return values
