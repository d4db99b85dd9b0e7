"""The Principal and NotPrincipal elements: where they are allowed and what values are valid."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iam import errors
from iam.errors import PolicySyntaxError
from iam.jsonpos import child_path
from iam.model import PolicyKind, PrincipalKind, PrincipalValue

_PARTITION = r"arn:aws(?:-[a-z]+)*"
_NAME = r"[\w+=,.@-]+"
_VALID_VALUES: Mapping[PrincipalKind, re.Pattern[str]] = {
    PrincipalKind.AWS: re.compile(
        "|".join(
            (
                r"\*",
                r"\d{12}",
                rf"{_PARTITION}:iam::\d{{12}}:root",
                rf"{_PARTITION}:iam::\d{{12}}:(?:user|role)/(?:{_NAME}/)*{_NAME}",
                rf"{_PARTITION}:sts::\d{{12}}:assumed-role/{_NAME}/{_NAME}",
                rf"{_PARTITION}:sts::\d{{12}}:federated-user/{_NAME}",
                r"A(?:ROA|IDA)[A-Z0-9]{12,}",
            )
        )
    ),
    PrincipalKind.SERVICE: re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?"),
    PrincipalKind.FEDERATED: re.compile(
        rf"{_PARTITION}:iam::\d{{12}}:(?:saml-provider|oidc-provider)/\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    ),
    PrincipalKind.CANONICAL_USER: re.compile(r"[0-9a-f]{64}"),
}
_NO_PRINCIPAL = (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP)


def parse_principals(
    raw: Mapping[str, Any], *, path: str, kind: PolicyKind
) -> tuple[tuple[PrincipalValue, ...], tuple[PrincipalValue, ...]]:
    """Return `(principals, not_principals)` of one statement.

    Identity-based policies, boundaries, session policies and SCPs must not name a principal;
    trust and resource-based policies must; trust policies cannot use NotPrincipal.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    for element in ("Principal", "NotPrincipal"):
        if element in raw and kind in _NO_PRINCIPAL:
            raise PolicySyntaxError(errors.PRINCIPAL_NOT_ALLOWED, path=child_path(path, element))
    if "NotPrincipal" in raw and kind is PolicyKind.TRUST:
        message = errors.PROHIBITED_FIELD.format(field="NotPrincipal")
        raise PolicySyntaxError(message, path=child_path(path, "NotPrincipal"))
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=child_path(path, "NotPrincipal"))
    if kind in _NO_PRINCIPAL:
        return (), ()
    if "NotPrincipal" in raw:
        return (), parse_principal_element(raw["NotPrincipal"], path=child_path(path, "NotPrincipal"))
    if "Principal" not in raw:
        raise PolicySyntaxError(errors.MISSING_FIELD.format(field="Principal"), path=path)
    return parse_principal_element(raw["Principal"], path=child_path(path, "Principal")), ()


def parse_principal_element(value: Any, *, path: str) -> tuple[PrincipalValue, ...]:
    """`"*"`, or an object of `AWS`/`Service`/`Federated`/`CanonicalUser` to a string or list.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if value == "*":
        return (PrincipalValue(PrincipalKind.AWS, "*"),)
    if not isinstance(value, dict) or not value:
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=path)
    parsed: list[PrincipalValue] = []
    for key, item in value.items():
        key_path = child_path(path, key)
        try:
            kind = PrincipalKind(key)
        except ValueError:
            raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=key_path) from None
        items = [(key_path, item)] if isinstance(item, str) else _list_items(item, key_path)
        for item_path, text in items:
            if not isinstance(text, str) or not _VALID_VALUES[kind].fullmatch(text):
                message = errors.INVALID_PRINCIPAL.format(kind=key.upper(), value=text)
                raise PolicySyntaxError(message, path=item_path)
            parsed.append(PrincipalValue(kind, text))
    return tuple(parsed)


def _list_items(item: Any, path: str) -> list[tuple[str, Any]]:
    if not isinstance(item, list) or not item:
        raise PolicySyntaxError(errors.SYNTAX_ERRORS, path=path)
    return [(child_path(path, index), text) for index, text in enumerate(item)]
