"""Who can assume which role: a graph built from trust policies alone (pure code: no Django, no sandbox).

Nodes are accounts, the principals trust policies name (IAM users and roles, role sessions, AWS services,
identity providers, outside accounts, everyone) and roles; one edge per principal of each trust statement that
allows (or denies) an `sts:AssumeRole*` action. Conditions are kept as short labels for the picture and in full
for the table. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import iam
from console.trust_graph_conditions import ConditionLabel, condition_label

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
SESSION_ACTIONS = ("sts:TagSession", "sts:SetSourceIdentity")  # shown with an edge, never an edge on their own
_ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{3}[A-Z0-9]{12,}")  # AIDA..., AROA...: a deleted principal's id (AWS shows it)
WEB_IDENTITY_PROVIDERS = {
    "cognito-identity.amazonaws.com": "Amazon Cognito", "www.amazon.com": "Login with Amazon",
    "graph.facebook.com": "Facebook", "accounts.google.com": "Google",
}


class NodeKind(StrEnum):
    ACCOUNT = "account"
    USER = "user"
    ROLE = "role"
    SESSION = "session"
    PROVIDER = "provider"
    SERVICE = "service"
    WEB_IDENTITY = "web-identity"
    OUTSIDE_ACCOUNT = "outside-account"
    OUTSIDE_PRINCIPAL = "outside-principal"
    UNKNOWN_ID = "unknown-id"
    EVERYONE = "everyone"


class EdgeScope(StrEnum):
    """What the Principal value stands for; decides whether the caller also needs an identity policy."""

    ACCOUNT = "account"  # the whole account: callers there also need an identity-policy Allow
    NAMED = "named"
    SERVICE = "service"
    FEDERATED = "federated"
    EVERYONE = "everyone"


@dataclass(frozen=True, slots=True)
class RoleInput:
    name: str
    arn: str
    trust_policy: str


@dataclass(frozen=True, slots=True)
class AccountInput:
    """One account of the learner's sandbox, as the graph needs it."""

    account_id: str
    alias: str
    kind: str  # management | member | external (sandbox Account.Kind)
    roles: tuple[RoleInput, ...] = ()
    users: tuple[str, ...] = ()  # user ARNs
    providers: tuple[str, ...] = ()  # SAML / OIDC provider ARNs


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    label: str
    detail: str = ""  # ARN, account id or explanation, shown in tooltips and the table
    account_id: str = ""  # the sandbox account whose box holds it; "" for nodes outside the learner's accounts
    exists: bool = True


@dataclass(frozen=True, slots=True)
class Edge:
    number: int
    source: str
    target: str  # a role node
    effect: iam.Effect
    actions: tuple[str, ...]
    scope: EdgeScope
    needs_identity_policy: bool
    statement: str  # Sid, or `#index`
    conditions: tuple[ConditionLabel, ...] = ()

    @property
    def is_deny(self) -> bool:
        return self.effect == iam.Effect.DENY

    @property
    def short_label(self) -> str:
        parts = [label.short for label in self.conditions]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class AccountGroup:
    account: Node
    kind: str
    members: tuple[str, ...]  # node ids in the box: users and sessions, providers, roles (in that order)


@dataclass(frozen=True, slots=True)
class TrustGraph:
    nodes: dict[str, Node]
    accounts: tuple[AccountGroup, ...]
    outside: tuple[str, ...]  # node ids outside the learner's accounts
    edges: tuple[Edge, ...]
    unreadable: tuple[tuple[str, str], ...] = field(default=())  # (role ARN, why its trust policy was skipped)


def account_node_id(account_id: str) -> str:
    return f"account:{account_id}"


def _statement_actions(statement: iam.Statement) -> tuple[str, ...]:
    """The trust actions the statement covers (Action or NotAction), or () if it covers no AssumeRole* action."""
    every = ASSUME_ACTIONS + SESSION_ACTIONS
    if statement.actions:
        covered = tuple(a for a in every if any(_action_matches(p, a) for p in statement.actions))
    else:
        covered = tuple(a for a in every if not any(_action_matches(p, a) for p in statement.not_actions))
    return covered if any(a in ASSUME_ACTIONS for a in covered) else ()


def _action_matches(pattern: str, action: str) -> bool:
    # AWS: action names are case-insensitive; `*` and `?` are wildcards.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, action, re.IGNORECASE) is not None


class _Builder:
    def __init__(self, accounts: Sequence[AccountInput]) -> None:
        self.accounts = {account.account_id: account for account in accounts}
        self.nodes: dict[str, Node] = {}
        self.members: dict[str, list[str]] = {account.account_id: [] for account in accounts}
        self.outside: list[str] = []
        self.edges: list[Edge] = []
        self.unreadable: list[tuple[str, str]] = []
        self.role_arns = {role.arn for account in accounts for role in account.roles}
        self.user_arns = {arn for account in accounts for arn in account.users}
        self.provider_arns = {arn for account in accounts for arn in account.providers}

    def add(self, node: Node) -> str:
        if node.id not in self.nodes:
            self.nodes[node.id] = node
            (self.members[node.account_id] if node.account_id else self.outside).append(node.id)
        return node.id

    def build(self) -> TrustGraph:
        for account in self.accounts.values():
            label = account.alias or account.account_id
            self.nodes[account_node_id(account.account_id)] = Node(
                id=account_node_id(account.account_id), kind=NodeKind.ACCOUNT, label=label, detail=account.account_id,
            )
            for arn in account.users:
                self.add(Node(id=arn, kind=NodeKind.USER, label=_last(arn), detail=arn, account_id=account.account_id))
            for arn in account.providers:
                self.add(Node(id=arn, kind=NodeKind.PROVIDER, label=_last(arn), detail=arn,
                              account_id=account.account_id))
        for account in self.accounts.values():
            for role in account.roles:
                self.add(Node(id=role.arn, kind=NodeKind.ROLE, label=role.name, detail=role.arn,
                              account_id=account.account_id))
        for account in self.accounts.values():
            for role in account.roles:
                self._role_edges(account, role)
        groups = tuple(
            AccountGroup(account=self.nodes[account_node_id(a.account_id)], kind=a.kind,
                         members=tuple(_in_box_order(self.nodes, self.members[a.account_id])))
            for a in self.accounts.values()
        )
        return TrustGraph(nodes=self.nodes, accounts=groups, outside=tuple(_outside_order(self.nodes, self.outside)),
                          edges=tuple(self.edges), unreadable=tuple(self.unreadable))

    def _role_edges(self, account: AccountInput, role: RoleInput) -> None:
        try:
            policy = iam.parse_policy(role.trust_policy, name=role.name, kind=iam.PolicyKind.TRUST, check_size=False)
        except iam.PolicySyntaxError as error:
            self.unreadable.append((role.arn, error.message))
            return
        for statement in policy.statements:
            actions = _statement_actions(statement)
            if not actions:
                continue  # e.g. a statement that only allows sts:TagSession
            labels = tuple(condition_label(clause) for clause in statement.conditions)
            for value in statement.principals:
                source, scope, needs_policy = self._source(value, account.account_id)
                self.edges.append(Edge(
                    number=len(self.edges) + 1, source=source, target=role.arn, effect=statement.effect,
                    actions=actions, scope=scope, needs_identity_policy=needs_policy,
                    statement=statement.sid or f"#{statement.index}", conditions=labels,
                ))

    def _source(self, value: iam.PrincipalValue, role_account: str) -> tuple[str, EdgeScope, bool]:
        if value.kind == iam.PrincipalKind.SERVICE:
            node = Node(id=f"service:{value.value}", kind=NodeKind.SERVICE, label=value.value, detail=value.value)
            return self.add(node), EdgeScope.SERVICE, False
        if value.kind == iam.PrincipalKind.FEDERATED:
            return self._federated(value.value), EdgeScope.FEDERATED, False
        if value.kind != iam.PrincipalKind.AWS:
            node = Node(id=f"{value.kind}:{value.value}", kind=NodeKind.OUTSIDE_PRINCIPAL, label=value.value,
                        detail=f"{value.kind}: {value.value}")
            return self.add(node), EdgeScope.NAMED, False
        if value.is_wildcard:
            node = Node(id="everyone", kind=NodeKind.EVERYONE, label="*", detail="everyone (any AWS account)")
            return self.add(node), EdgeScope.EVERYONE, False
        account_id = _account_of(value.value)
        if account_id is not None:
            return self._account(account_id), EdgeScope.ACCOUNT, True
        if _UNIQUE_ID.fullmatch(value.value):
            node = Node(id=value.value, kind=NodeKind.UNKNOWN_ID, label=value.value, detail=value.value, exists=False)
            return self.add(node), EdgeScope.NAMED, False
        return self._named(value.value), EdgeScope.NAMED, _arn_account(value.value) != role_account

    def _account(self, account_id: str) -> str:
        node_id = account_node_id(account_id)
        if account_id in self.accounts:
            return node_id
        return self.add(Node(id=node_id, kind=NodeKind.OUTSIDE_ACCOUNT, label=account_id, detail=account_id))

    def _named(self, arn: str) -> str:
        account_id = _arn_account(arn)
        resource = arn.split(":", 5)[-1]
        kind = NodeKind.ROLE if resource.startswith("role/") else NodeKind.USER
        if ":assumed-role/" in arn or ":federated-user/" in arn:
            kind = NodeKind.SESSION
        if account_id not in self.accounts:
            return self.add(Node(id=arn, kind=NodeKind.OUTSIDE_PRINCIPAL, label=_last(arn), detail=arn))
        exists = kind == NodeKind.SESSION or arn in self.role_arns or arn in self.user_arns
        return self.add(Node(id=arn, kind=kind, label=_last(arn), detail=arn, account_id=account_id, exists=exists))

    def _federated(self, provider: str) -> str:
        account_id = _arn_account(provider)
        if account_id in self.accounts:
            return self.add(Node(id=provider, kind=NodeKind.PROVIDER, label=_last(provider), detail=provider,
                                 account_id=account_id, exists=provider in self.provider_arns))
        label = WEB_IDENTITY_PROVIDERS.get(provider, _last(provider) if account_id else provider)
        kind = NodeKind.WEB_IDENTITY if not account_id else NodeKind.OUTSIDE_PRINCIPAL
        return self.add(Node(id=provider, kind=kind, label=label, detail=provider))


def _account_of(value: str) -> str | None:
    """The account a whole-account principal names (`123456789012` or `arn:aws:iam::123456789012:root`)."""
    if _ACCOUNT_ID.fullmatch(value):
        return value
    match = _ROOT_ARN.fullmatch(value)
    return match.group(1) if match else None


def _arn_account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def _last(arn: str) -> str:
    """`role/path/Name` -> `Name`; `oidc-provider/host/path` -> `host/path`; `assumed-role/R/S` -> `R/S`."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind in ("oidc-provider", "assumed-role"):
        return rest
    return rest.rsplit("/", 1)[-1] if rest else resource


_BOX_ORDER = {NodeKind.USER: 0, NodeKind.SESSION: 1, NodeKind.PROVIDER: 2, NodeKind.ROLE: 3}
_OUTSIDE_ORDER = {
    NodeKind.SERVICE: 0, NodeKind.WEB_IDENTITY: 1, NodeKind.OUTSIDE_ACCOUNT: 2, NodeKind.OUTSIDE_PRINCIPAL: 3,
    NodeKind.UNKNOWN_ID: 4, NodeKind.EVERYONE: 5,
}


def _in_box_order(nodes: dict[str, Node], ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: (_BOX_ORDER.get(nodes[i].kind, 9), nodes[i].label.lower(), i))


def _outside_order(nodes: dict[str, Node], ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: (_OUTSIDE_ORDER.get(nodes[i].kind, 9), nodes[i].label.lower(), i))


def trust_graph_build(*, accounts: Sequence[AccountInput]) -> TrustGraph:
    """The graph of every role's trust policy in `accounts` (in the order given: management first)."""
    return _Builder(accounts).build()
