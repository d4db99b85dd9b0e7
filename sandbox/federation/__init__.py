"""The training identity provider: a learner's corporate directory, SAML 2.0 IdP and OIDC issuers, offline.

Signing uses maintained libraries only: `cryptography` for keys and certificates, `signxml` for XML signatures and
`PyJWT` for ID tokens.
"""
