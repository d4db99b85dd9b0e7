"""AssumeRoleWithWebIdentity through the `/aws/` endpoint, unsigned as AWS serves it, with ID tokens of the training
IdP playing GitHub Actions, Google, Amazon Cognito and its own OIDC issuer.

Rules cited as "ref 4.2" are sections of /work/shared/reference/aws-iam-sts.md.
"""
from __future__ import annotations

import base64
import json

import botocore
import jwt
import pytest
from botocore.exceptions import ClientError

from sandbox.federation import issue, services
from sandbox.federation.issuers import Issuer, training_issuer_base
from sandbox.federation.oidc_idp import TokenRequest
from sandbox.learners import learner_create
from sandbox.models import IdentityProvider
from sandbox.sts import assume_role_web_identity, web_identity_token
from tests.sts.conftest import Keys, allow, error
from tests.sts.test_aws_cli import run_aws

pytestmark = pytest.mark.django_db(transaction=True)

GITHUB = "token.actions.githubusercontent.com"
REPOSITORY = "acme-shop/storefront"
MAIN = f"repo:{REPOSITORY}:ref:refs/heads/main"
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def web_trust(principal: str, condition: dict, actions: str | list[str] = "sts:AssumeRoleWithWebIdentity") -> dict:
    return {"Effect": "Allow", "Principal": {"Federated": principal}, "Action": actions, "Condition": condition}


class Pipeline:
    """The learner's account set up for GitHub Actions: the IAM OIDC provider and a deploy role for main."""

    def __init__(self, world) -> None:
        self.world = world
        self.sandbox = world.sandbox()
        self.provider_arn = world.iam.create_open_id_connect_provider(
            Url=f"https://{GITHUB}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMBPRINT]
        )["OpenIDConnectProviderArn"]
        self.role_arn = world.role("GitHubDeployRole", web_trust(self.provider_arn, {"StringEquals": {
            f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": MAIN}}), inline=(allow("iam:ListRoles"),))

    def token(self, issuer: Issuer = Issuer.GITHUB, sandbox=None, **fields) -> str:
        return issue.id_token_issue(sandbox=sandbox or self.sandbox, request=TokenRequest(issuer=issuer, **fields))

    def github(self, **fields) -> str:
        return self.token(repository=REPOSITORY, **fields)

    def assume(self, token: str | None = None, role_arn: str | None = None, **params) -> dict:
        sts = self.world.client("sts", Keys("unused", "unused"), signature_version=botocore.UNSIGNED)
        return sts.assume_role_with_web_identity(
            RoleArn=role_arn or self.role_arn, RoleSessionName=params.pop("RoleSessionName", "deploy"),
            WebIdentityToken=token or self.github(), **params,
        )


@pytest.fixture
def pipeline(world) -> Pipeline:
    return Pipeline(world)


def refused(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return error(raised)


def with_claims(token: str, **claims) -> str:
    """The token with its payload changed and its signature kept (what a forger would try)."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


class GitHubActionsTests:
    def test_a_main_branch_token_gets_a_session_of_the_role(self, world, pipeline):
        answer = pipeline.assume()
        assert answer["AssumedRoleUser"]["Arn"] == world.session_arn("GitHubDeployRole", "deploy")

    def test_the_answer_names_subject_provider_and_audience(self, world, pipeline):
        """Ref 4.2: SubjectFromWebIdentityToken is `sub`, Audience the client id, Provider the IAM provider."""
        answer = pipeline.assume()
        assert (answer["SubjectFromWebIdentityToken"], answer["Audience"], answer["Provider"]) == (
            MAIN, "sts.amazonaws.com", pipeline.provider_arn)

    def test_a_feature_branch_token_is_refused_by_the_sub_condition(self, pipeline):
        token = pipeline.github(ref="refs/heads/feature/x")
        assert refused(lambda: pipeline.assume(token)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_a_pull_request_token_is_refused_by_the_sub_condition(self, pipeline):
        token = pipeline.github(event="pull_request")
        assert refused(lambda: pipeline.assume(token)) == ("AccessDenied", NOT_AUTHORIZED)

    def test_a_wildcard_sub_condition_lets_every_branch_in(self, world, pipeline):
        role = world.role("AnyBranch", web_trust(pipeline.provider_arn, {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:sub": f"repo:{REPOSITORY}:*"}}))
        token = pipeline.github(ref="refs/heads/feature/x")
        assert pipeline.assume(token, role_arn=role)["SubjectFromWebIdentityToken"].endswith("feature/x")

    def test_the_credentials_act_as_the_role_and_are_limited_by_its_policies(self, world, pipeline):
        keys = Keys.of(pipeline.assume())
        assert world.client("sts", keys).get_caller_identity()["Arn"] == world.session_arn(
            "GitHubDeployRole", "deploy")
        iam = world.client("iam", keys)
        assert iam.list_roles()["Roles"]
        with pytest.raises(ClientError) as raised:
            iam.list_users()
        assert error(raised)[0] == "AccessDenied"


class TokenCheckTests:
    def test_a_claim_changed_after_signing_is_refused(self, pipeline):
        forged = with_claims(pipeline.github(), sub="repo:evil/storefront:ref:refs/heads/main")
        code, message = refused(lambda: pipeline.assume(forged))
        assert (code, message) == ("InvalidIdentityToken", web_identity_token.SIGNATURE_INVALID)

    def test_another_learners_github_token_does_not_verify_here(self, live_server, pipeline):
        """Each sandbox's IdP signs GitHub's tokens with its own key: the `iss` alone proves nothing."""
        other = learner_create(username="dave")
        from sandbox.models import Sandbox

        token = pipeline.token(sandbox=Sandbox.objects.get(owner__username=other.username), repository=REPOSITORY)
        code, message = refused(lambda: pipeline.assume(token))
        assert (code, message) == ("InvalidIdentityToken", web_identity_token.SIGNATURE_INVALID)

    def test_a_token_for_another_audience_is_refused(self, pipeline):
        """Ref 4.2: the audience must be one of the provider's client ids: `Incorrect token audience`."""
        token = pipeline.github(audience="https://github.com/acme-shop")
        assert refused(lambda: pipeline.assume(token)) == ("InvalidIdentityToken", "Incorrect token audience")

    def test_an_expired_token_is_refused_on_the_sandbox_clock(self, world, pipeline):
        """Ref 1.6: `Token expired: current date/time N must be before the expiration date/timeM` (sic)."""
        token = pipeline.github()
        world.advance(301)
        code, message = refused(lambda: pipeline.assume(token))
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        assert code == "ExpiredTokenException"
        assert message.startswith("Token expired: current date/time ")
        assert message.endswith(f" must be before the expiration date/time{expires}")

    def test_an_issuer_without_an_iam_provider_is_refused(self, world, pipeline):
        """Ref 4.2: `No OpenIDConnect provider found in your account for <issuer>`."""
        token = pipeline.token(Issuer.TRAINING, user=services.directory_user_create(sandbox=pipeline.sandbox,
                                                                                     name="alice"))
        issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
        code, message = refused(lambda: pipeline.assume(token))
        assert (code, message) == (
            "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")

    def test_a_deleted_provider_no_longer_lets_tokens_in(self, world, pipeline):
        world.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=pipeline.provider_arn)
        code, message = refused(pipeline.assume)
        assert (code, message) == (
            "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for https://{GITHUB}")

    def test_something_that_is_not_a_jwt_is_refused(self, pipeline):
        code, message = refused(lambda: pipeline.assume("not-a-token"))
        assert (code, message) == ("InvalidIdentityToken", web_identity_token.NOT_A_JWT)

    def test_an_issuer_the_training_idp_does_not_play_cannot_be_verified(self, world, pipeline):
        """The sandbox never fetches keys from the internet: like an unreachable issuer on AWS."""
        world.iam.create_open_id_connect_provider(
            Url="https://login.example.com", ClientIDList=["app"], ThumbprintList=[THUMBPRINT])
        forged = with_claims(pipeline.github(), iss="https://login.example.com", aud="app")
        code, message = refused(lambda: pipeline.assume(forged))
        assert (code, message) == ("InvalidIdentityToken", web_identity_token.KEY_UNAVAILABLE)


class TrainingIssuerTests:
    @pytest.fixture
    def portal(self, world, pipeline):
        provider = services.identity_provider_get_or_create(sandbox=pipeline.sandbox)
        issuer = f"{training_issuer_base()}/{provider.key}"
        host = issuer.removeprefix("https://")
        arn = world.iam.create_open_id_connect_provider(
            Url=issuer, ClientIDList=["training-portal"], ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]
        return host, arn

    def test_the_session_tags_of_the_token_need_sts_tag_session(self, world, pipeline, portal):
        """Ref 2.3 / 2.5: tags from the `https://aws.amazon.com/tags` claim need sts:TagSession."""
        host, arn = portal
        role = world.role("Portal", web_trust(arn, {"StringEquals": {f"{host}:aud": "training-portal"}}))
        tina = services.directory_user_create(sandbox=pipeline.sandbox, name="tina", session_tags={"Team": "blue"})
        token = pipeline.token(Issuer.TRAINING, user=tina)
        code, message = refused(lambda: pipeline.assume(token, role_arn=role))
        assert (code, message) == ("AccessDenied", "Not authorized to perform sts:TagSession")

    def test_tags_with_sts_tag_session_reach_the_session(self, world, pipeline, portal):
        host, arn = portal
        role = world.role("Portal", web_trust(arn, {"StringEquals": {f"{host}:aud": "training-portal"}},
                                              ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
                          inline=(allow("iam:ListUsers", condition={
                              "StringEquals": {"aws:PrincipalTag/Team": "blue"}}),))
        tina = services.directory_user_create(sandbox=pipeline.sandbox, name="tina", session_tags={"Team": "blue"},
                                              transitive_tag_keys=["Team"])
        answer = pipeline.assume(pipeline.token(Issuer.TRAINING, user=tina), role_arn=role)
        assert "Users" in world.client("iam", Keys.of(answer)).list_users()
        [record] = world.events("AssumeRoleWithWebIdentity")
        assert (record["requestParameters"]["principalTags"], record["requestParameters"]["transitiveTagKeys"]) == (
            {"Team": "blue"}, ["Team"])


    def test_a_tag_with_two_values_is_refused(self, world, pipeline, portal):
        """Ref 2.2: one value per tag; multi-valued session tags are not supported."""
        host, arn = portal
        role = world.role("Portal", web_trust(arn, {"StringEquals": {f"{host}:aud": "training-portal"}},
                                              ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]))
        tina = services.directory_user_create(sandbox=pipeline.sandbox, name="tina")
        claims = jwt.decode(pipeline.token(Issuer.TRAINING, user=tina), options={"verify_signature": False})
        claims["https://aws.amazon.com/tags"] = {"principal_tags": {"Team": ["blue", "red"]}}
        key = services.signing_key_get_or_create(
            provider=IdentityProvider.objects.get(sandbox=pipeline.sandbox), issuer=Issuer.TRAINING)
        token = jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})
        code, message = refused(lambda: pipeline.assume(token, role_arn=role))
        assert (code, message) == ("InvalidIdentityToken", assume_role_web_identity.TAGS_CLAIM_INVALID)


class BuiltInProviderTests:
    def test_google_needs_no_iam_provider_and_is_named_by_host(self, world, pipeline):
        """Ref 5.2: `"Federated": "accounts.google.com"` with `accounts.google.com:aud`."""
        app = "training-app.apps.googleusercontent.com"
        role = world.role("GoogleUsers", web_trust("accounts.google.com", {
            "StringEquals": {"accounts.google.com:aud": app}}))
        alice = services.directory_user_create(sandbox=pipeline.sandbox, name="alice", email="alice@corp.example")
        answer = pipeline.assume(pipeline.token(Issuer.GOOGLE, user=alice), role_arn=role)
        assert (answer["Provider"], answer["Audience"]) == ("accounts.google.com", app)

    def test_google_for_another_app_is_refused(self, world, pipeline):
        role = world.role("GoogleUsers", web_trust("accounts.google.com", {
            "StringEquals": {"accounts.google.com:aud": "mine.apps.googleusercontent.com"}}))
        alice = services.directory_user_create(sandbox=pipeline.sandbox, name="alice")
        token = pipeline.token(Issuer.GOOGLE, user=alice)
        assert refused(lambda: pipeline.assume(token, role_arn=role)) == ("AccessDenied", NOT_AUTHORIZED)

    @pytest.mark.parametrize(("authenticated", "allowed"), [(True, True), (False, False)])
    def test_cognito_amr_tells_authenticated_identities_apart(self, world, pipeline, authenticated, allowed):
        """Ref 4.2: `cognito-identity.amazonaws.com:amr` is multivalued: test it with ForAnyValue."""
        cognito = "cognito-identity.amazonaws.com"
        pool = "us-east-1:00000000-0000-4000-8000-000000000000"
        role = world.role("CognitoUsers", web_trust(cognito, {
            "StringEquals": {f"{cognito}:aud": pool},
            "ForAnyValue:StringLike": {f"{cognito}:amr": "authenticated"}}))
        alice = services.directory_user_create(sandbox=pipeline.sandbox, name="alice")
        token = pipeline.token(Issuer.COGNITO, user=alice, authenticated=authenticated)
        if allowed:
            assert pipeline.assume(token, role_arn=role)["Provider"] == cognito
        else:
            assert refused(lambda: pipeline.assume(token, role_arn=role)) == ("AccessDenied", NOT_AUTHORIZED)


class EventTests:
    def test_the_call_is_recorded_as_a_web_identity_user(self, world, pipeline):
        """Ref 8.5: userIdentity WebIdentityUser, principalId `<provider>:<audience>:<sub>`."""
        pipeline.assume()
        [record] = world.events("AssumeRoleWithWebIdentity")
        assert record["userIdentity"] == {
            "type": "WebIdentityUser", "principalId": f"{pipeline.provider_arn}:sts.amazonaws.com:{MAIN}",
            "userName": MAIN, "identityProvider": pipeline.provider_arn,
        }
        assert record["responseElements"]["subjectFromWebIdentityToken"] == MAIN

    def test_a_refused_call_is_recorded_with_its_error(self, world, pipeline):
        with pytest.raises(ClientError):
            pipeline.assume(pipeline.github(ref="refs/heads/dev"))
        [record] = world.events("AssumeRoleWithWebIdentity")
        assert (record["errorCode"], record["errorMessage"]) == ("AccessDenied", NOT_AUTHORIZED)

    def test_the_token_is_never_logged(self, world, pipeline):
        token = pipeline.github()
        pipeline.assume(token)
        [record] = world.events("AssumeRoleWithWebIdentity")
        assert token.split(".")[2] not in json.dumps(record)


def test_the_aws_cli_assumes_the_role_with_a_token_file(tmp_path, live_server, world, pipeline):
    """`aws sts assume-role-with-web-identity` sends no signature; no credentials are configured."""
    (tmp_path / "token").write_text(pipeline.github())
    done = run_aws(tmp_path, f"{live_server.url}/aws", "sts", "assume-role-with-web-identity", "--role-arn",
                   pipeline.role_arn, "--role-session-name", "ci",
                   "--web-identity-token", f"file://{tmp_path / 'token'}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["AssumedRoleUser"]["Arn"] == world.session_arn("GitHubDeployRole", "ci")
