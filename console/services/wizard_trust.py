"""The create-role wizard's trusted entities and the trust policy AWS's console generates for each (pure code).

AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html (and `_for-user`,
`_for-idp_oidc`, `_for-idp_saml`, `_for-custom`). The statement layouts follow `shared/reference/aws-iam-sts.md`
section 5.2: `Effect`, `Principal`, `Action`, then `Condition`, with single values as strings.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERSION = "2012-10-17"
SAML_CONSOLE_AUDIENCE = "https://signin.aws.amazon.com/saml"
OIDC_ARN = re.compile(r"^arn:aws:iam::\d{12}:oidc-provider/(?P<url>.+)$")
SAML_ARN = re.compile(r"^arn:aws:iam::\d{12}:saml-provider/(?P<name>[\w.-]+)$")
CUSTOM_TEMPLATE = json.dumps(
    {"Version": VERSION, "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Principal": {},
                                        "Action": "sts:AssumeRole"}]},
    indent=4,
)
"""The custom trust policy editor's starting text (widely seen in AWS's console; UNCONFIRMED as current)."""


class EntityType(StrEnum):
    """Step 1's "Trusted entity type" tiles, in the console's order."""

    AWS_SERVICE = "aws_service"
    AWS_ACCOUNT = "aws_account"
    WEB_IDENTITY = "web_identity"
    SAML = "saml"
    CUSTOM = "custom"


ENTITY_TYPES: tuple[tuple[EntityType, Promise, Promise], ...] = (
    (EntityType.AWS_SERVICE, _("AWS service"),
     _("Allow AWS services like EC2, Lambda, or others to perform actions in this account.")),
    (EntityType.AWS_ACCOUNT, _("AWS account"),
     _("Allow entities in other AWS accounts belonging to you or a 3rd party to perform actions in this account.")),
    (EntityType.WEB_IDENTITY, _("Web identity"),
     _("Allows users federated by the specified external web identity provider to assume this role to perform "
       "actions in this account.")),
    (EntityType.SAML, _("SAML 2.0 federation"),
     _("Allow users federated with SAML 2.0 from a corporate directory to perform actions in this account.")),
    (EntityType.CUSTOM, _("Custom trust policy"),
     _("Create a custom trust policy to enable others to perform actions in this account.")),
)


@dataclass(frozen=True, slots=True)
class UseCase:
    """One use case of a service: the service principal its role trusts, and the policies AWS suggests for it."""

    key: str
    label: str  # AWS keeps use-case names in English in every language
    description: Promise
    principal: str
    suggested_policies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Service:
    key: str
    label: str
    use_cases: tuple[UseCase, ...]


_POLICY = "arn:aws:iam::aws:policy/"
SERVICES: tuple[Service, ...] = (
    Service("ec2", "EC2", (
        UseCase("ec2", "EC2", _("Allows EC2 instances to call AWS services on your behalf."), "ec2.amazonaws.com"),
        UseCase("ec2-ssm", "EC2 Role for AWS Systems Manager",
                _("Allows EC2 instances to call AWS services like CloudWatch and Systems Manager on your behalf."),
                "ec2.amazonaws.com", (f"{_POLICY}AmazonSSMManagedInstanceCore",)),
        UseCase("ec2-spot-fleet", "EC2 Spot Fleet Role",
                _("Allows EC2 Spot Fleet to request and terminate Spot Instances on your behalf."),
                "spotfleet.amazonaws.com"),
    )),
    Service("lambda", "Lambda", (
        UseCase("lambda", "Lambda", _("Allows Lambda functions to call AWS services on your behalf."),
                "lambda.amazonaws.com"),
    )),
    Service("ecs", "Elastic Container Service", (
        UseCase("ecs-tasks", "Elastic Container Service Task",
                _("Allows ECS tasks to call AWS services on your behalf."), "ecs-tasks.amazonaws.com"),
        UseCase("ecs-ec2", "EC2 Role for Elastic Container Service",
                _("Allows EC2 instances in an ECS cluster to access ECS."), "ec2.amazonaws.com"),
    )),
    Service("cloudformation", "CloudFormation", (
        UseCase("cloudformation", "CloudFormation",
                _("Allows CloudFormation to create and manage AWS stacks and resources on your behalf."),
                "cloudformation.amazonaws.com"),
    )),
    Service("config", "Config", (
        UseCase("config", "Config - Customizable",
                _("Allows Config to call AWS services and collect resource configurations on your behalf."),
                "config.amazonaws.com", (f"{_POLICY}service-role/AWS_ConfigRole",)),
    )),
    Service("emr", "EMR", (
        UseCase("emr", "EMR", _("Allows Elastic MapReduce to call AWS services such as EC2 on your behalf."),
                "elasticmapreduce.amazonaws.com", (f"{_POLICY}service-role/AmazonEMRServicePolicy_v2",)),
        UseCase("emr-ec2", "EMR Role for EC2",
                _("Role for EC2 instances within Elastic MapReduce clusters to call AWS services on your behalf."),
                "ec2.amazonaws.com", (f"{_POLICY}service-role/AmazonElasticMapReduceforEC2Role",)),
    )),
    Service("apigateway", "API Gateway", (
        UseCase("apigateway", "API Gateway", _("Allows API Gateway to push logs to CloudWatch Logs."),
                "apigateway.amazonaws.com"),
    )),
    Service("codebuild", "CodeBuild", (
        UseCase("codebuild", "CodeBuild", _("Allows CodeBuild to call AWS services on your behalf."),
                "codebuild.amazonaws.com"),
    )),
    Service("glue", "Glue", (
        UseCase("glue", "Glue", _("Allows Glue to call AWS services on your behalf."), "glue.amazonaws.com"),
    )),
    Service("states", "Step Functions", (
        UseCase("states", "Step Functions", _("Allows Step Functions to access AWS resources on your behalf."),
                "states.amazonaws.com"),
    )),
)
USE_CASES: dict[str, tuple[Service, UseCase]] = {
    case.key: (service, case) for service in SERVICES for case in service.use_cases
}


@dataclass(frozen=True, slots=True)
class WebProvider:
    """A web identity provider: the principal the trust policy names and the condition key for its audience."""

    key: str
    label: str
    principal: str
    audience_key: str
    audience_label: Promise


BUILT_IN_WEB_PROVIDERS: tuple[WebProvider, ...] = (
    WebProvider("cognito", "Amazon Cognito", "cognito-identity.amazonaws.com",
                "cognito-identity.amazonaws.com:aud", _("Identity Pool ID")),
    WebProvider("amazon", "Login with Amazon", "www.amazon.com", "www.amazon.com:app_id", _("Application ID")),
    WebProvider("facebook", "Facebook", "graph.facebook.com", "graph.facebook.com:app_id", _("Application ID")),
    WebProvider("google", "Google", "accounts.google.com", "accounts.google.com:aud", _("Audience")),
)


def oidc_web_provider(arn: str) -> WebProvider | None:
    """An IAM OpenID Connect provider as a web identity provider (its key is its ARN), or None for another ARN."""
    found = OIDC_ARN.match(arn)
    if found is None:
        return None
    url = found.group("url")
    return WebProvider(arn, url, arn, f"{url}:aud", _("Audience"))


def web_provider(key: str) -> WebProvider | None:
    return next((p for p in BUILT_IN_WEB_PROVIDERS if p.key == key), None) or oidc_web_provider(key)


SAML_ATTRIBUTES = (
    "SAML:aud", "SAML:iss", "SAML:sub", "SAML:sub_type", "SAML:namequalifier", "SAML:doc",
    "SAML:edupersonaffiliation", "SAML:edupersonprincipalname", "SAML:cn", "SAML:mail", "SAML:uid",
)
"""Attributes the console offers for a SAML condition (a selection of the documented `saml:` keys)."""


class SamlAccess(StrEnum):
    PROGRAMMATIC = "programmatic"
    CONSOLE = "console"


class TrustChoice(TypedDict, total=False):
    """What step 1 recorded: the trusted entity type and its options (JSON-ready, kept in the session)."""

    entity_type: str
    service: str
    use_case: str
    account: str  # "this" | "other"
    account_id: str  # the 12-digit account trusted (this account's id for "this")
    require_external_id: bool
    external_id: str
    require_mfa: bool
    web_provider: str
    audience: str
    saml_provider: str
    saml_access: str
    saml_attribute: str
    saml_value: str
    custom_policy: str


def _statement(principal: dict[str, str], action: str, condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _account_condition(choice: TrustChoice) -> dict[str, Any]:
    # AWS: the console adds these blocks for "Require external ID" and "Require MFA"; with neither it leaves an
    # empty Condition block (third-party evidence; Access Analyzer calls it an "Empty object condition").
    condition: dict[str, Any] = {}
    if choice.get("require_external_id"):
        condition["StringEquals"] = {"sts:ExternalId": choice.get("external_id", "")}
    if choice.get("require_mfa"):
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    return condition


def _saml_condition(choice: TrustChoice) -> dict[str, Any]:
    equals: dict[str, str] = {}
    if choice.get("saml_access") == SamlAccess.CONSOLE:
        equals["SAML:aud"] = SAML_CONSOLE_AUDIENCE
    attribute = choice.get("saml_attribute", "")
    if attribute:
        equals[attribute] = choice.get("saml_value", "")
    return {"StringEquals": equals}


def trust_statement(choice: TrustChoice) -> dict[str, Any]:
    """The one statement the console generates for a (complete) non-custom choice; KeyError when incomplete."""
    kind = choice["entity_type"]
    if kind == EntityType.AWS_SERVICE:
        _, case = USE_CASES[choice["use_case"]]
        return _statement({"Service": case.principal}, "sts:AssumeRole", None)
    if kind == EntityType.AWS_ACCOUNT:
        principal = {"AWS": f"arn:aws:iam::{choice['account_id']}:root"}
        return _statement(principal, "sts:AssumeRole", _account_condition(choice))
    if kind == EntityType.WEB_IDENTITY:
        provider = web_provider(choice["web_provider"])
        if provider is None:
            raise KeyError(choice["web_provider"])
        condition = {"StringEquals": {provider.audience_key: choice["audience"]}}
        return _statement({"Federated": provider.principal}, "sts:AssumeRoleWithWebIdentity", condition)
    if kind == EntityType.SAML:
        principal = {"Federated": choice["saml_provider"]}
        return _statement(principal, "sts:AssumeRoleWithSAML", _saml_condition(choice))
    raise KeyError(kind)


def trust_policy_text(choice: TrustChoice) -> str:
    """The trust policy for `choice` as the console shows it: the custom text as typed, else indented JSON."""
    if choice.get("entity_type") == EntityType.CUSTOM:
        return choice.get("custom_policy", "")
    return json.dumps({"Version": VERSION, "Statement": [trust_statement(choice)]}, indent=4)


def trusts_ec2(document: str) -> bool:
    """True when the policy lets the EC2 service assume the role: the console then adds an instance profile."""
    try:
        data = json.loads(document)
    except ValueError:
        return False
    statements = data.get("Statement") if isinstance(data, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return any(_allows_ec2(statement) for statement in statements or () if isinstance(statement, dict))


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _allows_ec2(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
    actions = [str(action).lower() for action in _listed(statement.get("Action"))]
    return (
        statement.get("Effect") == "Allow" and "ec2.amazonaws.com" in services
        and any(action in ("sts:assumerole", "sts:*", "*") for action in actions)
    )
