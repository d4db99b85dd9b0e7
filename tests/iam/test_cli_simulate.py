"""`python -m iam simulate`: JSON Lines requests in, one JSON line per request out."""

from __future__ import annotations

import io
import json
import select
import subprocess
import sys
from pathlib import Path

import pytest

from iam import Decision, PolicyInputs, PolicyKind, PrincipalKind, Request, evaluate, parse_policy
from iam.cli_simulate import (
    PolicyCache,
    RequestError,
    build_simulation,
    principal_of,
    read_batches,
    run,
    simulate_line,
)

ROOT = Path(__file__).resolve().parents[2]
V = "2012-10-17"
ALICE = "arn:aws:iam::111122223333:user/alice"
DEPLOYER = "arn:aws:iam::444455556666:user/deployer"
PARTNER_ROLE = "arn:aws:iam::111122223333:role/Partner"
ALLOW_S3_READ = {"Version": V, "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
DENY_SECRETS = {
    "Version": V,
    "Statement": [{"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secrets/*"}],
}
ALLOW_ALL = {"Version": V, "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
S3_ONLY = {"Version": V, "Statement": [{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
ASSUME_PARTNER = {
    "Version": V,
    "Statement": [
        {"Sid": "AssumeCustomerRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PARTNER_ROLE}
    ],
}
PARTNER_TRUST = {
    "Version": V,
    "Statement": [
        {
            "Sid": "TrustPartner",
            "Effect": "Allow",
            "Principal": {"AWS": "444455556666"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}},
        }
    ],
}
ONLY_ALICE = {
    "Version": V,
    "Statement": [
        {
            "Sid": "OnlyAlice",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalArn": ALICE}},
        }
    ],
}
TAG_KEYS = {
    "Version": V,
    "Statement": [
        {
            "Sid": "TeamTag",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}},
        }
    ],
}
EC2_TRUST = {
    "Version": V,
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
COGNITO_TRUST = {
    "Version": V,
    "Statement": [
        {
            "Sid": "Cognito",
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
        }
    ],
}


def request(request_id, *, principal=ALICE, action="s3:GetObject", resource="arn:aws:s3:::data/report", **fields):
    return {"id": request_id, "principal": principal, "action": action, "resource": resource, **fields}


def assume_partner(request_id, external_id):
    return request(
        request_id,
        principal=DEPLOYER,
        action="sts:AssumeRole",
        resource=PARTNER_ROLE,
        identity_policies=[ASSUME_PARTNER],
        resource_policy=PARTNER_TRUST,
        context={"sts:ExternalId": external_id},
    )


STREAM = [
    request("allow", identity_policies=[ALLOW_S3_READ]),
    request("explicit-deny", resource="arn:aws:s3:::secrets/key", identity_policies=[ALLOW_S3_READ, DENY_SECRETS]),
    request("implicit-deny", action="s3:PutObject", identity_policies=[ALLOW_S3_READ]),
    "this line is not JSON",
    assume_partner("trust-right-external-id", "partner-42"),
    assume_partner("trust-wrong-external-id", "partner-43"),
    "",
    request(
        "scp-blocks",
        action="ec2:RunInstances",
        resource="*",
        identity_policies=[ALLOW_ALL],
        scps=[[ALLOW_ALL], [S3_ONLY]],
    ),
    request("scp-allows", identity_policies=[ALLOW_ALL], scps=[[ALLOW_ALL], [S3_ONLY]]),
    {"id": "missing-fields", "principal": ALICE},
    request("bad-policy", identity_policies=[ALLOW_S3_READ, EC2_TRUST]),
    request("extra-fields", identity_policies=[ALLOW_S3_READ], note="ignored", trace={"level": 3}),
    request("document-as-text", identity_policies=[json.dumps(ALLOW_S3_READ, indent=2)]),
    request(
        "context-list",
        action="ec2:CreateTags",
        resource="*",
        identity_policies=[TAG_KEYS],
        context={"aws:TagKeys": ["team", "env"]},
    ),
    request(
        "context-string",
        action="ec2:CreateTags",
        resource="*",
        identity_policies=[TAG_KEYS],
        context={"aws:TagKeys": "owner"},
    ),
    request("principal-arn-not-given", identity_policies=[ONLY_ALICE]),
    request("principal-arn-given", identity_policies=[ONLY_ALICE], context={"aws:PrincipalArn": ALICE}),
    request(
        "service",
        principal="ec2.amazonaws.com",
        action="sts:AssumeRole",
        resource=PARTNER_ROLE,
        resource_policy=EC2_TRUST,
    ),
    request(
        "cognito",
        principal="cognito-identity.amazonaws.com",
        action="sts:AssumeRoleWithWebIdentity",
        resource=PARTNER_ROLE,
        resource_policy=COGNITO_TRUST,
    ),
    {"id": 7, "principal": ALICE},
    ["not", "an", "object"],
    request("last", identity_policies=[ALLOW_S3_READ]),
]


def as_line(item):
    return item if isinstance(item, str) else json.dumps(item)


def simulate_process(lines):
    return subprocess.run(
        [sys.executable, "-m", "iam", "simulate"],
        cwd=ROOT,
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture(scope="module")
def responses():
    result = simulate_process([as_line(item) for item in STREAM])
    assert (result.returncode, result.stderr) == (0, "")
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def by_id(responses):
    return {response["id"]: response for response in responses if response["id"] is not None}


class SimulateStreamTests:
    def test_one_line_per_non_blank_input_line_in_order(self, responses):
        expected = [item.get("id") if isinstance(item, dict) else None for item in STREAM if item != ""]
        assert [response["id"] if isinstance(response["id"], str) else None for response in responses] == [
            item if isinstance(item, str) else None for item in expected
        ]

    def test_an_allowed_request(self, by_id):
        assert by_id["allow"] == {
            "id": "allow",
            "decision": "allow",
            "reasons": ["identity[0]#Read"],
            "explanation": (
                f"allow: `{ALICE}` may perform `s3:GetObject` on `arn:aws:s3:::data/report`; "
                "statement `Read` in the identity-based policy `identity[0]` allows it"
            ),
        }

    def test_an_explicit_deny_names_the_deny_statement(self, by_id):
        assert (by_id["explicit-deny"]["decision"], by_id["explicit-deny"]["reasons"]) == (
            "explicit_deny",
            ["identity[1]#NoSecrets"],
        )

    def test_an_implicit_deny_has_no_reasons(self, by_id):
        assert (by_id["implicit-deny"]["decision"], by_id["implicit-deny"]["reasons"]) == ("implicit_deny", [])

    def test_an_implicit_deny_explains_what_did_not_allow_it(self, by_id):
        assert "no identity-based policy allows it" in by_id["implicit-deny"]["explanation"]

    def test_a_line_that_is_not_json_gets_an_error_and_the_stream_goes_on(self, responses):
        assert responses[3] == {"id": None, "error": "line 4 is not valid JSON"}

    def test_the_right_external_id_assumes_the_role(self, by_id):
        assert (by_id["trust-right-external-id"]["decision"], by_id["trust-right-external-id"]["reasons"]) == (
            "allow",
            ["resource#TrustPartner", "identity[0]#AssumeCustomerRole"],
        )

    def test_a_wrong_external_id_is_explained(self, by_id):
        assert by_id["trust-wrong-external-id"]["explanation"] == (
            f"implicit deny: `{DEPLOYER}` may not perform `sts:AssumeRole` on `{PARTNER_ROLE}`; "
            "no trust policy allows it; "
            "statement `TrustPartner` requires `sts:ExternalId` = `partner-42`; the request had `partner-43`"
        )

    def test_an_scp_level_that_does_not_allow_blocks(self, by_id):
        assert (by_id["scp-blocks"]["decision"], "a service control policy does not allow it") == (
            "implicit_deny",
            by_id["scp-blocks"]["explanation"].split("; ")[1],
        )

    def test_every_scp_level_allowing_lists_its_statements(self, by_id):
        assert by_id["scp-allows"]["reasons"] == ["scp[0][0]#All", "scp[1][0]#S3", "identity[0]#All"]

    def test_missing_fields_are_named(self, by_id):
        assert by_id["missing-fields"] == {"id": "missing-fields", "error": "missing fields `action`, `resource`"}

    def test_a_bad_policy_names_the_policy_the_aws_message_and_the_path(self, by_id):
        assert by_id["bad-policy"] == {
            "id": "bad-policy",
            "error": "identity[1]: Policy document should not specify a principal. at $.Statement[0].Principal",
        }

    def test_unknown_fields_are_ignored(self, by_id):
        assert by_id["extra-fields"]["decision"] == "allow"

    def test_a_document_may_be_a_json_string(self, by_id):
        assert by_id["document-as-text"]["reasons"] == ["identity[0]#Read"]

    def test_a_context_value_may_be_a_list(self, by_id):
        assert by_id["context-list"]["decision"] == "allow"

    def test_a_context_value_may_be_a_string(self, by_id):
        assert by_id["context-string"]["explanation"].endswith("; the request had `owner`")

    def test_the_context_is_complete_so_principal_keys_are_not_derived(self, by_id):
        assert by_id["principal-arn-not-given"]["explanation"].endswith(
            f"statement `OnlyAlice` requires `aws:PrincipalArn` = `{ALICE}`; the request had none"
        )

    def test_a_principal_key_given_in_the_context_is_used(self, by_id):
        assert by_id["principal-arn-given"]["decision"] == "allow"

    def test_a_service_principal(self, by_id):
        assert (by_id["service"]["decision"], by_id["service"]["reasons"]) == ("allow", ["resource#0"])

    def test_cognito_identity_is_a_federated_principal(self, by_id):
        assert (by_id["cognito"]["decision"], by_id["cognito"]["reasons"]) == ("allow", ["resource#Cognito"])

    def test_an_id_that_is_not_a_string_is_reported_as_null(self, responses):
        assert responses[-3] == {"id": None, "error": "`id` must be a string"}

    def test_a_line_that_is_not_an_object_gets_an_error(self, responses):
        assert responses[-2] == {"id": None, "error": f"line {len(STREAM) - 1} is not a JSON object"}

    def test_the_last_line_is_answered_after_the_errors(self, responses):
        assert (responses[-1]["id"], responses[-1]["decision"]) == ("last", "allow")


class SimulatePipeTests:
    def test_a_response_comes_back_before_the_input_ends(self):
        process = subprocess.Popen(
            [sys.executable, "-m", "iam", "simulate"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            process.stdin.write(json.dumps(request("first", identity_policies=[ALLOW_S3_READ])) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 20)
            first = json.loads(process.stdout.readline()) if ready else None
        finally:
            process.stdin.close()
            process.wait(timeout=20)
        assert first is not None and first["decision"] == "allow"

    def test_an_empty_input_gives_no_output(self):
        result = simulate_process([])
        assert (result.returncode, result.stdout) == (0, "")


class BuildSimulationTests:
    def test_builds_the_request_as_given(self):
        built, _ = build_simulation(
            request("r", resource_account="111122223333", context={"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a"]}),
            cache=PolicyCache(),
        )
        assert (built.action, built.resource, built.resource_account, dict(built.context)) == (
            "s3:GetObject",
            "arn:aws:s3:::data/report",
            "111122223333",
            {"aws:SourceIp": ("10.0.0.1",), "aws:TagKeys": ("a",)},
        )

    def test_names_the_policies_by_where_they_came_from(self):
        _, policies = build_simulation(
            request(
                "r",
                identity_policies=[ALLOW_S3_READ, ALLOW_ALL],
                boundary=ALLOW_ALL,
                session_policy=S3_ONLY,
                resource_policy={
                    "Version": V,
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
                },
                scps=[[ALLOW_ALL], [ALLOW_ALL, S3_ONLY]],
            ),
            cache=PolicyCache(),
        )
        names = [
            *(policy.name for policy in policies.identity),
            policies.boundary.name,
            *(policy.name for policy in policies.session),
            policies.resource.name,
            *(policy.name for level in policies.scps for policy in level),
        ]
        assert names == [
            "identity[0]",
            "identity[1]",
            "boundary",
            "session",
            "resource",
            "scp[0][0]",
            "scp[1][0]",
            "scp[1][1]",
        ]

    def test_the_resource_policy_of_a_trust_action_is_a_trust_policy(self):
        _, policies = build_simulation(assume_partner("r", "x"), cache=PolicyCache())
        assert policies.resource.kind is PolicyKind.TRUST

    def test_the_resource_policy_of_another_action_is_a_resource_based_policy(self):
        document = {
            "Version": V,
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
        }
        _, policies = build_simulation(request("r", resource_policy=document), cache=PolicyCache())
        assert policies.resource.kind is PolicyKind.RESOURCE

    def test_optional_fields_default_to_nothing(self):
        _, policies = build_simulation(request("r"), cache=PolicyCache())
        assert policies == PolicyInputs()

    def test_null_scps_mean_no_organization(self):
        _, policies = build_simulation(request("r", scps=None), cache=PolicyCache())
        assert policies.scps == ()

    def test_a_null_principal_is_an_anonymous_caller(self):
        built, _ = build_simulation(request("r", principal=None), cache=PolicyCache())
        assert built.principal is None

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"action": 3}, "`action` must be a string"),
            ({"principal": ["a"]}, "`principal` must be a string or null"),
            ({"principal": "someone"}, "cannot tell what kind of principal `someone` is"),
            ({"resource_account": "1234"}, "`resource_account` must be a 12-digit account id or null"),
            ({"context": ["a"]}, "`context` must be an object"),
            (
                {"context": {"aws:SecureTransport": True}},
                "`context` value of `aws:SecureTransport` must be a string or a list of strings",
            ),
            ({"identity_policies": ALLOW_ALL}, "`identity_policies` must be a list of documents"),
            ({"scps": [ALLOW_ALL]}, "`scps` must be null or a list of levels, each a list of documents"),
            ({"session_policy": '{"Version": '}, "session: Syntax errors in policy. at $"),
            ({"boundary": 5}, "boundary: Syntax errors in policy. at $"),
        ],
    )
    def test_rejects(self, fields, message):
        with pytest.raises(RequestError) as caught:
            build_simulation(request("r", **fields), cache=PolicyCache())
        assert str(caught.value) == message


class PrincipalKindTests:
    @pytest.mark.parametrize(
        ("value", "kind"),
        [
            (ALICE, PrincipalKind.AWS),
            ("arn:aws:sts::111122223333:assumed-role/Dev/s", PrincipalKind.AWS),
            ("111122223333", PrincipalKind.AWS),
            ("ec2.amazonaws.com", PrincipalKind.SERVICE),
            ("lambda.amazonaws.com.cn", PrincipalKind.SERVICE),
            ("cognito-identity.amazonaws.com", PrincipalKind.FEDERATED),
            ("accounts.google.com", PrincipalKind.FEDERATED),
            ("graph.facebook.com", PrincipalKind.FEDERATED),
            ("www.amazon.com", PrincipalKind.FEDERATED),
            ("arn:aws:iam::111122223333:saml-provider/Okta", PrincipalKind.FEDERATED),
            ("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", PrincipalKind.FEDERATED),
            ("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", PrincipalKind.CANONICAL_USER),
        ],
    )
    def test_infers_the_kind(self, value, kind):
        assert (principal_of(value).kind, principal_of(value).arn) == (kind, value)

    def test_an_account_id_is_the_principals_account(self):
        assert principal_of("111122223333").account == "111122223333"


class PolicyCacheTests:
    def test_returns_the_same_policy_for_the_same_text(self):
        cache = PolicyCache()
        first = cache.parse(ALLOW_ALL, name="identity[0]", kind=PolicyKind.IDENTITY)
        assert cache.parse(json.loads(json.dumps(ALLOW_ALL)), name="identity[0]", kind=PolicyKind.IDENTITY) is first

    def test_keys_on_the_name_too(self):
        cache = PolicyCache()
        cache.parse(ALLOW_ALL, name="identity[0]", kind=PolicyKind.IDENTITY)
        assert cache.parse(ALLOW_ALL, name="identity[1]", kind=PolicyKind.IDENTITY).name == "identity[1]"

    def test_is_bounded_and_drops_the_least_recently_used(self):
        cache = PolicyCache(maxsize=2)
        first = cache.parse(ALLOW_ALL, name="a", kind=PolicyKind.IDENTITY)
        cache.parse(ALLOW_ALL, name="b", kind=PolicyKind.IDENTITY)
        cache.parse(ALLOW_ALL, name="a", kind=PolicyKind.IDENTITY)
        cache.parse(ALLOW_ALL, name="c", kind=PolicyKind.IDENTITY)
        assert (len(cache), cache.parse(ALLOW_ALL, name="a", kind=PolicyKind.IDENTITY) is first) == (2, True)

    def test_remembers_a_rejected_document(self):
        cache = PolicyCache()
        for _ in range(2):
            with pytest.raises(RequestError):
                cache.parse(EC2_TRUST, name="identity[0]", kind=PolicyKind.IDENTITY)
        assert len(cache) == 1

    def test_counts_the_compact_text_of_an_object_against_size_limits(self):
        statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/" + "k" * 1900}
        policy = PolicyCache().parse({"Version": V, "Statement": [statement]}, name="s", kind=PolicyKind.SESSION)
        assert "\n" not in policy.text


class ChunkedReader:
    def __init__(self, *chunks):
        self.chunks = list(chunks)

    def read1(self, size=-1):
        return self.chunks.pop(0) if self.chunks else b""


class SimulateRunTests:
    def test_lines_split_across_reads_are_joined(self):
        assert list(read_batches(ChunkedReader(b'{"a"', b": 1}\n{", b'"b": 2}\n', b"tail"))) == [
            [b'{"a": 1}'],
            [b'{"b": 2}'],
            [b"tail"],
        ]

    def test_writes_one_line_per_request(self):
        sink = io.BytesIO()
        line = json.dumps(request("r", identity_policies=[ALLOW_S3_READ])).encode()
        run(io.BytesIO(line + b"\n\n" + line), sink)
        assert [json.loads(out)["decision"] for out in sink.getvalue().splitlines()] == ["allow", "allow"]

    def test_a_blank_line_gives_nothing(self):
        assert simulate_line(b"  \r\n", cache=PolicyCache()) is None

    def test_a_line_without_an_id(self):
        assert simulate_line('{"principal": "x"}', cache=PolicyCache()) == {"id": None, "error": "missing field `id`"}

    def test_deep_nesting_is_not_json_we_can_read(self):
        assert simulate_line("[" * 100_000, cache=PolicyCache(), number=9) == {
            "id": None,
            "error": "line 9 is not valid JSON",
        }


class DerivePrincipalKeysTests:
    def evaluate_only_alice(self, **options):
        policy = parse_policy(ONLY_ALICE, name="OnlyAlice")
        request_ = Request(action="s3:GetObject", resource="*", principal=principal_of(ALICE))
        return evaluate(request_, PolicyInputs(identity=(policy,)), **options).decision

    def test_by_default_the_principal_arn_is_derived(self):
        assert self.evaluate_only_alice() is Decision.ALLOW

    def test_without_derivation_the_context_is_used_as_given(self):
        assert self.evaluate_only_alice(derive_principal_keys=False) is Decision.IMPLICIT_DENY
