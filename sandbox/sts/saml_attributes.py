"""SAML attributes AWS maps to trust-policy keys: eduPerson/eduOrg, Active Directory and X.500 (`saml:<name>`).

A name maps to `(key, multivalued)`: list-typed keys keep every value (test them with `ForAnyValue`/`ForAllValues`),
string-typed ones the first value.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html#saml-attribute-mapping
"""
from __future__ import annotations

_EDU = "urn:oid:1.3.6.1.4.1.5923.1."
_LISTS = {
    _EDU + "1.1.1": "edupersonaffiliation", _EDU + "1.1.2": "edupersonnickname", _EDU + "1.1.4": "edupersonorgunitdn",
    _EDU + "1.1.7": "edupersonentitlement", _EDU + "1.1.9": "edupersonscopedaffiliation",
    _EDU + "1.1.10": "edupersontargetedid", _EDU + "1.1.11": "edupersonassurance", _EDU + "2.1.2": "eduorghomepageuri",
    _EDU + "2.1.3": "eduorgidentityauthnpolicyuri", _EDU + "2.1.4": "eduorglegalname",
    _EDU + "2.1.5": "eduorgsuperioruri", _EDU + "2.1.6": "eduorgwhitepagesuri", "urn:oid:2.5.4.3": "cn",
}
_STRINGS = {
    _EDU + "1.1.3": "edupersonorgdn", _EDU + "1.1.5": "edupersonprimaryaffiliation",
    _EDU + "1.1.6": "edupersonprincipalname", _EDU + "1.1.8": "edupersonprimaryorgunitdn",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "name",
    "http://schemas.xmlsoap.org/claims/CommonName": "commonName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "givenName",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "surname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "mail",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": "uid",
    "2.5.4.3": "commonName", "2.5.4.4": "surname", "2.4.5.42": "givenName", "2.5.4.45": "x500UniqueIdentifier",
    "0.9.2342.19200300100.1.1": "uid", "0.9.2342.19200300100.1.3": "mail",
    "0.9.2342.19200300.100.1.45": "organizationStatus",
}
SAML_KEY_ATTRIBUTES: dict[str, tuple[str, bool]] = {
    **{name: (f"saml:{key}", True) for name, key in _LISTS.items()},
    **{name: (f"saml:{key}", False) for name, key in _STRINGS.items()},
}
