"""The trust graph builder and layout as pure code: known trust policies give known nodes, edges and labels."""
from __future__ import annotations

import json

import iam
from console.trust_graph_conditions import condition_label
from console.trust_graph_layout import trust_graph_layout
from console.trust_graph_model import (
    AccountInput,
    EdgeScope,
    NodeKind,
    RoleInput,
    account_node_id,
    trust_graph_build,
)

MGMT, DEV, PROD, PARTNER = "111111111111", "222222222222", "333333333333", "999999999999"
ALICE = f"arn:aws:iam::{MGMT}:user/alice"
SAML = f"arn:aws:iam::{MGMT}:saml-provider/CorpIdP"


def _trust(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _role(account, name, *statements):
    return RoleInput(name=name, arn=f"arn:aws:iam::{account}:role/{name}", trust_policy=_trust(*statements))


def _graph(*dev_roles, mgmt_roles=(), providers=(SAML,)):
    return trust_graph_build(accounts=[
        AccountInput(MGMT, "management", "management", roles=tuple(mgmt_roles), users=(ALICE,), providers=providers),
        AccountInput(DEV, "dev", "member", roles=tuple(dev_roles)),
        AccountInput(PROD, "prod", "member"),
    ])


def _edges(graph):
    return [(e.source, e.target, e.effect.value, e.scope.value, e.short_label) for e in graph.edges]


class TrustGraphBuildTests:
    def test_a_role_trusting_the_management_account_with_an_external_id(self):
        graph = _graph(_role(DEV, "Audit", {
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}}}))
        edge = graph.edges[0]
        assert _edges(graph) == [(account_node_id(MGMT), f"arn:aws:iam::{DEV}:role/Audit", "Allow", "account",
                                  "external ID")]
        assert edge.needs_identity_policy is True
        assert edge.conditions[0].full == "StringEquals sts:ExternalId: `partner-42`"

    def test_the_short_account_id_form_is_the_whole_account_too(self):
        graph = _graph(_role(DEV, "R", {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"}))
        assert graph.edges[0].source == account_node_id(MGMT)
        assert graph.edges[0].scope == EdgeScope.ACCOUNT

    def test_a_named_user_in_another_account_needs_an_identity_policy(self):
        graph = _graph(_role(DEV, "R", {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole",
                                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}))
        edge = graph.edges[0]
        assert (edge.source, edge.scope, edge.needs_identity_policy, edge.short_label) == (
            ALICE, EdgeScope.NAMED, True, "MFA")

    def test_a_named_role_of_the_same_account_needs_none(self):
        first = _role(MGMT, "First", {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                      "Action": "sts:AssumeRole"})
        second = _role(MGMT, "Second", {"Effect": "Allow", "Principal": {"AWS": first.arn}, "Action": "sts:AssumeRole"})
        graph = _graph(mgmt_roles=(first, second))
        chained = [e for e in graph.edges if e.target == second.arn][0]
        assert (chained.source, chained.needs_identity_policy) == (first.arn, False)

    def test_services_each_get_a_node_outside_the_accounts(self):
        graph = _graph(_role(DEV, "App", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                          "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}}))
        assert graph.outside == ("service:ec2.amazonaws.com", "service:lambda.amazonaws.com")
        assert {e.scope for e in graph.edges} == {EdgeScope.SERVICE}

    def test_a_saml_provider_of_the_sandbox_sits_in_its_account(self):
        graph = _graph(_role(DEV, "Federated", {
            "Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}))
        node = graph.nodes[SAML]
        assert (node.kind, node.account_id, node.label) == (NodeKind.PROVIDER, MGMT, "CorpIdP")
        assert graph.edges[0].actions == ("sts:AssumeRoleWithSAML",)
        assert graph.edges[0].short_label == "SAML:aud sign-in"

    def test_a_deleted_provider_is_shown_as_missing(self):
        graph = _graph(_role(DEV, "F", {"Effect": "Allow", "Principal": {"Federated": SAML},
                                        "Action": "sts:AssumeRoleWithSAML"}), providers=())
        assert graph.nodes[SAML].exists is False

    def test_web_identity_providers_are_named(self):
        graph = _graph(_role(DEV, "Web", {
            "Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"accounts.google.com:aud": "my-app"}}}))
        node = graph.nodes["accounts.google.com"]
        assert (node.kind, node.label) == (NodeKind.WEB_IDENTITY, "Google")
        assert graph.edges[0].short_label == "aud my-app"

    def test_deny_statements_are_edges_too(self):
        graph = _graph(_role(DEV, "Guarded",
                             {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
                             {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*",
                              "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}))
        deny = graph.edges[1]
        assert (deny.source, deny.is_deny, deny.scope, deny.short_label) == (
            "everyone", True, EdgeScope.EVERYONE, "not org o-abc123")

    def test_an_account_outside_the_sandbox_is_an_outside_node(self):
        graph = _graph(_role(DEV, "Vendor", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                                             "Action": "sts:AssumeRole"}))
        assert graph.nodes[account_node_id(PARTNER)].kind == NodeKind.OUTSIDE_ACCOUNT
        assert graph.outside == (account_node_id(PARTNER),)

    def test_a_unique_id_left_by_a_deleted_user_is_shown(self):
        graph = _graph(_role(DEV, "Old", {"Effect": "Allow", "Principal": {"AWS": "AIDAEXAMPLEEXAMPLE123"},
                                          "Action": "sts:AssumeRole"}))
        assert graph.nodes["AIDAEXAMPLEEXAMPLE123"].kind == NodeKind.UNKNOWN_ID

    def test_a_tag_session_only_statement_is_no_edge(self):
        graph = _graph(_role(DEV, "Tags", {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:TagSession"}))
        assert graph.edges == ()

    def test_tag_session_is_listed_with_assume_role(self):
        graph = _graph(_role(DEV, "Tags", {"Effect": "Allow", "Principal": {"AWS": ALICE},
                                           "Action": ["sts:AssumeRole", "sts:TagSession"]}))
        assert graph.edges[0].actions == ("sts:AssumeRole", "sts:TagSession")

    def test_roles_are_in_their_account_box_after_users_and_providers(self):
        graph = _graph(_role(DEV, "B", {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"}),
                       mgmt_roles=(_role(MGMT, "A", {"Effect": "Allow", "Principal": {"AWS": MGMT},
                                                      "Action": "sts:AssumeRole"}),))
        management, dev, prod = graph.accounts
        assert management.members == (ALICE, SAML, f"arn:aws:iam::{MGMT}:role/A")
        assert dev.members == (f"arn:aws:iam::{DEV}:role/B",)
        assert prod.members == ()

    def test_an_unreadable_trust_policy_is_reported_not_fatal(self):
        bad = RoleInput(name="Bad", arn=f"arn:aws:iam::{DEV}:role/Bad", trust_policy="{not json")
        graph = _graph(bad)
        assert graph.unreadable == ((bad.arn, "Syntax errors in policy."),)


def _clause(operator, key, *values):
    policy = iam.parse_policy(_trust({"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole",
                                       "Condition": {operator: {key: list(values)}}}),
                              name="t", kind=iam.PolicyKind.TRUST)
    return policy.statements[0].conditions[0]


class ConditionLabelTests:
    def test_short_forms(self):
        cases = {
            ("StringEquals", "sts:ExternalId", "x"): "external ID",
            ("Bool", "aws:MultiFactorAuthPresent", "true"): "MFA",
            ("BoolIfExists", "aws:MultiFactorAuthPresent", "false"): "no MFA",
            ("NumericLessThan", "aws:MultiFactorAuthAge", "3600"): "MFA age < 3600 s",
            ("StringEquals", "aws:PrincipalTag/team", "blue"): "tag team=blue",
            ("StringEquals", "aws:PrincipalOrgID", "o-abc"): "org o-abc",
            ("IpAddress", "aws:SourceIp", "203.0.113.0/24"): "SourceIp 203.0.113.0/24",
            ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"): "not SourceIp 10.0.0.0/8",
            ("StringLike", "token.actions.githubusercontent.com:sub", "repo:org/*"): "sub repo:org/*",
            ("Null", "sts:ExternalId", "true"): "no ExternalId",
            ("StringEquals", "aws:PrincipalTag/team", "blue", "red", "green"): "tag team=blue +2",
        }
        for (operator, key, *values), short in cases.items():
            assert condition_label(_clause(operator, key, *values)).short == short, (operator, key)

    def test_full_form_keeps_every_value(self):
        label = condition_label(_clause("StringEquals", "aws:PrincipalTag/team", "blue", "red"))
        assert label.full == "StringEquals aws:PrincipalTag/team: `blue`, `red`"


class TrustGraphLayoutTests:
    def _picture(self):
        graph = _graph(
            _role(DEV, "Audit", {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole",
                                 "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}),
            _role(DEV, "App", {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                               "Action": "sts:AssumeRole"}),
        )
        return trust_graph_layout(graph, links={f"arn:aws:iam::{DEV}:role/App": "/roles/App/"})

    def test_accounts_are_columns_after_the_outside_column(self):
        boxes = self._picture().boxes
        assert [box.kind for box in boxes] == ["outside", "management", "member", "member"]
        assert [box.rect.x for box in boxes] == sorted(box.rect.x for box in boxes)

    def test_every_edge_has_a_path_and_a_numbered_label(self):
        edges = self._picture().edges
        assert [placed.text for placed in edges] == ["1 · external ID", "2"]
        assert all(placed.path.startswith("M ") for placed in edges)

    def test_labels_never_overlap(self):
        graph = _graph(*[
            _role(DEV, f"R{i}", {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole",
                                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
            for i in range(6)
        ])
        labels = [placed.label for placed in trust_graph_layout(graph).edges]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert a.y + a.h <= b.y or b.y + b.h <= a.y or a.right <= b.x or b.right <= a.x

    def test_links_go_to_their_nodes_only(self):
        nodes = {placed.node.label: placed.href for placed in self._picture().nodes}
        assert nodes["App"] == "/roles/App/"
        assert nodes["Audit"] == ""

    def test_the_layout_is_deterministic(self):
        assert self._picture() == self._picture()
