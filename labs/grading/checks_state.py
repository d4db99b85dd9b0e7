"""State checks: what the sandbox holds (roles, their policies, limits, tags, profiles, users' MFA, functions)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import iam
from labs.grading.context import GradeContext, RoleView
from labs.grading.outcome import CheckOutcome, failed, no_role, passed


def _role(ctx: GradeContext, params: Mapping[str, Any]) -> RoleView | CheckOutcome:
    account = params.get("account")
    role = ctx.role(str(params["role_name"]), account)
    if role is None:
        found = ctx.account(account)
        return no_role(str(params["role_name"]), found.account_id if found else str(account))
    return role


def check_role_exists(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    if "path" in params and role.path != params["path"]:
        return failed(f"the role's path is `{role.path}`", f"역할의 경로가 `{role.path}`입니다")
    return passed()


def check_role_absent(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    if ctx.role(str(params["role_name"]), params.get("account")) is None:
        return passed()
    name = params["role_name"]
    return failed(f"the role `{name}` still exists", f"`{name}` 역할이 아직 있습니다")


def _named(value: iam.PrincipalValue, wanted: Mapping[str, str]) -> bool:
    (kind, target), = wanted.items()
    if str(value.kind) != kind:
        return False
    if kind == "AWS" and target.isdigit():
        return value.value in (target, f"arn:aws:iam::{target}:root")
    return value.value == target


def check_role_trusts(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The trust policy names the principal in an Allow statement (AWS's "Trusted entities")."""
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    try:
        trust = iam.parse_policy(role.trust_policy, name="trust", kind=iam.PolicyKind.TRUST, check_size=False)
    except iam.PolicySyntaxError as error:
        return failed(f"the trust policy does not parse: {error.message}",
            f"신뢰 정책을 해석할 수 없습니다: {error.message}")
    for statement in trust.statements:
        named = any(_named(value, params["principal"]) for value in statement.principals)
        if statement.effect == iam.Effect.ALLOW and named:
            return passed()
    return failed("the trust policy does not name the expected principal in an Allow statement",
                  "신뢰 정책의 Allow 문에 기대한 보안 주체가 없습니다")


def check_role_has_policy(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    if "policy_arn" in params and params["policy_arn"] not in role.managed_policies:
        return failed("the expected managed policy is not attached to the role",
            "기대한 관리형 정책이 역할에 연결되어 있지 않습니다")
    if "inline_name" in params and params["inline_name"] not in role.inline_policies:
        return failed("the expected inline policy is not on the role", "기대한 인라인 정책이 역할에 없습니다")
    return passed()


def check_role_has_boundary(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    if role.boundary_arn == params["policy_arn"]:
        return passed()
    return failed("the role does not have the expected permissions boundary", "역할에 기대한 권한 경계가 없습니다")


def check_role_max_session(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    low, high = int(params.get("at_least", 3600)), int(params.get("at_most", 43200))
    if low <= role.max_session_duration <= high:
        return passed()
    return failed(f"the role's maximum session duration is {role.max_session_duration} seconds",
                  f"역할의 최대 세션 기간이 {role.max_session_duration}초입니다")


def check_role_tags(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    lowered = {key.lower(): value for key, value in role.tags.items()}
    missing = [key for key, value in params["tags"].items() if lowered.get(key.lower()) != value]
    if not missing:
        return passed()
    keys = ", ".join(f"`{key}`" for key in missing)
    return failed(f"tags missing or with another value: {keys}", f"없거나 값이 다른 태그: {keys}")


def check_instance_profile_holds(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    wanted = params.get("profile_name")
    if role.instance_profiles and (wanted is None or wanted in role.instance_profiles):
        return passed()
    return failed("no instance profile holds the role", "역할을 담은 인스턴스 프로파일이 없습니다")


def check_user_has_mfa(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    account = ctx.account(params.get("account"))
    user = account.users.get(str(params["user_name"])) if account else None
    if user is not None and user.mfa_devices:
        return passed()
    name = params["user_name"]
    return failed(f"the user `{name}` has no MFA device", f"`{name}` 사용자에게 MFA 디바이스가 없습니다")


def check_function_role(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    name = params.get("function_name")
    uses = [arn for arn, role_arn in ctx.functions.items() if role_arn == role.arn
            and (name is None or arn.endswith(f":function:{name}"))]
    if uses:
        return passed()
    return failed("no Lambda function uses the role as its execution role",
        "역할을 실행 역할로 쓰는 Lambda 함수가 없습니다")


def check_instance_uses_role(ctx: GradeContext, params: Mapping[str, Any]) -> CheckOutcome:
    role = _role(ctx, params)
    if isinstance(role, CheckOutcome):
        return role
    profiles = {arn.rsplit("/", 1)[-1] for arn in ctx.instance_profiles_in_use}
    if profiles & set(role.instance_profiles):
        return passed()
    return failed("no running instance has an instance profile with the role",
        "역할이 든 인스턴스 프로파일을 가진 실행 중인 인스턴스가 없습니다")
