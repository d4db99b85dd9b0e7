"""The trust graph of a learner's accounts, read from their sandbox on each request (no cache: it is fast).

This is a teaching view of the learner's own organization, like the sandbox overview an instructor has: it reads
every account's stored state directly instead of asking IAM as the console identity, so it shows all accounts
whichever role the learner has switched to.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.translation import gettext

from console.trust_graph_layout import Picture, trust_graph_layout
from console.trust_graph_model import (
    AccountInput,
    Edge,
    Node,
    NodeKind,
    RoleInput,
    TrustGraph,
    account_node_id,
    trust_graph_build,
)
from sandbox.models import Account
from sandbox.moto_store import account_reader

_KIND_ORDER: dict[str, int] = {Account.Kind.MANAGEMENT: 0, Account.Kind.MEMBER: 1, Account.Kind.EXTERNAL: 2}


@dataclass(frozen=True, slots=True)
class TrustGraphView:
    graph: TrustGraph
    picture: Picture
    current_account_id: str
    links: dict[str, str]  # role ARN -> role page, for roles of the account the console acts in

    @property
    def rows(self) -> tuple[TrustGraphRow, ...]:
        nodes = self.graph.nodes
        return tuple(
            TrustGraphRow(edge=edge, source=nodes[edge.source], target=nodes[edge.target],
                          target_account=nodes.get(account_node_id(nodes[edge.target].account_id)),
                          href=self.links.get(edge.target, ""))
            for edge in self.graph.edges
        )


@dataclass(frozen=True, slots=True)
class TrustGraphRow:
    """One edge as the table under the picture shows it."""

    edge: Edge
    source: Node
    target: Node
    target_account: Node | None
    href: str


def _account_input(account: Account) -> AccountInput:
    with account_reader(account.account_id) as backends:
        roles = tuple(
            RoleInput(name=str(role.name), arn=str(role.arn), trust_policy=str(role.assume_role_policy_document))
            for role in sorted(backends.iam.get_roles(), key=lambda r: str(r.name).lower())
        )
        users = tuple(sorted(str(user.arn) for user in backends.iam.users.values()))
        saml = [str(provider.arn) for provider in backends.iam.saml_providers.values()]
        oidc = [str(arn) for arn in backends.iam.open_id_providers]
    return AccountInput(account_id=account.account_id, alias=account.alias, kind=account.kind, roles=roles,
                        users=users, providers=tuple(sorted(saml + oidc)))


def trust_graph_get(*, user: User, current_account_id: str) -> TrustGraphView:
    """Every role's trust policy in every account of `user`'s sandbox, as a graph and its picture."""
    accounts = sorted(
        Account.objects.filter(sandbox__owner=user),
        key=lambda a: (_KIND_ORDER.get(a.kind, 9), a.alias.lower(), a.account_id),
    )
    graph = trust_graph_build(accounts=[_account_input(account) for account in accounts])
    links = {
        node.id: reverse("console:role-detail", args=[node.label])
        for node in graph.nodes.values()
        if node.kind == NodeKind.ROLE and node.account_id == current_account_id and node.exists
    }
    kind_labels = {str(kind): gettext(str(label)) for kind, label in Account.Kind.choices}
    picture = trust_graph_layout(graph, links=links, kind_labels=kind_labels)
    return TrustGraphView(graph=graph, picture=picture, current_account_id=current_account_id, links=links)
