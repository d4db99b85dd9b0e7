"""Action, Resource and Principal matching, ARN segments and `${policy:variables}`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum, auto
from functools import lru_cache

from iam.context import Context
from iam.model import PolicyVersion, Principal, PrincipalKind, PrincipalValue

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE_BODY = re.compile(r"\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?\Z")
_ACCOUNT_ID = re.compile(r"\d{12}\Z")
_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root\Z")
_ROLE_ID = re.compile(r"AROA[A-Z0-9]{12,}\Z")


class UnresolvedVariable(Exception):
    """A `${...}` policy variable whose key has no single value in the request context."""

    def __init__(self, variable: str) -> None:
        super().__init__(variable)
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Template:
    """Policy text after variable substitution: pieces flagged literal cannot act as wildcards."""

    pieces: tuple[tuple[str, bool], ...]

    @classmethod
    def plain(cls, text: str) -> Template:
        """Text taken as written: `*` and `?` stay wildcards."""
        return cls(((text, False),))

    @property
    def text(self) -> str:
        """The text with every variable replaced by its value."""
        return "".join(text for text, _ in self.pieces)

    def matches(self, value: str, *, ignore_case: bool = False) -> bool:
        """Wildcard match: `*` is any run of characters (crossing `/`), `?` one character."""
        return _compiled(self.pieces, ignore_case).fullmatch(value) is not None

    def split(self, separator: str, maxsplit: int) -> tuple[Template, ...]:
        """Split on `separator` in non-literal text only (variables never split a segment)."""
        segments: list[list[tuple[str, bool]]] = [[]]
        for text, literal in self.pieces:
            parts = [text] if literal else text.split(separator)
            for number, part in enumerate(parts):
                if number and len(segments) <= maxsplit:
                    segments.append([])
                elif number:
                    segments[-1].append((separator, False))
                segments[-1].append((part, literal))
        return tuple(Template(tuple(segment)) for segment in segments)


@lru_cache(maxsize=4096)
def _compiled(pieces: tuple[tuple[str, bool], ...], ignore_case: bool) -> re.Pattern[str]:
    parts: list[str] = []
    for text, literal in pieces:
        if literal:
            parts.append(re.escape(text))
            continue
        parts.extend(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def resolve(text: str, *, context: Context, version: PolicyVersion) -> Template:
    """Substitute `${key}`, `${key, 'default'}` and the `${*}`, `${?}`, `${$}` escapes.

    Only `2012-10-17` policies have variables; in `2008-10-17` the text is literal.
    Raises `UnresolvedVariable` when a key is absent (and has no default) or multivalued.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if version is not PolicyVersion.V2012_10_17 or "${" not in text:
        return Template.plain(text)
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        pieces.append((text[position : match.start()], False))
        pieces.append((_variable_value(match, context), True))
        position = match.end()
    pieces.append((text[position:], False))
    return Template(tuple(piece for piece in pieces if piece[0]))


def resolve_resource(text: str, *, context: Context, version: PolicyVersion) -> Template:
    """`resolve` for a Resource or NotResource value: variables only in the resource part.

    AWS substitutes a variable only after the fifth colon of an ARN; before it (service,
    Region, account) `${...}` stays literal text, so such a pattern matches no real ARN.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if version is not PolicyVersion.V2012_10_17 or "${" not in text:
        return Template.plain(text)
    start = _resource_part_start(text)
    if not start:
        return resolve(text, context=context, version=version)
    tail = resolve(text[start:], context=context, version=version)
    return Template(((text[:start], False), *tail.pieces))


def _resource_part_start(text: str) -> int | None:
    """Index just after the fifth colon outside `${...}`, or None if there are fewer."""
    colons, inside = 0, False
    for index, char in enumerate(text):
        if char == "$" and text.startswith("${", index):
            inside = True
        elif char == "}":
            inside = False
        elif char == ":" and not inside:
            colons += 1
            if colons == 5:
                return index + 1
    return None


def _variable_value(match: re.Match[str], context: Context) -> str:
    body = match.group(1)
    if body in ("*", "?", "$"):
        return body
    parsed = _VARIABLE_BODY.match(body)
    if parsed is None:
        raise UnresolvedVariable(match.group(0))
    key, default = parsed.group(1), parsed.group(2)
    values = context.get(key, ())
    if len(values) == 1:
        return values[0]
    if not values and default is not None:
        return default
    raise UnresolvedVariable(match.group(0))


def action_matches(pattern: str, action: str) -> bool:
    """Actions are `service:Name`, case-insensitive, with `*` and `?` anywhere.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    return Template.plain(pattern).matches(action, ignore_case=True)


def arn_segments(arn: str) -> tuple[str, ...] | None:
    """`(arn, partition, service, region, account, resource)`, or None if `arn` is not an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return tuple(parts)


def arn_account(arn: str) -> str | None:
    """The account segment of an ARN, if it has one."""
    segments = arn_segments(arn)
    return segments[4] if segments and segments[4] else None


def arn_matches(pattern: Template, arn: str) -> bool:
    """Match an ARN segment by segment; `*` in the resource segment also crosses `:` and `/`.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    segments = arn_segments(arn)
    parts = pattern.split(":", 5)
    if segments is None or len(parts) != 6:
        return pattern.matches(arn)
    return all(part.matches(segment) for part, segment in zip(parts, segments, strict=True))


def resource_matches(pattern: Template, resource: str) -> bool:
    """Resources are case-sensitive; `*` alone matches everything."""
    return arn_matches(pattern, resource)


class PrincipalMatch(StrEnum):
    """How a Principal element matched the caller (or that it did not)."""

    NOT_APPLICABLE = auto()
    EXACT = auto()
    ROLE = auto()
    ACCOUNT = auto()
    WILDCARD = auto()
    NONE = auto()


def principal_value_match(value: PrincipalValue, principal: Principal | None) -> PrincipalMatch:
    """Compare one Principal value with the caller.

    `"*"` matches everyone (anonymous too); an account id or `:root` ARN matches every
    principal of that account; a role ARN or `AROA...` id matches the role and its sessions;
    other values match exactly. No partial wildcards.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if value.is_wildcard:
        return PrincipalMatch.WILDCARD
    if principal is None or principal.kind != value.kind:
        return PrincipalMatch.NONE
    if value.kind != PrincipalKind.AWS:
        return PrincipalMatch.EXACT if value.value == principal.arn else PrincipalMatch.NONE
    if principal_value_is_account(value.value):
        same = principal_value_account(value.value) == principal.account
        return PrincipalMatch.ACCOUNT if same else PrincipalMatch.NONE
    if value.value in (principal.role_arn, _role_id(principal)):
        return PrincipalMatch.ROLE
    if value.value == principal.arn or value.value == principal.unique_id:
        return PrincipalMatch.EXACT
    return PrincipalMatch.NONE


def not_principal_exempts(values: tuple[PrincipalValue, ...], principal: Principal | None) -> bool:
    """True when a NotPrincipal list names every identity AWS may check for the caller.

    AWS may check the account first, then the role, then the role session or user, so a Deny
    with NotPrincipal spares the caller only when each of them is listed: naming a user without
    its account spares nobody, and naming an account does not spare its users.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    found = {principal_value_match(value, principal) for value in values}
    if PrincipalMatch.WILDCARD in found:
        return True
    if principal is None:
        return False
    if principal.kind != PrincipalKind.AWS:
        return PrincipalMatch.EXACT in found
    needed = {PrincipalMatch.ACCOUNT} if principal.account else set()
    if principal.role_arn:
        needed.add(PrincipalMatch.ROLE)
    if not principal.is_root_user and principal.arn != principal.role_arn:
        needed.add(PrincipalMatch.EXACT)
    return bool(needed) and needed <= found


def _role_id(principal: Principal) -> str | None:
    if not principal.unique_id:
        return None
    unique_id = principal.unique_id.split(":")[0]
    return unique_id if _ROLE_ID.match(unique_id) else None


@lru_cache(maxsize=4096)
def principal_value_is_account(value: str) -> bool:
    """True for `"123456789012"` and `"arn:aws:iam::123456789012:root"`."""
    return bool(_ACCOUNT_ID.match(value) or _ROOT_ARN.match(value))


@lru_cache(maxsize=4096)
def principal_value_account(value: str) -> str | None:
    """The account an `AWS` principal value belongs to, when it names one."""
    if _ACCOUNT_ID.match(value):
        return value
    return arn_account(value)
