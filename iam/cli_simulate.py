"""`python -m iam simulate`: evaluate JSON Lines requests from stdin, one JSON line per request on stdout.

Each non-blank input line is one request, a JSON object:

- `id` (string, required): echoed in the response.
- `principal` (string, required; null for an anonymous caller): the caller. Its kind is inferred:
  an `arn:` value is `AWS`, except SAML and OIDC provider ARNs (`:saml-provider/`, `:oidc-provider/`),
  which are `Federated`; a 12-digit account id is `AWS`; `accounts.google.com`, `graph.facebook.com`,
  `www.amazon.com` and `cognito-identity.amazonaws.com` are `Federated` (Cognito is an identity
  provider, not a service); any other `*.amazonaws.com` (or `.amazonaws.com.cn`) name is `Service`;
  64 hexadecimal digits are a `CanonicalUser`. Anything else is an error.
- `action`, `resource` (strings, required): `resource` is an ARN or `*`.
- `resource_account` (12-digit string or null): the resource's account when its ARN has none.
- `identity_policies` (list of documents), `boundary`, `session_policy`, `resource_policy` (a
  document or null), `scps` (null when not in an organization, else a list of levels from the
  root down, each a list of documents; `[]` is the same as null). For a trust action
  (`sts:AssumeRole*`, `sts:TagSession`, `sts:SetSourceIdentity`) `resource_policy` is the role's
  trust policy and is parsed as one.
- `context` (object, default `{}`): condition key -> string or list of strings. It is complete:
  nothing is derived from the principal (no `aws:PrincipalArn`, `aws:PrincipalAccount`...), so a
  key not given is absent. An empty list counts as absent.

Missing optional fields take the defaults above; unknown extra fields are ignored. A document is a
JSON object or a JSON string holding the policy text; an object is re-encoded compactly, and that
text is what size limits count. Policies are named `identity[<n>]`, `boundary`, `session`,
`resource` and `scp[<level>][<n>]`, and parsed in that order.

Each request gives one line, in input order: `{"id", "decision", "reasons", "explanation"}`, where
`decision` is `allow`, `explicit_deny` or `implicit_deny`, `reasons` the deciding statements as
`<policy-name>#<Sid or index>` and `explanation` the `explain()` lines joined with `; `. A request
that cannot be evaluated gives `{"id", "error"}` (`id` null when the line is not a JSON object or
has no string `id`); a policy AWS would reject gives `<policy name>: <AWS message> at <JSON path>`.
Blank lines give nothing. Input is read as a stream and output flushed after each batch of lines
that arrived together, so the command works in a pipe. Parsed policies are cached by document
text, policy name and kind in a bounded LRU, because streams repeat the same policies.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Protocol, TypedDict, cast

from iam.context import Context
from iam.engine import evaluate
from iam.errors import PolicySyntaxError
from iam.explain import explain
from iam.model import Policy, PolicyInputs, PolicyKind, Principal, PrincipalKind, Request
from iam.parse import parse_policy
from iam.trust import TRUST_REQUEST_ACTIONS

POLICY_CACHE_SIZE = 1024
"""Parsed policies kept by `PolicyCache` (distinct document, name and kind)."""

READ_SIZE = 1 << 16

FEDERATED_NAMES = frozenset(
    ("accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com")
)
"""Web identity providers named by domain; every other `*.amazonaws.com` name is a service."""

_REQUIRED_FIELDS = ("principal", "action", "resource")
_ACCOUNT_ID = re.compile(r"\d{12}\Z")
_CANONICAL_USER = re.compile(r"[0-9a-f]{64}\Z")
_SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class SimulateResponse(TypedDict):
    """The answer to one request."""

    id: str
    decision: str
    reasons: list[str]
    explanation: str


class SimulateError(TypedDict):
    """A line that could not be evaluated."""

    id: str | None
    error: str


class RequestError(ValueError):
    """A request that cannot be evaluated; the message becomes the response's `error`."""


class BinaryReader(Protocol):
    """A binary stream read without waiting for a full buffer (`sys.stdin.buffer`, `io.BytesIO`)."""

    def read1(self, size: int = ..., /) -> bytes: ...


class BinaryWriter(Protocol):
    """A binary stream that can be flushed (`sys.stdout.buffer`, `io.BytesIO`)."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class PolicyCache:
    """Parsed policies by document text, name and kind: an LRU of `maxsize` entries.

    Documents AWS would reject are cached too, as their `PolicySyntaxError`.
    """

    def __init__(self, maxsize: int = POLICY_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[str, str, PolicyKind], Policy | PolicySyntaxError] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def parse(self, document: object, *, name: str, kind: PolicyKind) -> Policy:
        """The parsed policy; raises `RequestError` naming the policy if AWS would reject it."""
        key = (document if isinstance(document, str) else _ENCODER.encode(document), name, kind)
        entry = self._entries.get(key)
        if entry is None:
            entry = _parse(*key)
            self._entries[key] = entry
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        if isinstance(entry, PolicySyntaxError):
            raise RequestError(f"{name}: {entry.message} at {entry.path}")
        return entry


def _parse(text: str, name: str, kind: PolicyKind) -> Policy | PolicySyntaxError:
    try:
        return parse_policy(text, name=name, kind=kind)
    except PolicySyntaxError as error:
        return error


def main() -> int:
    """Run the command on stdin and stdout; returns the exit status."""
    try:
        # The standard streams' `buffer` is a BufferedReader/Writer, which has `read1`.
        run(cast(BinaryReader, sys.stdin.buffer), sys.stdout.buffer)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def run(source: BinaryReader, sink: BinaryWriter, *, cache: PolicyCache | None = None) -> None:
    """Answer every request line of `source` on `sink`, flushing after each batch of lines."""
    cache = PolicyCache() if cache is None else cache
    number = 0
    for lines in read_batches(source):
        out: list[bytes] = []
        for line in lines:
            number += 1
            response = simulate_line(line, cache=cache, number=number)
            if response is not None:
                out.append(json.dumps(response).encode() + b"\n")
        sink.write(b"".join(out))
        sink.flush()


def read_batches(source: BinaryReader) -> Iterator[list[bytes]]:
    """The complete lines available each time `source` returns data; the last one may lack a newline."""
    parts: list[bytes] = []
    while chunk := source.read1(READ_SIZE):
        if b"\n" not in chunk:
            parts.append(chunk)
            continue
        lines = b"".join((*parts, chunk)).split(b"\n")
        parts = [lines.pop()]
        yield lines
    tail = b"".join(parts)
    if tail:
        yield [tail]


def simulate_line(line: bytes | str, *, cache: PolicyCache, number: int = 1) -> SimulateResponse | SimulateError | None:
    """The response to one input line (`number` counts from 1), or None for a blank line."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return {"id": None, "error": f"line {number} is not valid JSON"}
    if not isinstance(data, dict):
        return {"id": None, "error": f"line {number} is not a JSON object"}
    request_id = data.get("id")
    if not isinstance(request_id, str):
        return {"id": None, "error": "`id` must be a string" if "id" in data else "missing field `id`"}
    try:
        return simulate(data, request_id=request_id, cache=cache)
    except RequestError as error:
        return {"id": request_id, "error": str(error)}
    except Exception as error:  # one bad line must not end the stream, whatever went wrong
        return {"id": request_id, "error": f"the request could not be evaluated: {error}"}


def simulate(data: Mapping[str, Any], *, request_id: str, cache: PolicyCache) -> SimulateResponse:
    """Evaluate one decoded request, taking its context as complete."""
    request, policies = build_simulation(data, cache=cache)
    evaluation = evaluate(request, policies, derive_principal_keys=False)
    return {
        "id": request_id,
        "decision": evaluation.decision.value,
        "reasons": [str(ref) for ref in evaluation.reasons],
        "explanation": "; ".join(explain(evaluation)),
    }


def build_simulation(data: Mapping[str, Any], *, cache: PolicyCache) -> tuple[Request, PolicyInputs]:
    """The engine's request and policies for one decoded request line; raises `RequestError`."""
    missing = [field for field in _REQUIRED_FIELDS if field not in data]
    if missing:
        raise RequestError(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(f'`{f}`' for f in missing)}")
    action = _required_string(data, "action")
    request = Request(
        action=action,
        resource=_required_string(data, "resource"),
        principal=_principal(data),
        context=_context(data.get("context")),
        resource_account=_resource_account(data.get("resource_account")),
    )
    return request, _policies(data, action=action, cache=cache)


def _required_string(data: Mapping[str, Any], field: str) -> str:
    value = data[field]
    if not isinstance(value, str):
        raise RequestError(f"`{field}` must be a string")
    return value


def _principal(data: Mapping[str, Any]) -> Principal | None:
    value = data["principal"]
    if value is None:
        return None
    if not isinstance(value, str):
        raise RequestError("`principal` must be a string or null")
    return principal_of(value)


@lru_cache(maxsize=1024)
def principal_of(value: str) -> Principal:
    """The caller named by `value`, of the kind the module docstring describes (cached: streams repeat callers)."""
    if value.startswith("arn:"):
        federated = ":saml-provider/" in value or ":oidc-provider/" in value
        return Principal.federated(value) if federated else Principal.aws(value)
    if _ACCOUNT_ID.match(value):
        return Principal.aws(value)
    if value in FEDERATED_NAMES:
        return Principal.federated(value)
    if value.endswith(_SERVICE_SUFFIXES):
        return Principal.service(value)
    if _CANONICAL_USER.match(value):
        return Principal(kind=PrincipalKind.CANONICAL_USER, arn=value)
    raise RequestError(f"cannot tell what kind of principal `{value}` is")


def _resource_account(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _ACCOUNT_ID.match(value):
        raise RequestError("`resource_account` must be a 12-digit account id or null")
    return value


def _context(value: object) -> Context:
    if value is None:
        return Context()
    if not isinstance(value, dict):
        raise RequestError("`context` must be an object")
    entries = [
        (key, (values,) if isinstance(values, str) else _context_list(key, values)) for key, values in value.items()
    ]
    return Context(tuple(entries))


def _context_list(key: str, values: object) -> tuple[str, ...]:
    if isinstance(values, list) and all(isinstance(item, str) for item in values):
        return tuple(values)
    raise RequestError(f"`context` value of `{key}` must be a string or a list of strings")


def _policies(data: Mapping[str, Any], *, action: str, cache: PolicyCache) -> PolicyInputs:
    documents = data.get("identity_policies")
    if documents is not None and not isinstance(documents, list):
        raise RequestError("`identity_policies` must be a list of documents")
    identity = tuple(
        cache.parse(document, name=f"identity[{index}]", kind=PolicyKind.IDENTITY)
        for index, document in enumerate(documents or ())
    )
    boundary = _optional(data.get("boundary"), name="boundary", kind=PolicyKind.BOUNDARY, cache=cache)
    session = _optional(data.get("session_policy"), name="session", kind=PolicyKind.SESSION, cache=cache)
    resource_kind = PolicyKind.TRUST if action.lower() in TRUST_REQUEST_ACTIONS else PolicyKind.RESOURCE
    resource = _optional(data.get("resource_policy"), name="resource", kind=resource_kind, cache=cache)
    return PolicyInputs(
        identity=identity,
        boundary=boundary,
        session=(session,) if session else (),
        resource=resource,
        scps=_scps(data.get("scps"), cache=cache),
    )


def _optional(document: object, *, name: str, kind: PolicyKind, cache: PolicyCache) -> Policy | None:
    return None if document is None else cache.parse(document, name=name, kind=kind)


def _scps(value: object, *, cache: PolicyCache) -> tuple[tuple[Policy, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(level, list) for level in value):
        raise RequestError("`scps` must be null or a list of levels, each a list of documents")
    return tuple(
        tuple(
            cache.parse(document, name=f"scp[{number}][{index}]", kind=PolicyKind.SCP)
            for index, document in enumerate(level)
        )
        for number, level in enumerate(value)
    )
