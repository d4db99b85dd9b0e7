"""The one exception the engine raises, and the AWS error texts it uses."""

from __future__ import annotations

from typing import TypedDict

MALFORMED_POLICY_DOCUMENT = "MalformedPolicyDocument"
LIMIT_EXCEEDED = "LimitExceeded"
VALIDATION_ERROR = "ValidationError"

# AWS texts (IAM API errors as users quote them); the `{...}` parts are filled in.
SYNTAX_ERRORS = "Syntax errors in policy."
LEGACY_PARSING = "The policy failed legacy parsing"
MISSING_ACTIONS = "Policy statement must contain actions."
MISSING_RESOURCES = "Policy statement must contain resources."
VENDOR_PREFIX = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ONE_COLON = "Actions/Condition can contain only one colon."
RESOURCE_NOT_ARN = 'Resource {resource} must be in ARN format or "*".'
PROHIBITED_FIELD = "Has prohibited field {field}."
MISSING_FIELD = "Missing required field {field}"
PRINCIPAL_NOT_ALLOWED = "Policy document should not specify a principal."
INVALID_PRINCIPAL = 'Invalid principal in policy: "{kind}":"{value}"'
INVALID_EFFECT = "Invalid effect: {effect}"
SID_NOT_ALPHANUMERIC = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
TRUST_ACTIONS_ONLY = (
    "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, "
    "and sts:AssumeRoleWithWebIdentity"
)
TRUST_POLICY_TOO_LARGE = "Cannot exceed quota for ACLSizePerRole: {limit}"
POLICY_TOO_LARGE = "Cannot exceed quota for PolicySize: {limit}"
# Third-party reports of IAM's LimitExceeded text (HTTP 409), e.g. "Maximum policy size of 10240 bytes
# exceeded for role QueryRole"; AWS counts characters without whitespace although it says bytes.
INLINE_POLICIES_TOO_LARGE = "Maximum policy size of {limit} bytes exceeded for {owner} {name}"
SESSION_POLICY_TOO_LARGE = (
    "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
    "Member must have length less than or equal to {limit}"
)


class ErrorJson(TypedDict):
    """A `PolicySyntaxError` as JSON-ready data."""

    path: str
    line: int | None
    code: str
    message: str


class PolicySyntaxError(ValueError):
    """A policy document AWS would reject.

    `code` is the AWS error code, `message` the AWS-style text, `path` a JSON path such as
    `$.Statement[0].Principal` and `line` the 1-based line in the source text (None when the
    input was not text or the place is unknown).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """

    def __init__(
        self, message: str, *, path: str = "$", line: int | None = None, code: str = MALFORMED_POLICY_DOCUMENT
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.line = line

    def with_line(self, line: int | None) -> PolicySyntaxError:
        """The same error, placed on `line`."""
        return PolicySyntaxError(self.message, path=self.path, line=line, code=self.code)

    def as_dict(self) -> ErrorJson:
        """The error as JSON-ready data (`path`, `line`, `code`, `message`)."""
        return {"path": self.path, "line": self.line, "code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"PolicySyntaxError({self.message!r}, path={self.path!r}, line={self.line!r}, code={self.code!r})"
