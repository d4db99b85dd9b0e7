"""IAM console passwords (login profiles) set as AWS sets them: checked against the account's password policy.

moto's CreateLoginProfile drops PasswordResetRequired, its UpdateLoginProfile without a Password erases the
password, and neither applies a password policy; these two calls are answered here, on moto's user objects.
Authorization has already happened when `login_profile_call` runs.
"""
from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from sandbox.endpoint.dispatch import IAM_NAMESPACE, MotoResponse, iam_error, iam_ok
from sandbox.errors import AwsError, EntityAlreadyExists, NoSuchEntity, ValidationError
from sandbox.identity import Identity
from sandbox.moto_store import AccountBackends

if TYPE_CHECKING:
    from moto.iam.models import User

# AWS: the default password policy, used when the account has none, and the symbols a policy counts
# (id_credentials_passwords_account-policy.html#default-policy-details; API_PasswordPolicy.html).
DEFAULT_MIN_LENGTH = 8
CUSTOM_MIN_LENGTH = 6  # UpdateAccountPasswordPolicy's default MinimumPasswordLength
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
# PasswordPolicyViolation texts: best guesses at AWS's wording (the console's password form uses the same ones).
TOO_SHORT = "Password should have a minimum length of {length}"
NEEDS_UPPERCASE = "Password should have at least one uppercase letter"
NEEDS_LOWERCASE = "Password should have at least one lowercase letter"
NEEDS_NUMBER = "Password should have at least one number"
NEEDS_SYMBOL = "Password should have at least one symbol"
NEEDS_THREE_TYPES = (
    "Password should include a minimum of three of the following mix of character types: uppercase, lowercase, "
    "numbers and symbols (! @ # $ % ^ & * ( ) _ + - = [ ] { } | ')"
)
# As LocalStack's IAM provider words them (its tests are recorded against AWS); moto's differ.
PROFILE_EXISTS = "Login Profile for user {name} already exists."
PROFILE_NOT_FOUND = "Login Profile for User {name} cannot be found."
NO_SUCH_USER = "The user with name {name} cannot be found."
# Best guess: the model makes Password optional (only an AssumeRoot session may omit it); the sandbox has none.
NULL_MEMBER = (
    "1 validation error detected: Value 'null' at 'password' failed to satisfy constraint: Member must not be null"
)

Handler = Callable[[AccountBackends, Identity, Mapping[str, Any]], MotoResponse]


class PasswordPolicyViolation(AwsError):
    code = "PasswordPolicyViolation"
    status = 400


@dataclass(frozen=True, slots=True)
class PasswordRules:
    """The account's password policy, or AWS's default one (`custom=False`: three of four character types)."""

    min_length: int = DEFAULT_MIN_LENGTH
    require_uppercase: bool = False
    require_lowercase: bool = False
    require_numbers: bool = False
    require_symbols: bool = False
    custom: bool = False


def password_rules(backends: AccountBackends) -> PasswordRules:
    policy = backends.iam.account_password_policy
    if policy is None:
        return PasswordRules()
    return PasswordRules(
        min_length=int(policy.minimum_password_length or CUSTOM_MIN_LENGTH),
        require_uppercase=bool(policy.require_uppercase_characters),
        require_lowercase=bool(policy.require_lowercase_characters),
        require_numbers=bool(policy.require_numbers),
        require_symbols=bool(policy.require_symbols),
        custom=True,
    )


def password_problems(password: str, rules: PasswordRules) -> list[str]:
    """Every rule `password` breaks, in the order listed above (empty when it conforms)."""
    kinds = {
        NEEDS_UPPERCASE: any(c in string.ascii_uppercase for c in password),
        NEEDS_LOWERCASE: any(c in string.ascii_lowercase for c in password),
        NEEDS_NUMBER: any(c in string.digits for c in password),
        NEEDS_SYMBOL: any(c in SYMBOLS for c in password),
    }
    problems = [TOO_SHORT.format(length=rules.min_length)] if len(password) < rules.min_length else []
    if not rules.custom:
        return problems + ([NEEDS_THREE_TYPES] if sum(kinds.values()) < 3 else [])
    required = {
        NEEDS_UPPERCASE: rules.require_uppercase, NEEDS_LOWERCASE: rules.require_lowercase,
        NEEDS_NUMBER: rules.require_numbers, NEEDS_SYMBOL: rules.require_symbols,
    }
    return problems + [message for message, needed in required.items() if needed and not kinds[message]]


def check_password(backends: AccountBackends, password: str) -> None:
    """PasswordPolicyViolation naming the first rule of the account's policy that `password` breaks."""
    problems = password_problems(password, password_rules(backends))
    if problems:
        raise PasswordPolicyViolation(problems[0], extra={"problems": problems})


def login_profile_call(
    backends: AccountBackends, identity: Identity, name: str, params: Mapping[str, Any]
) -> MotoResponse:
    """Serve one of `LOGIN_PROFILE_CALLS` in the (writable) account of `backends`."""
    try:
        return HANDLERS[name](backends, identity, params)
    except AwsError as error:
        return iam_error(error.code, error.message, error.status)


def _user(backends: AccountBackends, name: str) -> User:
    user = backends.iam.users.get(name)
    if user is None:
        raise NoSuchEntity(NO_SUCH_USER.format(name=name))
    return user


def create_login_profile(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    # AWS: with no UserName the call acts on the calling user.
    user = _user(backends, str(params.get("UserName") or identity.name))
    password = params.get("Password")
    if password is None:
        raise ValidationError(NULL_MEMBER)
    if user.password:
        raise EntityAlreadyExists(PROFILE_EXISTS.format(name=user.name))
    check_password(backends, str(password))
    user.password = str(password)
    user.password_reset_required = bool(params.get("PasswordResetRequired", False))
    # moto keeps no date of its own for the profile; GetLoginProfile (moto's) reports the user's, and so does this.
    profile = (
        f"<UserName>{escape(user.name)}</UserName>"
        f"<CreateDate>{user.create_date.strftime('%Y-%m-%dT%H:%M:%SZ')}</CreateDate>"
        f"<PasswordResetRequired>{str(user.password_reset_required).lower()}</PasswordResetRequired>"
    )
    body = (
        f'<CreateLoginProfileResponse xmlns="{IAM_NAMESPACE}"><CreateLoginProfileResult>'
        f"<LoginProfile>{profile}</LoginProfile></CreateLoginProfileResult>"
        "<ResponseMetadata><RequestId>-</RequestId></ResponseMetadata></CreateLoginProfileResponse>"
    )
    return MotoResponse(200, {"Content-Type": "text/xml"}, body.encode())


def update_login_profile(backends: AccountBackends, identity: Identity, params: Mapping[str, Any]) -> MotoResponse:
    """Only what the call names changes: no Password keeps the password, no PasswordResetRequired keeps the flag."""
    user = _user(backends, str(params.get("UserName") or ""))
    if not user.password:
        raise NoSuchEntity(PROFILE_NOT_FOUND.format(name=user.name))
    password = params.get("Password")
    if password is not None:
        check_password(backends, str(password))
        user.password = str(password)
    reset = params.get("PasswordResetRequired")
    if reset is not None:
        user.password_reset_required = bool(reset)
    return iam_ok("UpdateLoginProfile")


HANDLERS: dict[str, Handler] = {
    "CreateLoginProfile": create_login_profile,
    "UpdateLoginProfile": update_login_profile,
}
LOGIN_PROFILE_CALLS: frozenset[str] = frozenset(HANDLERS)
