"""Lambda (2015-03-31): functions, and `iam:PassRole` for the execution role a call sets.

A function is `arn:aws:lambda:REGION:ACCOUNT:function:NAME`; a call naming a version or alias
(`Qualifier`, or `NAME:QUALIFIER`) is checked on the qualified ARN `...:function:NAME:QUALIFIER`.
`FunctionName` may be a name, a full ARN or a partial ARN (`ACCOUNT:function:NAME`).
https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
"""

from __future__ import annotations

import re

from sandbox.operations.model import Authorization, Operation, RequestRejected
from sandbox.operations.scope import (
    Handler,
    Scope,
    anywhere,
    optional,
    owned,
    pass_role,
    request_tags,
    required,
    tag_pairs,
)

LAMBDA = "lambda.amazonaws.com"

_PARTIAL_ARN = re.compile(r"(?P<account>\d{12}):function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?")
_FULL_ARN = re.compile(
    r"arn:[^:]+:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?"
)


def function_arn(operation: Operation, scope: Scope, *, qualified: bool = True) -> str:
    """The function's ARN from `FunctionName` (and `Qualifier`), in the call's region and account."""
    name = required(operation, "FunctionName")
    found = _FULL_ARN.fullmatch(name) or _PARTIAL_ARN.fullmatch(name)
    if name.startswith("arn:") and found is None:
        raise RequestRejected("ValidationException", f"`{name}` is not a function name or ARN")
    parts = found.groupdict() if found else dict(zip(("name", "qualifier"), name.split(":", 1), strict=False))
    region = parts.get("region") or scope.region
    account = parts.get("account") or scope.account_id
    qualifier = optional(operation, "Qualifier") or parts.get("qualifier")
    resource = f"arn:{scope.partition}:lambda:{region}:{account}:function:{parts['name']}"
    return f"{resource}:{qualifier}" if qualified and qualifier else resource


def create_function(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`lambda:CreateFunction` with the request's tags, and `iam:PassRole` on the execution role."""
    tags = request_tags(tag_pairs(operation.params.get("Tags")))
    function = owned("lambda:CreateFunction", function_arn(operation, scope, qualified=False), tags)
    return (function, pass_role(required(operation, "Role"), LAMBDA))


def update_function_configuration(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    """`iam:PassRole` only when the call sets a new execution role."""
    update = owned("lambda:UpdateFunctionConfiguration", function_arn(operation, scope, qualified=False))
    role = optional(operation, "Role")
    return (update, pass_role(role, LAMBDA)) if role else (update,)


def _on_function(action: str) -> Handler:
    def authorizations(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
        return (owned(action, function_arn(operation, scope)),)

    return authorizations


def list_functions(operation: Operation, scope: Scope) -> tuple[Authorization, ...]:
    return (anywhere("lambda:ListFunctions", scope),)


HANDLERS: dict[str, Handler] = {
    "CreateFunction": create_function,
    "UpdateFunctionConfiguration": update_function_configuration,
    "GetFunction": _on_function("lambda:GetFunction"),
    "GetFunctionConfiguration": _on_function("lambda:GetFunctionConfiguration"),
    "DeleteFunction": _on_function("lambda:DeleteFunction"),
    "Invoke": _on_function("lambda:InvokeFunction"),
    "ListFunctions": list_functions,
}
