"""The pure parts of the lab framework: variables, variants, mutants, probes and check kinds on a fixed context."""
from __future__ import annotations

import json

import pytest

from labs.grading.checks import grade
from labs.grading.context import AccountView, EventView, GradeContext, RoleView, UserView
from labs.grading.mutants import mutants, normalized
from labs.grading.template import UnknownVariable, placeholders, render
from labs.grading.variants import draw, variant_seed

HOME, DEV, OUTSIDE = "111111111111", "222222222222", "999999999999"
USER_ARN = f"arn:aws:iam::{HOME}:user/alice"
ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def trust(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, condition=None, action="sts:AssumeRole"):
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def context(roles, *, events=(), variables=None):
    home_roles = {role.name: role for role in roles if role.account_id == HOME}
    dev_roles = {role.name: role for role in roles if role.account_id == DEV}
    user = UserView(name="alice", arn=USER_ARN, user_id="AIDAALICE", account_id=HOME, policies={"admin": ADMIN})
    accounts = {
        "management": AccountView(HOME, "management", "management", roles=home_roles, users={"alice": user}),
        "dev": AccountView(DEV, "dev", "member", roles=dev_roles),
    }
    return GradeContext(account_id=HOME, roles=home_roles, accounts=accounts, organization_id="o-abcdefghij",
                        events=tuple(events), variables=variables or {})


def role(name, document, account=HOME, **extra):
    return RoleView(name=name, arn=f"arn:aws:iam::{account}:role/{name}", trust_policy=document, account_id=account,
                    role_id=f"AROA{name.upper()[:10]}", **extra)


def check(kind, params, points=1):
    return {"id": "c", "title": {"en": "t", "ko": "t"}, "points": points, "kind": kind, "params": params,
            "feedback": {"pass": {"en": "ok", "ko": "ok"}, "fail": {"en": "no", "ko": "no"}}}


def score(ctx, *checks):
    return grade({"checks": list(checks)}, ctx).score


class TemplateTests:
    def test_placeholders_are_filled_recursively_keys_included(self):
        assert render({"{{ a }}": ["x-{{a}}", 3]}, {"a": "1"}) == {"1": ["x-1", 3]}

    def test_an_unknown_variable_is_an_error_naming_it(self):
        with pytest.raises(UnknownVariable, match="nope"):
            render("{{ nope }}", {})

    def test_placeholders_lists_every_name(self):
        assert placeholders({"k": ["{{ a }}", {"{{b}}": "{{ c.d }}"}]}) == {"a", "b", "c.d"}


class VariantTests:
    def test_the_same_seed_gives_the_same_values_and_learners_differ(self):
        specs = {"external_id": {"kind": "token", "length": 12, "prefix": "ext-"},
                 "team": {"kind": "choice", "values": ["red", "blue", "green", "gold"]},
                 "port": {"kind": "number", "min": 1000, "max": 9999}}
        first = draw(specs, variant_seed("lab", "1"))
        assert first == draw(specs, variant_seed("lab", "1"))
        assert first["external_id"].startswith("ext-") and len(first["external_id"]) == 16
        others = [draw(specs, variant_seed("lab", str(n)))["external_id"] for n in range(2, 12)]
        assert first["external_id"] not in others

    def test_adding_a_variant_changes_no_other(self):
        seed = variant_seed("lab", "7")
        one = draw({"a": {"kind": "token", "length": 8}}, seed)
        two = draw({"a": {"kind": "token", "length": 8}, "b": {"kind": "token", "length": 8}}, seed)
        assert one["a"] == two["a"]


class MutantTests:
    SOLUTION = [
        {"action": "CreateRole", "params": {"RoleName": "R", "AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [allow({"AWS": OUTSIDE}, {"StringEquals": {"sts:ExternalId": "x"}},
                                                         ["sts:AssumeRole", "sts:TagSession"])]}}},
        {"service": "sts", "action": "AssumeRole", "params": {"RoleArn": "arn", "RoleSessionName": "s",
                                                              "ExternalId": "x", "Tags": [{"Key": "k", "Value": "v"}]}},
        {"service": "sts", "action": "GetCallerIdentity"},
    ]

    def test_every_kind_of_mistake_is_generated_and_named(self):
        names = {mutant.name for mutant in mutants(self.SOLUTION)}
        assert {
            "call 1 (CreateRole) AssumeRolePolicyDocument statement 1: condition removed",
            "call 1 (CreateRole) AssumeRolePolicyDocument statement 1: StringEquals sts:ExternalId changed",
            "call 1 (CreateRole) AssumeRolePolicyDocument statement 1: principal widened to *",
            "call 1 (CreateRole) AssumeRolePolicyDocument statement 1: sts:TagSession dropped",
            "call 2 (AssumeRole): ExternalId changed", "call 2 (AssumeRole): Tags left out",
            "call 1 (CreateRole) left out", "call 2 (AssumeRole) left out",
        } <= names
        assert "call 3 (GetCallerIdentity) left out" not in names  # leaving out a read changes nothing

    def test_documents_become_json_text_and_the_original_is_untouched(self):
        calls = normalized(self.SOLUTION)
        assert isinstance(calls[0]["params"]["AssumeRolePolicyDocument"], str)
        assert isinstance(self.SOLUTION[0]["params"]["AssumeRolePolicyDocument"], dict)
        widened = next(m for m in mutants(self.SOLUTION) if m.name.endswith("principal widened to *"))
        assert json.loads(widened.calls[0]["params"]["AssumeRolePolicyDocument"])["Statement"][0]["Principal"] == {
            "AWS": "*"}


class TrustProbeTests:
    EXTERNAL = role("Partner", trust(allow({"AWS": OUTSIDE}, {"StringEquals": {"sts:ExternalId": "{{ eid }}"}})))

    def _probes(self, probes):
        return check("trust_probes", {"role_name": "Partner", "probes": probes})

    def test_right_external_id_in_right_account_only(self):
        ctx = context([role("Partner", trust(allow({"AWS": OUTSIDE}, {"StringEquals": {"sts:ExternalId": "e-1"}})))])
        outsider = f"arn:aws:iam::{OUTSIDE}:role/automation"
        good = {"principal": {"AWS": outsider}, "external_id": "e-1", "expect": "allow"}
        assert score(ctx, self._probes([good])) == 1.0
        assert score(ctx, self._probes([{**good, "external_id": "wrong"}])) == 0.0
        assert score(ctx, self._probes([{"principal": {"AWS": outsider}, "expect": "allow"}])) == 0.0
        other = {"principal": {"AWS": "arn:aws:iam::888888888888:role/x"}, "external_id": "e-1", "expect": "deny"}
        assert score(ctx, self._probes([good, other])) == 1.0

    def test_a_failing_probe_explains_with_its_label_and_the_engine(self):
        ctx = context([role("Partner", trust(allow({"AWS": "*"})))])
        probe = {"principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:user/mallory"}, "expect": "deny",
                 "label": {"en": "an outsider", "ko": "외부인"}}
        result = grade({"checks": [self._probes([probe])]}, ctx).checks[0]
        assert not result.passed
        assert result.explanation["en"][0] == "probe: an outsider" and len(result.explanation["en"]) > 1
        assert result.explanation["ko"][0] == "점검: 외부인"

    def test_a_real_user_is_limited_by_its_own_policies_cross_account(self):
        dev_role = role("Ops", trust(allow({"AWS": HOME})), account=DEV)
        ctx = context([dev_role])
        probe = {"principal": {"user": "alice"}, "expect": "allow"}
        assert score(ctx, check("trust_probes", {"role_name": "Ops", "account": "dev", "probes": [probe]})) == 1.0

    def test_the_organization_condition_sees_the_callers_org(self):
        document = trust(allow({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}))
        ctx = context([role("Org", document, account=DEV)])
        inside = {"principal": {"user": "alice"}, "expect": "allow"}
        outsider = {"principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:user/x"}, "expect": "deny"}
        assert score(ctx, check("trust_probes", {"role_name": "Org", "account": "dev",
                                                 "probes": [inside, outsider]})) == 1.0

    def test_a_chained_session_asking_more_than_an_hour_is_refused_by_sts(self):
        ctx = context([role("A", trust(allow({"AWS": USER_ARN}))),
                       role("B", trust(allow({"AWS": f"arn:aws:iam::{HOME}:role/A"})), max_session_duration=43200)])
        chained = {"principal": {"role": "A"}, "duration": 7200, "expect": "deny"}
        hour = {"principal": {"role": "A"}, "duration": 3600, "expect": "allow"}
        result = grade({"checks": [check("trust_probes", {"role_name": "B", "probes": [chained, hour]})]}, ctx)
        assert result.score == 1.0

    def test_tags_need_tag_session_and_match_request_tag_conditions(self):
        document = trust(allow({"AWS": USER_ARN}, {"StringEquals": {"aws:RequestTag/team": "blue"}},
                               ["sts:AssumeRole", "sts:TagSession"]))
        ctx = context([role("Tagged", document)])
        probes = [{"principal": {"user": "alice"}, "tags": {"team": "blue"}, "expect": "allow"},
                  {"principal": {"user": "alice"}, "tags": {"team": "red"}, "expect": "deny"}]
        assert score(ctx, check("trust_probes", {"role_name": "Tagged", "probes": probes})) == 1.0
        no_tag_session = role("Tagged", trust(allow({"AWS": USER_ARN})))
        assert score(context([no_tag_session]), check("trust_probes", {"role_name": "Tagged", "probes": [
            {"principal": {"user": "alice"}, "tags": {"team": "blue"}, "expect": "allow"}]})) == 0.0


class PermissionProbeTests:
    def test_a_session_policy_and_a_boundary_narrow_a_role(self):
        read_only = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})
        ctx = context([role("Data", trust(allow({"AWS": USER_ARN})), managed_policies={"admin": ADMIN},
                            boundary_arn="b", boundary_document=read_only)])
        probes = [{"principal": {"role": "Data"}, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                   "expect": "allow"},
                  {"principal": {"role": "Data"}, "action": "iam:CreateUser", "resource": "*", "expect": "deny"}]
        assert score(ctx, check("permission_probes", {"probes": probes})) == 1.0


class StateAndActivityTests:
    def test_state_kinds(self):
        document = trust(allow({"Service": "ec2.amazonaws.com"}))
        r = role("App", document, managed_policies={"arn:aws:iam::aws:policy/ReadOnlyAccess": ADMIN},
                 tags={"Team": "blue"}, instance_profiles=("App",), max_session_duration=7200)
        ctx = context([r])
        assert score(ctx, check("role_exists", {"role_name": "App"}), check("role_absent", {"role_name": "Gone"}),
                     check("role_trusts", {"role_name": "App", "principal": {"Service": "ec2.amazonaws.com"}}),
                     check("role_has_policy", {"role_name": "App",
                                               "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
                     check("role_tags", {"role_name": "App", "tags": {"team": "blue"}}),
                     check("instance_profile_holds", {"role_name": "App"}),
                     check("role_max_session", {"role_name": "App", "at_least": 7200})) == 1.0
        assert score(ctx, check("role_exists", {"role_name": "app"})) == 0.0  # names are exact

    def test_event_checks_match_dotted_paths(self):
        record = {"eventName": "AssumeRole", "requestParameters": {"roleArn": "arn:r", "externalId": "e"},
                  "userIdentity": {"type": "IAMUser"}}
        ctx = context([], events=[EventView(HOME, "AssumeRole", "sts.amazonaws.com", record)])
        matched = check("event", {"event_name": "AssumeRole", "match": {
            "requestParameters.roleArn": "arn:r", "requestParameters.externalId": {"exists": True}}})
        assert score(ctx, matched) == 1.0
        assert score(ctx, check("event", {"event_name": "AssumeRole", "match": {
            "requestParameters.roleArn": "arn:other"}})) == 0.0
        assert score(ctx, check("event", {"event_name": "AssumeRole", "succeeded": False})) == 0.0

    def test_check_params_and_feedback_use_the_learners_variables(self):
        ctx = context([role("Partner", trust(allow({"AWS": OUTSIDE})))], variables={"name": "Partner"})
        result = grade({"checks": [check("role_exists", {"role_name": "{{ name }}"})]}, ctx)
        assert result.score == 1.0
