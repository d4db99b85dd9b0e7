"""Request context keys: case-insensitive names, tags as `aws:*Tag/*`, `sts:*` request keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iam.model import Principal

ContextValue = str | bool | int | float | Sequence[str | bool | int | float]


def _as_text(value: str | bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_values(value: ContextValue) -> tuple[str, ...]:
    if isinstance(value, str | bool | int | float):
        return (_as_text(value),)
    return tuple(_as_text(item) for item in value)


@dataclass(frozen=True, slots=True)
class Context(Mapping[str, tuple[str, ...]]):
    """Condition keys of one request.

    # AWS: condition key names are case-insensitive; values are not
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
    Every value is a tuple of strings; a single-valued key has a one-element tuple.
    """

    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _index: dict[str, tuple[str, tuple[str, ...]]] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # INVARIANT: one entry per lower-cased key; the last one given wins.
        index = {key.lower(): (key, tuple(values)) for key, values in self.entries}
        object.__setattr__(self, "entries", tuple(index.values()))
        object.__setattr__(self, "_index", index)

    @classmethod
    def _indexed(cls, index: dict[str, tuple[str, tuple[str, ...]]]) -> Context:
        """A context from an index that already keeps the invariant (no re-checking)."""
        context = object.__new__(cls)
        object.__setattr__(context, "entries", tuple(index.values()))
        object.__setattr__(context, "_index", index)
        return context

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, ContextValue]) -> Context:
        """Build a context from `{key: value or list of values}`; booleans become `true`/`false`."""
        return cls(tuple((key, _as_values(value)) for key, value in mapping.items()))

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._index[key.lower()][1]

    def lookup(self, key: str) -> tuple[str, ...]:
        """The values of `key`, or `()` when the request does not have it (`get(key, ())`, faster)."""
        entry = self._index.get(key.lower())
        return () if entry is None else entry[1]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._index

    def merged_with(self, other: Mapping[str, tuple[str, ...]]) -> Context:
        """A context with `other`'s keys added; `other` wins on clashes."""
        if not other:
            return self
        if not isinstance(other, Context):
            return Context((*self.entries, *other.items()))
        # Both already keep the invariant; a dict merge keeps first positions and last values.
        return Context._indexed({**self._index, **other._index}) if self.entries else other


def make_context(
    keys: Mapping[str, ContextValue] | None = None,
    *,
    principal_tags: Mapping[str, str] | None = None,
    request_tags: Mapping[str, str] | None = None,
    resource_tags: Mapping[str, str] | None = None,
    transitive_tag_keys: Sequence[str] | None = None,
    external_id: str | None = None,
    role_session_name: str | None = None,
    source_identity: str | None = None,
    current_time: str | None = None,
    source_ip: str | None = None,
    mfa_present: bool | None = None,
) -> Context:
    """Build a request context the way AWS derives it.

    Session and principal tags become `aws:PrincipalTag/<key>`, tags passed in the request
    `aws:RequestTag/<key>` plus the multivalued `aws:TagKeys`, tags of the resource (the role,
    for `sts:AssumeRole`) `aws:ResourceTag/<key>`; `sts:ExternalId`, `sts:RoleSessionName`,
    `sts:SourceIdentity` and `sts:TransitiveTagKeys` are present only when the caller passed
    them. Explicit `keys` win over derived ones.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    derived: dict[str, ContextValue] = {}
    for prefix, tags in (
        ("aws:PrincipalTag/", principal_tags),
        ("aws:RequestTag/", request_tags),
        ("aws:ResourceTag/", resource_tags),
    ):
        derived.update({f"{prefix}{key}": value for key, value in (tags or {}).items()})
    if request_tags:
        derived["aws:TagKeys"] = tuple(request_tags)
    optional: dict[str, ContextValue | None] = {
        "sts:TransitiveTagKeys": tuple(transitive_tag_keys) if transitive_tag_keys is not None else None,
        "sts:ExternalId": external_id,
        "sts:RoleSessionName": role_session_name,
        "sts:SourceIdentity": source_identity,
        "aws:CurrentTime": current_time,
        "aws:SourceIp": source_ip,
        "aws:MultiFactorAuthPresent": mfa_present,
    }
    derived.update({key: value for key, value in optional.items() if value is not None})
    derived.update(keys or {})
    return Context.from_mapping(derived)


@lru_cache(maxsize=1024)
def principal_keys(principal: Principal | None) -> Context:
    """Keys AWS always puts in the context for an `AWS` principal.

    `aws:PrincipalArn` is the role ARN for a role session, `aws:username` exists only for IAM
    users, `aws:userid` when the unique id is known (derived for the root user, whose id is the
    account id, and for a federated user, `ACCOUNT:name`).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if principal is None or principal.kind != "AWS":
        return Context()
    keys: dict[str, ContextValue] = {"aws:PrincipalArn": principal.role_arn or principal.arn}
    if principal.account:
        keys["aws:PrincipalAccount"] = principal.account
    keys["aws:PrincipalType"] = _principal_type(principal.arn)
    resource = principal.arn.split(":", 5)[-1]
    if resource.startswith("user/"):
        keys["aws:username"] = resource.rsplit("/", 1)[-1]
    userid = principal.unique_id or _derived_userid(principal.arn, resource, principal.account)
    if userid:
        keys["aws:userid"] = userid
    return Context.from_mapping(keys)


def _derived_userid(arn: str, resource: str, account: str | None) -> str | None:
    """`aws:userid` from the ARN alone: the account id (root user) or `ACCOUNT:name` (federated user)."""
    if account and resource == "root" and arn.startswith("arn:") and ":iam::" in arn:
        return account
    if account and resource.startswith("federated-user/"):
        return f"{account}:{resource.split('/', 1)[1]}"
    return None


def _principal_type(arn: str) -> str:
    if ":assumed-role/" in arn:
        return "AssumedRole"
    if ":federated-user/" in arn:
        return "FederatedUser"
    if ":user/" in arn:
        return "User"
    if ":role/" in arn:
        return "Role"
    return "Account"
