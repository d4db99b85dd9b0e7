"""Policy validation findings: severities, stable codes and the `Finding` value the editors show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

_CHECKS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide"


class Severity(StrEnum):
    """Access Analyzer's finding types, most serious first.

    An ERROR means IAM rejects the document; the others describe a policy IAM accepts.
    https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html
    """

    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


class FindingCode(StrEnum):
    """Stable issue codes, spelled like Access Analyzer's `issueCode` where AWS has such a check.

    Codes Access Analyzer does not have (ours): UNKNOWN_ELEMENT (AWS: INVALID_POLICY_ELEMENT),
    UNKNOWN_OPERATOR (AWS: INVALID_CONDITION_OPERATOR), INVALID_ACTION and INVALID_ARN (format
    only), INVALID_PRINCIPAL, POLICY_SIZE_EXCEEDS_QUOTA, SYNTAX_ERROR, UNREACHABLE_STATEMENT,
    TRUST_POLICY_OPEN_TO_EVERYONE and EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    """

    # Errors: IAM rejects the document.
    JSON_SYNTAX_ERROR = "JSON_SYNTAX_ERROR"
    DATA_TYPE_MISMATCH = "DATA_TYPE_MISMATCH"
    UNKNOWN_ELEMENT = "UNKNOWN_ELEMENT"
    UNSUPPORTED_ELEMENT_COMBINATION = "UNSUPPORTED_ELEMENT_COMBINATION"
    INVALID_VERSION = "INVALID_VERSION"
    MISSING_STATEMENT = "MISSING_STATEMENT"
    UNSUPPORTED_SID = "UNSUPPORTED_SID"
    UNIQUE_SIDS_REQUIRED = "UNIQUE_SIDS_REQUIRED"
    MISSING_EFFECT = "MISSING_EFFECT"
    INVALID_EFFECT = "INVALID_EFFECT"
    MISSING_ACTION = "MISSING_ACTION"
    INVALID_ACTION = "INVALID_ACTION"
    UNSUPPORTED_ACTION_IN_POLICY = "UNSUPPORTED_ACTION_IN_POLICY"
    MISSING_RESOURCE = "MISSING_RESOURCE"
    INVALID_ARN = "INVALID_ARN"
    ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE = "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"
    MISSING_PRINCIPAL = "MISSING_PRINCIPAL"
    UNSUPPORTED_PRINCIPAL = "UNSUPPORTED_PRINCIPAL"
    ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL = "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"
    INVALID_PRINCIPAL_FORMAT = "INVALID_PRINCIPAL_FORMAT"
    INVALID_PRINCIPAL_KEY = "INVALID_PRINCIPAL_KEY"
    INVALID_PRINCIPAL = "INVALID_PRINCIPAL"
    UNKNOWN_OPERATOR = "UNKNOWN_OPERATOR"
    NULL_WITH_IF_EXISTS = "NULL_WITH_IF_EXISTS"
    INVALID_CONDITION_KEY_FORMAT = "INVALID_CONDITION_KEY_FORMAT"
    POLICY_SIZE_EXCEEDS_QUOTA = "POLICY_SIZE_EXCEEDS_QUOTA"
    SYNTAX_ERROR = "SYNTAX_ERROR"
    # Security warnings: the policy grants more than its author probably meant.
    TRUST_POLICY_OPEN_TO_EVERYONE = "TRUST_POLICY_OPEN_TO_EVERYONE"
    EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID = "EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID"
    ALLOW_WITH_NOT_PRINCIPAL = "ALLOW_WITH_NOT_PRINCIPAL"
    FORALLVALUES_WITH_SINGLE_VALUED_KEY = "FORALLVALUES_WITH_SINGLE_VALUED_KEY"
    PASS_ROLE_WITH_STAR_IN_RESOURCE = "PASS_ROLE_WITH_STAR_IN_RESOURCE"  # noqa: S105 (a code, not a password)
    PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"  # noqa: S105 (a code, not a password)
    PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION = "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"  # noqa: S105 (a code, not a password)
    PASS_ROLE_WITH_NOT_RESOURCE = "PASS_ROLE_WITH_NOT_RESOURCE"  # noqa: S105 (a code, not a password)
    PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"  # noqa: S105 (a code, not a password)
    PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE = "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"  # noqa: S105 (a code, not a password)
    # Warnings: the policy does not do what it seems to.
    UNREACHABLE_STATEMENT = "UNREACHABLE_STATEMENT"
    MISSING_VERSION = "MISSING_VERSION"
    # Suggestions: no effect on access.
    REDUNDANT_STATEMENT = "REDUNDANT_STATEMENT"
    EMPTY_OBJECT_CONDITION = "EMPTY_OBJECT_CONDITION"

    @property
    def severity(self) -> Severity:
        """The finding type every finding with this code has."""
        return _SEVERITIES.get(self, Severity.ERROR)

    @property
    def learn_more(self) -> str:
        """The AWS page that explains the rule (Access Analyzer's check when AWS has one)."""
        return _LEARN_MORE.get(self) or f"{_CHECKS}#access-analyzer-reference-policy-checks-{_CHECK_ANCHORS[self]}"


_SEVERITIES: Mapping[FindingCode, Severity] = {
    FindingCode.TRUST_POLICY_OPEN_TO_EVERYONE: Severity.SECURITY_WARNING,
    FindingCode.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID: Severity.SECURITY_WARNING,
    FindingCode.ALLOW_WITH_NOT_PRINCIPAL: Severity.SECURITY_WARNING,
    FindingCode.FORALLVALUES_WITH_SINGLE_VALUED_KEY: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_STAR_IN_RESOURCE: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_NOT_RESOURCE: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: Severity.SECURITY_WARNING,
    FindingCode.PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE: Severity.SECURITY_WARNING,
    FindingCode.UNREACHABLE_STATEMENT: Severity.WARNING,
    FindingCode.MISSING_VERSION: Severity.WARNING,
    FindingCode.REDUNDANT_STATEMENT: Severity.SUGGESTION,
    FindingCode.EMPTY_OBJECT_CONDITION: Severity.SUGGESTION,
}
"""Every code not listed is an ERROR."""

_CHECK_ANCHORS: Mapping[FindingCode, str] = {
    FindingCode.JSON_SYNTAX_ERROR: "error-json-syntax-error",
    FindingCode.DATA_TYPE_MISMATCH: "error-data-type-mismatch",
    FindingCode.UNKNOWN_ELEMENT: "error-invalid-policy-element",
    FindingCode.UNSUPPORTED_ELEMENT_COMBINATION: "error-unsupported-element-combination",
    FindingCode.INVALID_VERSION: "error-invalid-version",
    FindingCode.MISSING_STATEMENT: "error-missing-statement",
    FindingCode.UNSUPPORTED_SID: "error-unsupported-sid",
    FindingCode.UNIQUE_SIDS_REQUIRED: "error-unique-sids-required",
    FindingCode.MISSING_EFFECT: "error-missing-effect",
    FindingCode.INVALID_EFFECT: "error-invalid-effect",
    FindingCode.MISSING_ACTION: "error-missing-action",
    FindingCode.UNSUPPORTED_ACTION_IN_POLICY: "error-unsupported-action-in-policy",
    FindingCode.MISSING_RESOURCE: "error-missing-resource",
    FindingCode.MISSING_PRINCIPAL: "error-missing-principal",
    FindingCode.UNSUPPORTED_PRINCIPAL: "error-unsupported-principal",
    FindingCode.INVALID_PRINCIPAL_FORMAT: "error-invalid-principal-format",
    FindingCode.INVALID_PRINCIPAL_KEY: "error-invalid-principal-key",
    FindingCode.UNKNOWN_OPERATOR: "error-invalid-condition-operator",
    FindingCode.NULL_WITH_IF_EXISTS: "error-null-with-if-exists",
    FindingCode.INVALID_CONDITION_KEY_FORMAT: "error-invalid-condition-key-format",
    FindingCode.ALLOW_WITH_NOT_PRINCIPAL: "security-warning-allow-with-not-principal",
    FindingCode.FORALLVALUES_WITH_SINGLE_VALUED_KEY: "security-warning-forallvalues-with-single-valued-key",
    FindingCode.PASS_ROLE_WITH_STAR_IN_RESOURCE: "security-warning-pass-role-with-star-in-resource",
    FindingCode.PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE: (
        "security-warning-pass-role-with-star-in-action-and-resource"
    ),
    FindingCode.PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION: (
        "security-warning-pass-role-with-star-in-resource-and-not-action"
    ),
    FindingCode.PASS_ROLE_WITH_NOT_RESOURCE: "security-warning-pass-role-with-not-resource",
    FindingCode.PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE: (
        "security-warning-pass-role-with-star-in-action-and-not-resource"
    ),
    FindingCode.PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE: (
        "security-warning-pass-role-with-not-action-and-not-resource"
    ),
    FindingCode.MISSING_VERSION: "general-warning-missing-version",
    FindingCode.REDUNDANT_STATEMENT: "suggestion-redundant-statement",
    FindingCode.EMPTY_OBJECT_CONDITION: "suggestion-empty-object-condition",
}

_LEARN_MORE: Mapping[FindingCode, str] = {
    FindingCode.INVALID_ACTION: f"{_GUIDE}/reference_policies_elements_action.html",
    FindingCode.INVALID_ARN: f"{_GUIDE}/reference_identifiers.html#identifiers-arns",
    FindingCode.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE: f"{_GUIDE}/reference_policies_elements_resource.html",
    FindingCode.ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL: f"{_GUIDE}/reference_policies_elements_notprincipal.html",
    FindingCode.INVALID_PRINCIPAL: f"{_GUIDE}/reference_policies_elements_principal.html",
    FindingCode.POLICY_SIZE_EXCEEDS_QUOTA: f"{_GUIDE}/reference_iam-quotas.html",
    FindingCode.SYNTAX_ERROR: f"{_GUIDE}/reference_policies_grammar.html",
    FindingCode.TRUST_POLICY_OPEN_TO_EVERYONE: (
        f"{_GUIDE}/reference_policies_elements_principal.html#principal-anonymous"
    ),
    FindingCode.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID: f"{_GUIDE}/id_roles_create_for-user_externalid.html",
    FindingCode.UNREACHABLE_STATEMENT: f"{_GUIDE}/reference_policies_evaluation-logic.html",
}


class FindingJson(TypedDict):
    """A `Finding` as JSON: one item of `python -m iam validate`'s `findings`."""

    severity: str
    code: str
    message: str
    path: str
    line: int | None
    column: int | None
    learn_more: str | None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a policy document, placed for the editor.

    `message` is for learners (Cedar style: lowercase start, no final period, values in
    backticks). `path` is a JSON path such as `$.Statement[0].Principal`; `line` and `column`
    are 1-based and None when the document was not given as text.
    """

    severity: Severity
    code: FindingCode
    message: str
    path: str = "$"
    line: int | None = None
    column: int | None = None
    learn_more: str | None = None

    @classmethod
    def of(cls, code: FindingCode, message: str, *, path: str = "$") -> Finding:
        """A finding with the severity and AWS link that `code` always has."""
        return cls(severity=code.severity, code=code, message=message, path=path, learn_more=code.learn_more)

    def as_dict(self) -> FindingJson:
        """The finding as JSON-ready data."""
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "learn_more": self.learn_more,
        }


def shown(value: object, *, limit: int = 60) -> str:
    """A user value for a message: a scalar in backticks (long text cut), a container by its JSON name."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    else:
        text = str(value)
    return f"`{text}`" if len(text) <= limit else f"`{text[: limit - 1]}…`"
