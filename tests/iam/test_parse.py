"""`parse_policy`: every error AWS would raise, with its message, JSON path and line."""

from __future__ import annotations

import json

import pytest

from iam import (
    MANAGED_POLICY_SIZE_LIMIT,
    SESSION_POLICY_SIZE_LIMIT,
    TRUST_POLICY_SIZE_LIMIT,
    ConditionOperator,
    Effect,
    PolicyKind,
    PolicySyntaxError,
    PolicyVersion,
    PrincipalKind,
    PrincipalValue,
    SetQualifier,
    errors,
    parse_policy,
)

V = "2012-10-17"
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
TRUST_ALICE = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
    "Action": "sts:AssumeRole",
}
BUCKET_READ = {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}


def statement(**fields):
    return {"Version": V, "Statement": [fields]}


def _line(text, needle, offset=0, occurrence=1):
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} not in document"
    return found[occurrence - 1] + offset


# (id, document, kind, message, path, where): `where` is (needle, line offset[, occurrence]) and
# locates the expected line in the document dumped with indent=2.
# fmt: off
ERRORS = [
    ("top level must be an object", ["not", "a", "policy"], "identity", errors.SYNTAX_ERRORS, "$", ("[", 0)),
    ("unknown version", {"Version": "2012-10-18", "Statement": [ALLOW_ALL]}, "identity",
     errors.LEGACY_PARSING, "$.Version", ('"Version"', 0)),
    ("unknown top-level key", {"Version": V, "Statement": [ALLOW_ALL], "Statements": []}, "identity",
     errors.SYNTAX_ERRORS, "$.Statements", ('"Statements"', 0)),
    ("Id must be a string", {"Version": V, "Id": 7, "Statement": [ALLOW_ALL]}, "identity",
     errors.SYNTAX_ERRORS, "$.Id", ('"Id"', 0)),
    ("Statement is required", {"Version": V}, "identity", errors.SYNTAX_ERRORS, "$", ("{", 0)),
    ("Statement may not be empty", {"Version": V, "Statement": []}, "identity",
     errors.SYNTAX_ERRORS, "$.Statement", ('"Statement"', 0)),
    ("Statement may not be a string", {"Version": V, "Statement": "Allow"}, "identity",
     errors.SYNTAX_ERRORS, "$.Statement", ('"Statement"', 0)),
    ("a statement must be an object", {"Version": V, "Statement": [ALLOW_ALL, "x"]}, "identity",
     errors.SYNTAX_ERRORS, "$.Statement[1]", ('"x"', 0)),
    ("unknown statement key", statement(**ALLOW_ALL, Effects="Allow"), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Effects", ('"Effects"', 0)),
    ("Sid must be alphanumeric in identity policies", statement(Sid="read-only", **ALLOW_ALL), "identity",
     errors.SID_NOT_ALPHANUMERIC, "$.Statement[0].Sid", ('"Sid"', 0)),
    ("Sid must be alphanumeric in boundaries", statement(Sid="read only", **ALLOW_ALL), "boundary",
     errors.SID_NOT_ALPHANUMERIC, "$.Statement[0].Sid", ('"Sid"', 0)),
    ("Sid must be a string", statement(Sid=1, **ALLOW_ALL), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Sid", ('"Sid"', 0)),
    ("Sids must be unique in identity policies",
     {"Version": V, "Statement": [dict(Sid="A", **ALLOW_ALL), dict(Sid="B", **ALLOW_ALL), dict(Sid="A", **ALLOW_ALL)]},
     "identity", errors.SID_NOT_UNIQUE, "$.Statement[2].Sid", ('"Sid": "A"', 0, 2)),
    ("Effect is required", statement(Action="*", Resource="*"), "identity",
     "Missing required field Effect", "$.Statement[0]", ('"Statement"', 1)),
    ("Effect is case-sensitive", statement(Effect="allow", Action="*", Resource="*"), "identity",
     "Invalid effect: allow", "$.Statement[0].Effect", ('"Effect"', 0)),
    ("Effect must be a string", statement(Effect=True, Action="*", Resource="*"), "identity",
     "Invalid effect: true", "$.Statement[0].Effect", ('"Effect"', 0)),
    ("Action and NotAction together", statement(Effect="Allow", Action="*", NotAction="s3:*", Resource="*"),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].NotAction", ('"NotAction"', 0)),
    ("Action is required", statement(Effect="Allow", Resource="*"), "identity",
     errors.MISSING_ACTIONS, "$.Statement[0]", ('"Statement"', 1)),
    ("Action may not be an empty list", statement(Effect="Allow", Action=[], Resource="*"), "identity",
     errors.MISSING_ACTIONS, "$.Statement[0].Action", ('"Action"', 0)),
    ("an action needs a vendor prefix", statement(Effect="Allow", Action="GetObject", Resource="*"), "identity",
     errors.VENDOR_PREFIX, "$.Statement[0].Action", ('"Action"', 0)),
    ("every listed action needs a vendor prefix",
     statement(Effect="Allow", Action=["s3:GetObject", "ec2"], Resource="*"), "identity",
     errors.VENDOR_PREFIX, "$.Statement[0].Action[1]", ('"ec2"', 0)),
    ("an empty vendor is no vendor", statement(Effect="Allow", NotAction=":GetObject", Resource="*"), "identity",
     errors.VENDOR_PREFIX, "$.Statement[0].NotAction", ('"NotAction"', 0)),
    ("an action has one colon", statement(Effect="Allow", Action="s3:Get:Object", Resource="*"), "identity",
     errors.ONE_COLON, "$.Statement[0].Action", ('"Action"', 0)),
    ("Action must be a string or list", statement(Effect="Allow", Action={"s3": "*"}, Resource="*"), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Action", ('"Action"', 0)),
    ("listed actions must be strings", statement(Effect="Allow", Action=["s3:GetObject", 5], Resource="*"),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].Action[1]", ("5", 0)),
    ("identity policies need a Resource", statement(Effect="Allow", Action="*"), "identity",
     errors.MISSING_RESOURCES, "$.Statement[0]", ('"Statement"', 1)),
    ("boundaries need a Resource", statement(Effect="Allow", Action="*"), "boundary",
     errors.MISSING_RESOURCES, "$.Statement[0]", ('"Statement"', 1)),
    ("session policies need a Resource", statement(Effect="Allow", Action="*"), "session",
     errors.MISSING_RESOURCES, "$.Statement[0]", ('"Statement"', 1)),
    ("SCPs need a Resource", statement(Effect="Allow", Action="*"), "scp",
     errors.MISSING_RESOURCES, "$.Statement[0]", ('"Statement"', 1)),
    ("Resource may not be an empty list", statement(Effect="Allow", Action="*", Resource=[]), "identity",
     errors.MISSING_RESOURCES, "$.Statement[0].Resource", ('"Resource"', 0)),
    ("a resource must be an ARN", statement(Effect="Allow", Action="*", Resource="my-bucket"), "identity",
     'Resource my-bucket must be in ARN format or "*".', "$.Statement[0].Resource", ('"Resource"', 0)),
    ("a listed resource must be an ARN", statement(Effect="Allow", Action="*", Resource=["*", "arn:aws:s3"]),
     "identity", 'Resource arn:aws:s3 must be in ARN format or "*".', "$.Statement[0].Resource[1]",
     ('"arn:aws:s3"', 0)),
    ("Resource and NotResource together", statement(Effect="Allow", Action="*", Resource="*", NotResource="*"),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].NotResource", ('"NotResource"', 0)),
    ("trust policies have no Resource", statement(**TRUST_ALICE, Resource="*"), "trust",
     "Has prohibited field Resource.", "$.Statement[0].Resource", ('"Resource"', 0)),
    ("trust policies have no NotResource", statement(**TRUST_ALICE, NotResource="*"), "trust",
     "Has prohibited field NotResource.", "$.Statement[0].NotResource", ('"NotResource"', 0)),
    ("identity policies name no principal", statement(**ALLOW_ALL, Principal="*"), "identity",
     errors.PRINCIPAL_NOT_ALLOWED, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("identity policies name no NotPrincipal", statement(**ALLOW_ALL, NotPrincipal={"AWS": "111122223333"}),
     "identity", errors.PRINCIPAL_NOT_ALLOWED, "$.Statement[0].NotPrincipal", ('"NotPrincipal"', 0)),
    ("boundaries name no principal", statement(**ALLOW_ALL, Principal="*"), "boundary",
     errors.PRINCIPAL_NOT_ALLOWED, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("session policies name no principal", statement(**ALLOW_ALL, Principal="*"), "session",
     errors.PRINCIPAL_NOT_ALLOWED, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("SCPs name no principal", statement(**ALLOW_ALL, Principal="*"), "scp",
     errors.PRINCIPAL_NOT_ALLOWED, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("trust policies need a Principal", statement(Effect="Allow", Action="sts:AssumeRole"), "trust",
     "Missing required field Principal", "$.Statement[0]", ('"Statement"', 1)),
    ("resource-based policies need a Principal", statement(Effect="Allow", Action="s3:*", Resource="*"),
     "resource", "Missing required field Principal", "$.Statement[0]", ('"Statement"', 1)),
    ("trust policies have no NotPrincipal",
     statement(Effect="Allow", NotPrincipal={"AWS": "111122223333"}, Action="sts:AssumeRole"), "trust",
     "Has prohibited field NotPrincipal.", "$.Statement[0].NotPrincipal", ('"NotPrincipal"', 0)),
    ("Principal and NotPrincipal together", statement(**BUCKET_READ, NotPrincipal="*"), "resource",
     errors.SYNTAX_ERRORS, "$.Statement[0].NotPrincipal", ('"NotPrincipal"', 0)),
    ("a principal string other than star",
     statement(Effect="Allow", Principal="arn:aws:iam::111122223333:root", Action="sts:AssumeRole"), "trust",
     errors.SYNTAX_ERRORS, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("an empty principal object", statement(Effect="Allow", Principal={}, Action="sts:AssumeRole"), "trust",
     errors.SYNTAX_ERRORS, "$.Statement[0].Principal", ('"Principal"', 0)),
    ("an unknown principal type", statement(Effect="Allow", Principal={"User": "alice"}, Action="sts:AssumeRole"),
     "trust", errors.SYNTAX_ERRORS, "$.Statement[0].Principal.User", ('"User"', 0)),
    ("an AWS principal that is no account or ARN",
     statement(Effect="Allow", Principal={"AWS": "alice"}, Action="sts:AssumeRole"), "trust",
     'Invalid principal in policy: "AWS":"alice"', "$.Statement[0].Principal.AWS", ('"AWS"', 0)),
    ("no partial wildcards in principals",
     statement(Effect="Allow", Principal={"AWS": ["111122223333", "arn:aws:iam::111122223333:role/*"]},
               Action="sts:AssumeRole"), "trust",
     'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*"', "$.Statement[0].Principal.AWS[1]",
     ("role/*", 0)),
    ("an empty principal list", statement(Effect="Allow", Principal={"AWS": []}, Action="sts:AssumeRole"), "trust",
     errors.SYNTAX_ERRORS, "$.Statement[0].Principal.AWS", ('"AWS"', 0)),
    ("a principal value must be a string",
     statement(Effect="Allow", Principal={"AWS": ["111122223333", 111122223333]}, Action="sts:AssumeRole"),
     "trust", 'Invalid principal in policy: "AWS":"111122223333"', "$.Statement[0].Principal.AWS[1]",
     ("111122223333", 0, 2)),
    ("a service principal with a stray space",
     statement(Effect="Allow", Principal={"Service": "ec2.amazonaws.com "}, Action="sts:AssumeRole"), "trust",
     'Invalid principal in policy: "SERVICE":"ec2.amazonaws.com "', "$.Statement[0].Principal.Service",
     ('"Service"', 0)),
    ("a federated principal must be a provider ARN or domain",
     statement(Effect="Allow", Principal={"Federated": "arn:aws:iam::111122223333:user/alice"},
               Action="sts:AssumeRoleWithSAML"), "trust",
     'Invalid principal in policy: "FEDERATED":"arn:aws:iam::111122223333:user/alice"',
     "$.Statement[0].Principal.Federated", ('"Federated"', 0)),
    ("trust policies only name assume-role actions", statement(**{**TRUST_ALICE, "Action": "s3:GetObject"}),
     "trust", errors.TRUST_ACTIONS_ONLY, "$.Statement[0].Action", ('"Action"', 0)),
    ("every listed trust action must be an assume-role action",
     statement(**{**TRUST_ALICE, "Action": ["sts:AssumeRole", "sts:GetCallerIdentity"]}), "trust",
     errors.TRUST_ACTIONS_ONLY, "$.Statement[0].Action[1]", ('"sts:GetCallerIdentity"', 0)),
    ("Condition must be an object", statement(**ALLOW_ALL, Condition=["x"]), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Condition", ('"Condition"', 0)),
    ("an unknown condition operator", statement(**ALLOW_ALL, Condition={"StringEqualz": {"aws:username": "a"}}),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].Condition.StringEqualz", ('"StringEqualz"', 0)),
    ("operators are case-sensitive", statement(**ALLOW_ALL, Condition={"stringequals": {"aws:username": "a"}}),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].Condition.stringequals", ('"stringequals"', 0)),
    ("Null has no IfExists form", statement(**ALLOW_ALL, Condition={"NullIfExists": {"aws:username": "true"}}),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].Condition.NullIfExists", ('"NullIfExists"', 0)),
    ("a misspelled set operator",
     statement(**ALLOW_ALL, Condition={"ForAllValue:StringEquals": {"aws:TagKeys": "a"}}), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Condition['ForAllValue:StringEquals']", ('"ForAllValue:', 0)),
    ("an operator maps to an object", statement(**ALLOW_ALL, Condition={"StringEquals": "aws:username"}),
     "identity", errors.SYNTAX_ERRORS, "$.Statement[0].Condition.StringEquals", ('"StringEquals"', 0)),
    ("a condition key needs a vendor prefix",
     statement(**ALLOW_ALL, Condition={"StringEquals": {"ExternalId": "x"}}), "identity",
     errors.VENDOR_PREFIX, "$.Statement[0].Condition.StringEquals.ExternalId", ('"ExternalId"', 0)),
    ("a condition value may not be an object",
     statement(**ALLOW_ALL, Condition={"StringEquals": {"sts:ExternalId": {"a": "b"}}}), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Condition.StringEquals['sts:ExternalId']", ('"sts:ExternalId"', 0)),
    ("a listed condition value may not be null",
     statement(**ALLOW_ALL, Condition={"StringEquals": {"sts:ExternalId": ["a", None]}}), "identity",
     errors.SYNTAX_ERRORS, "$.Statement[0].Condition.StringEquals['sts:ExternalId'][1]", ("null", 0)),
]
# fmt: on


@pytest.mark.parametrize(
    ("document", "kind", "message", "path", "where"),
    [pytest.param(*row[1:], id=row[0]) for row in ERRORS],
)
def test_error_from_text_has_message_path_and_line(document, kind, message, path, where):
    text = json.dumps(document, indent=2)
    with pytest.raises(PolicySyntaxError) as caught:
        parse_policy(text, name="p", kind=PolicyKind(kind))
    error = caught.value
    assert (error.code, error.message, error.path, error.line) == (
        errors.MALFORMED_POLICY_DOCUMENT,
        message,
        path,
        _line(text, *where),
    )


@pytest.mark.parametrize(
    ("document", "kind", "message", "path"),
    [pytest.param(*row[1:5], id=row[0]) for row in ERRORS if isinstance(row[1], dict)],
)
def test_error_from_a_mapping_has_no_line(document, kind, message, path):
    with pytest.raises(PolicySyntaxError) as caught:
        parse_policy(document, name="p", kind=PolicyKind(kind))
    assert (caught.value.message, caught.value.path, caught.value.line) == (message, path, None)


class JsonSyntaxTests:
    def test_invalid_json_reports_the_line_of_the_json_error(self):
        text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}'
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(text, name="p")
        assert (caught.value.message, caught.value.path, caught.value.line) == (errors.SYNTAX_ERRORS, "$", 4)

    def test_nan_is_not_json(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy('{"Version": NaN}', name="p")
        assert caught.value.message == errors.SYNTAX_ERRORS

    def test_a_mapping_that_is_not_json_is_a_syntax_error(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy({"Version": V, "Statement": {"Effect": "Allow", "Action": {"s3:*"}}}, name="p")
        assert (caught.value.message, caught.value.path) == (errors.SYNTAX_ERRORS, "$")

    def test_a_list_is_not_a_policy(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy([ALLOW_ALL], name="p")  # type: ignore[arg-type]
        assert caught.value.message == errors.SYNTAX_ERRORS

    def test_error_as_dict_is_json_ready(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy('{"Version": "2012-10-17",\n "Statement": []}', name="p")
        assert caught.value.as_dict() == {
            "path": "$.Statement",
            "line": 2,
            "code": "MalformedPolicyDocument",
            "message": "Syntax errors in policy.",
        }
        assert "path='$.Statement'" in repr(caught.value)


def _padded(kind_limit, statement_doc, *, whitespace=False):
    """A policy whose size (excluding whitespace) is `kind_limit` + 1, or far above it in whitespace only."""
    base = json.dumps({"Version": V, "Statement": [dict(statement_doc, Sid="")]}, separators=(",", ":"))
    if whitespace:
        return base.replace(",", "," + " " * kind_limit)
    missing = kind_limit + 1 - len(base)
    return base.replace('"Sid":""', '"Sid":"' + "A" * missing + '"')


class SizeLimitTests:
    def test_trust_policy_over_2048_characters_is_rejected(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(_padded(TRUST_POLICY_SIZE_LIMIT, TRUST_ALICE), name="t", kind=PolicyKind.TRUST)
        assert (caught.value.code, caught.value.message, caught.value.path, caught.value.line) == (
            "LimitExceeded",
            "Cannot exceed quota for ACLSizePerRole: 2048",
            "$",
            None,
        )

    def test_whitespace_does_not_count_toward_the_trust_policy_size(self):
        text = _padded(TRUST_POLICY_SIZE_LIMIT, TRUST_ALICE, whitespace=True)
        assert len(text) > TRUST_POLICY_SIZE_LIMIT
        assert parse_policy(text, name="t", kind=PolicyKind.TRUST).kind is PolicyKind.TRUST

    def test_trust_policy_at_exactly_the_limit_is_accepted(self):
        text = _padded(TRUST_POLICY_SIZE_LIMIT - 1, TRUST_ALICE)
        assert parse_policy(text, name="t", kind=PolicyKind.TRUST).statements

    def test_identity_policy_over_6144_characters_is_rejected(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(_padded(MANAGED_POLICY_SIZE_LIMIT, ALLOW_ALL), name="p")
        assert (caught.value.code, caught.value.message) == (
            "LimitExceeded",
            "Cannot exceed quota for PolicySize: 6144",
        )

    def test_boundary_counts_like_a_managed_policy(self):
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(_padded(MANAGED_POLICY_SIZE_LIMIT, ALLOW_ALL), name="p", kind=PolicyKind.BOUNDARY)
        assert caught.value.message == "Cannot exceed quota for PolicySize: 6144"

    def test_session_policy_counts_whitespace(self):
        text = _padded(SESSION_POLICY_SIZE_LIMIT, ALLOW_ALL, whitespace=True)
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(text, name="s", kind=PolicyKind.SESSION)
        assert (caught.value.code, caught.value.message) == (
            "ValidationError",
            "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
            "Member must have length less than or equal to 2048",
        )

    def test_a_mapping_is_measured_as_compact_json(self):
        document = json.loads(_padded(TRUST_POLICY_SIZE_LIMIT, TRUST_ALICE))
        with pytest.raises(PolicySyntaxError) as caught:
            parse_policy(document, name="t", kind=PolicyKind.TRUST)
        assert caught.value.code == "LimitExceeded"

    def test_resource_policies_have_no_size_limit_here(self):
        big = _padded(MANAGED_POLICY_SIZE_LIMIT, BUCKET_READ)
        assert parse_policy(big, name="b", kind=PolicyKind.RESOURCE).kind is PolicyKind.RESOURCE


# fmt: off
VALID = [
    ("a resource-based policy Sid may contain spaces", statement(Sid="Read only", **BUCKET_READ), "resource"),
    ("a trust policy may allow sts:*", statement(**{**TRUST_ALICE, "Action": "sts:*"}), "trust"),
    ("a trust policy may allow star", statement(**{**TRUST_ALICE, "Action": "*"}), "trust"),
    ("a trust policy may allow tagging and source identity",
     statement(**{**TRUST_ALICE, "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}), "trust"),
    ("a trust policy may use a wildcard covering an assume action",
     statement(**{**TRUST_ALICE, "Action": "sts:AssumeRoleWith*"}), "trust"),
    ("a trust policy may trust every principal form",
     statement(Effect="Allow", Action="sts:AssumeRole", Principal={"AWS": [
         "*", "111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/division/alice",
         "arn:aws:iam::111122223333:role/Dev", "arn:aws:sts::111122223333:assumed-role/Dev/alice",
         "arn:aws:sts::111122223333:federated-user/carol", "AROADBQP57FF2AEXAMPLE", "AIDACKCEVSQ6C2EXAMPLE",
         "arn:aws-cn:iam::111122223333:root"]}), "trust"),
    ("a trust policy may trust providers and services",
     statement(Effect="Allow", Action=["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"], Principal={
         "Federated": ["arn:aws:iam::111122223333:saml-provider/Okta", "accounts.google.com",
                       "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"],
         "Service": ["ec2.amazonaws.com", "states.us-east-1.amazonaws.com", "ec2.amazonaws.com.cn"]}), "trust"),
    ("a bucket policy may name a canonical user",
     statement(**{**BUCKET_READ, "Principal": {
         "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}), "resource"),
    ("a resource-based policy may leave out Resource",
     statement(Effect="Allow", Principal="*", Action="s3:GetObject"), "resource"),
    ("an empty Condition block is allowed", statement(**ALLOW_ALL, Condition={}), "identity"),
    ("an empty Sid is allowed", statement(Sid="", **ALLOW_ALL), "identity"),
]
# fmt: on


@pytest.mark.parametrize(("document", "kind"), [pytest.param(*row[1:], id=row[0]) for row in VALID])
def test_valid_documents_parse(document, kind):
    policy = parse_policy(json.dumps(document, indent=2), name="p", kind=PolicyKind(kind))
    assert len(policy.statements) == 1


class ParsedPolicyTests:
    def test_policy_keeps_name_kind_version_text_and_id(self):
        text = json.dumps({"Version": V, "Id": "doc-1", "Statement": [ALLOW_ALL]})
        policy = parse_policy(text, name="Admin")
        assert (policy.name, policy.kind, policy.version, policy.text, policy.id) == (
            "Admin",
            PolicyKind.IDENTITY,
            PolicyVersion.V2012_10_17,
            text,
            "doc-1",
        )

    def test_missing_version_means_2008_10_17(self):
        assert parse_policy({"Statement": ALLOW_ALL}, name="p").version is PolicyVersion.V2008_10_17

    def test_statement_may_be_a_single_object(self):
        policy = parse_policy({"Version": V, "Statement": ALLOW_ALL}, name="p")
        assert (len(policy.statements), policy.statements[0].path) == (1, "$.Statement")

    def test_refs_use_the_sid_or_the_index(self):
        policy = parse_policy({"Version": V, "Statement": [dict(Sid="First", **ALLOW_ALL), ALLOW_ALL]}, name="P")
        assert [str(s.ref) for s in policy.statements] == ["P#First", "P#1"]
        assert [(s.sid, s.index) for s in policy.statements] == [("First", 0), (None, 1)]

    def test_elements_become_tuples(self):
        policy = parse_policy(
            statement(Effect="Deny", NotAction=["s3:*", "ec2:*"], NotResource="arn:aws:s3:::x"), name="p"
        )
        parsed = policy.statements[0]
        assert (parsed.effect, parsed.actions, parsed.not_actions, parsed.resources, parsed.not_resources) == (
            Effect.DENY,
            (),
            ("s3:*", "ec2:*"),
            (),
            ("arn:aws:s3:::x",),
        )

    def test_principals_become_principal_values(self):
        document = statement(
            Effect="Allow",
            Action="sts:AssumeRole",
            Principal={"AWS": ["111122223333"], "Service": "ec2.amazonaws.com"},
        )
        parsed = parse_policy(document, name="t", kind=PolicyKind.TRUST).statements[0]
        assert parsed.principals == (
            PrincipalValue(PrincipalKind.AWS, "111122223333"),
            PrincipalValue(PrincipalKind.SERVICE, "ec2.amazonaws.com"),
        )
        assert (parsed.has_principal_element, parsed.has_resource_element) == (True, False)

    def test_principal_star_is_the_aws_wildcard(self):
        parsed = parse_policy(statement(**{**BUCKET_READ, "Principal": "*"}), name="b", kind=PolicyKind.RESOURCE)
        assert parsed.statements[0].principals[0].is_wildcard

    def test_not_principal_is_kept_apart(self):
        document = statement(**{**BUCKET_READ, "Principal": None})
        del document["Statement"][0]["Principal"]
        document["Statement"][0]["NotPrincipal"] = {"AWS": "111122223333"}
        parsed = parse_policy(document, name="b", kind=PolicyKind.RESOURCE).statements[0]
        assert (parsed.principals, parsed.not_principals) == ((), (PrincipalValue(PrincipalKind.AWS, "111122223333"),))

    def test_conditions_split_operator_names_and_keep_values_as_text(self):
        document = statement(
            **ALLOW_ALL,
            Condition={
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                "Bool": {"aws:SecureTransport": True},
                "NumericLessThan": {"s3:max-keys": 10},
            },
        )
        clauses = parse_policy(document, name="p").statements[0].conditions
        assert [(c.operator, c.set_qualifier, c.if_exists, c.key, c.values) for c in clauses] == [
            (ConditionOperator.STRING_LIKE, SetQualifier.FOR_ANY_VALUE, True, "aws:TagKeys", ("a*", "b")),
            (ConditionOperator.BOOL, None, False, "aws:SecureTransport", ("true",)),
            (ConditionOperator.NUMERIC_LESS_THAN, None, False, "s3:max-keys", ("10",)),
        ]
        assert clauses[0].operator_name == "ForAnyValue:StringLikeIfExists"
        assert clauses[0].path == "$.Statement[0].Condition['ForAnyValue:StringLikeIfExists']['aws:TagKeys']"


def test_deeply_nested_json_is_a_syntax_error_not_a_crash():
    import iam

    deep = '{"Statement": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(iam.PolicySyntaxError):
        iam.parse_policy(deep, name="deep")


def test_size_quotas_can_be_skipped_for_aws_managed_policies():
    import json

    import iam

    statements = [{"Effect": "Allow", "Action": f"service{n}:Get*", "Resource": "*"} for n in range(400)]
    big = json.dumps({"Version": "2012-10-17", "Statement": statements})
    with pytest.raises(iam.PolicySyntaxError, match="PolicySize"):
        iam.parse_policy(big, name="big")
    assert len(iam.parse_policy(big, name="ReadOnlyAccess", check_size=False).statements) == 400
