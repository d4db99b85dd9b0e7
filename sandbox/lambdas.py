"""Lambda in a sandbox account: functions' configuration and execution role; their code is measured, never run.

A function exists in one account and region. Its execution role must exist in that account and trust
`lambda.amazonaws.com` (the engine decides, as STS would when Lambda assumes it); `iam:PassRole` is checked before,
by the call's authorization. Answers are dicts shaped like botocore's output shapes.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction

from sandbox.errors import AwsError
from sandbox.models import Account, LambdaFunction
from sandbox.sts.service_sessions import service_may_assume, service_role

LAMBDA_SERVICE = "lambda.amazonaws.com"
MAX_CODE_BYTES = 1024 * 1024  # the sandbox keeps no code, but still refuses large uploads
MAX_TIMEOUT, MAX_MEMORY = 900, 10240  # Lambda's limits (the API model allows more)
LIST_PAGE = 50
# Runtimes Lambda accepts for new functions; older members of the API's enum are deprecated.
RUNTIMES = frozenset({
    "nodejs18.x", "nodejs20.x", "nodejs22.x", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
    "java11", "java17", "java21", "dotnet8", "ruby3.2", "ruby3.3", "ruby3.4", "provided.al2", "provided.al2023",
})
NEWEST = {"nodejs": "nodejs22.x", "python": "python3.13", "java": "java21", "dotnet": "dotnet8", "ruby": "ruby3.4",
          "go": "provided.al2023", "provided": "provided.al2023"}

ROLE_CANNOT_BE_ASSUMED = "The role defined for the function cannot be assumed by Lambda."
ALREADY_EXISTS = "Function already exist: {name}"
NOT_FOUND = "Function not found: {arn}"
MANDATORY = "Runtime and Handler are mandatory parameters for functions created with deployment packages."
DEPRECATED = (
    "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
    "We recommend you use the new runtime ({newest}) while creating or updating functions."
)
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
TOO_LARGE = "Code must be smaller than 1048576 bytes (1 MiB) in this training sandbox"
NO_S3_CODE = "Code from S3 or a container image is not available in this training sandbox: upload a .zip (ZipFile)"
ABOVE = "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have " \
        "value less than or equal to {limit}"
INVOKED = "code does not run in this training sandbox: the function was authorized and found, and echoes its event"


class LambdaError(AwsError):
    """A Lambda error; its HTTP status follows the error's shape in the API model."""

    status = 400


@dataclass(frozen=True, slots=True)
class FunctionName:
    """The function a call names (by name, partial or full ARN), in the caller's region."""

    account_id: str
    region: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        base = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"
        return f"{base}:{self.qualifier}" if self.qualifier else base


def function_name(value: str, *, account_id: str, region: str, qualifier: str | None = None) -> FunctionName:
    """`my-fn`, `123456789012:function:my-fn` or `arn:aws:lambda:REGION:ACCT:function:my-fn[:QUALIFIER]`."""
    parts = value.split(":")
    if value.startswith("arn:") and len(parts) >= 7:
        region, account_id, name, qualifier = parts[3], parts[4], parts[6], (parts[7] if len(parts) > 7 else qualifier)
    elif len(parts) >= 3 and parts[1] == "function":
        account_id, name, qualifier = parts[0], parts[2], (parts[3] if len(parts) > 3 else qualifier)
    else:
        name, qualifier = parts[0], (parts[1] if len(parts) > 1 else qualifier)
    return FunctionName(account_id, region, name, qualifier)


def _check_limits(params: Mapping[str, Any]) -> None:
    for member, limit in (("Timeout", MAX_TIMEOUT), ("MemorySize", MAX_MEMORY)):
        value = params.get(member)
        if isinstance(value, int) and value > limit:
            raise LambdaError(ABOVE.format(value=value, member=member[:1].lower() + member[1:], limit=limit),
                              code="ValidationException")


def _check_runtime(runtime: str | None) -> None:
    if runtime is None or runtime in RUNTIMES:
        return
    family = next((prefix for prefix in NEWEST if runtime.startswith(prefix)), "provided")
    raise LambdaError(DEPRECATED.format(runtime=runtime, newest=NEWEST[family]), code="InvalidParameterValueException")


def check_role(account_id: str, role_arn: str) -> None:
    """The execution role must exist in the function's account and trust Lambda, or Lambda cannot use it."""
    role = service_role(account_id, role_arn) if role_arn.split(":")[4:5] == [account_id] else None
    if role is None or not service_may_assume(role, LAMBDA_SERVICE).allowed:
        raise LambdaError(ROLE_CANNOT_BE_ASSUMED, code="InvalidParameterValueException")


def _code(code: Mapping[str, Any]) -> bytes:
    if code.get("S3Bucket") or code.get("S3Key") or code.get("ImageUri") or not code.get("ZipFile"):
        raise LambdaError(NO_S3_CODE, code="InvalidParameterValueException")
    try:
        data = base64.b64decode(code["ZipFile"], validate=True)
    except ValueError as exc:
        raise LambdaError(NOT_A_ZIP, code="InvalidParameterValueException") from exc
    if len(data) > MAX_CODE_BYTES:
        raise LambdaError(TOO_LARGE, code="RequestEntityTooLargeException", status=413)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LambdaError(NOT_A_ZIP, code="InvalidParameterValueException")
    return data


def function_create(*, name: FunctionName, params: Mapping[str, Any], now: datetime) -> LambdaFunction:
    """CreateFunction: AWS's checks in AWS's order, then the configuration (code: size and SHA-256 only)."""
    _check_limits(params)
    runtime, handler = params.get("Runtime"), params.get("Handler")
    if not runtime or not handler:
        raise LambdaError(MANDATORY, code="InvalidParameterValueException")
    _check_runtime(runtime)
    data = _code(params.get("Code") or {})
    if LambdaFunction.objects.filter(account__account_id=name.account_id, region=name.region, name=name.name).exists():
        raise LambdaError(ALREADY_EXISTS.format(name=name.name), code="ResourceConflictException", status=409)
    check_role(name.account_id, str(params["Role"]))
    try:
        with transaction.atomic():
            return LambdaFunction.objects.create(
                account=Account.objects.get(account_id=name.account_id), region=name.region, name=name.name,
                runtime=runtime, role_arn=params["Role"], handler=handler,
                description=params.get("Description", ""), timeout=params.get("Timeout", 3),
                memory_size=params.get("MemorySize", 128),
                environment=dict((params.get("Environment") or {}).get("Variables") or {}),
                tags=dict(params.get("Tags") or {}), code_size=len(data),
                code_sha256=base64.b64encode(hashlib.sha256(data).digest()).decode(),
                revision_id=str(uuid.uuid4()), last_modified=now,
            )
    except IntegrityError as exc:  # created meanwhile by a concurrent call
        raise LambdaError(ALREADY_EXISTS.format(name=name.name), code="ResourceConflictException", status=409) from exc


def function_get(name: FunctionName) -> LambdaFunction:
    """The function, or AWS's ResourceNotFoundException; only `$LATEST` exists (no versions are published)."""
    found = LambdaFunction.objects.filter(account__account_id=name.account_id, region=name.region, name=name.name)
    function = found.first() if name.qualifier in (None, "$LATEST") else None
    if function is None:
        raise LambdaError(NOT_FOUND.format(arn=name.arn), code="ResourceNotFoundException", status=404)
    return function


def function_list(*, account_id: str, region: str, marker: str | None, max_items: int | None) -> dict[str, Any]:
    """ListFunctions: by name, a page at a time (`NextMarker` is the last name returned)."""
    found = LambdaFunction.objects.filter(account__account_id=account_id, region=region).order_by("name")
    if marker:
        found = found.filter(name__gt=marker)
    size = min(max_items or LIST_PAGE, LIST_PAGE)
    page = list(found[: size + 1])
    answer: dict[str, Any] = {"Functions": [configuration_shape(function) for function in page[:size]]}
    if len(page) > size:
        answer["NextMarker"] = page[size - 1].name
    return answer


def function_update_configuration(function: LambdaFunction, params: Mapping[str, Any], now: datetime) -> LambdaFunction:
    """UpdateFunctionConfiguration: the fields given change; a new role must again be one Lambda can assume."""
    _check_limits(params)
    _check_runtime(params.get("Runtime"))
    if params.get("Role"):
        check_role(function.account.account_id, str(params["Role"]))
    fields = {"Role": "role_arn", "Handler": "handler", "Description": "description", "Timeout": "timeout",
              "MemorySize": "memory_size", "Runtime": "runtime"}
    for member, field in fields.items():
        if params.get(member) is not None:
            setattr(function, field, params[member])
    if params.get("Environment") is not None:
        function.environment = dict(params["Environment"].get("Variables") or {})
    function.revision_id, function.last_modified = str(uuid.uuid4()), now
    function.save()
    return function


def function_invoke(function: LambdaFunction, payload: bytes) -> bytes:
    """Invoke: the sandbox runs no code. The answer is a fixed JSON document that echoes the event."""
    try:
        event: Any = json.loads(payload or b"{}")
    except ValueError:
        event = payload.decode("utf-8", "replace")
    return json.dumps({"sandbox": INVOKED, "functionName": function.name, "event": event}).encode()


def configuration_shape(function: LambdaFunction) -> dict[str, Any]:
    """FunctionConfiguration as Lambda answers it."""
    arn = f"arn:aws:lambda:{function.region}:{function.account.account_id}:function:{function.name}"
    shape: dict[str, Any] = {
        "FunctionName": function.name, "FunctionArn": arn, "Runtime": function.runtime, "Role": function.role_arn,
        "Handler": function.handler, "CodeSize": function.code_size, "Description": function.description,
        "Timeout": function.timeout, "MemorySize": function.memory_size,
        "LastModified": function.last_modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": function.code_sha256, "Version": "$LATEST", "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": function.revision_id, "State": "Active", "LastUpdateStatus": "Successful",
        "PackageType": "Zip", "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.name}"},
    }
    if function.environment:
        shape["Environment"] = {"Variables": function.environment}
    return shape


def function_shape(function: LambdaFunction) -> dict[str, Any]:
    """GetFunction: the configuration, where the code is (the sandbox keeps none to download), and the tags."""
    answer: dict[str, Any] = {"Configuration": configuration_shape(function), "Code": {"RepositoryType": "S3"}}
    if function.tags:
        answer["Tags"] = function.tags
    return answer

