"""IAM as AWS answers it where moto does not: identity providers, console passwords, tags, trust policy principals."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.endpoint import iam_login_profiles, iam_providers
from sandbox.models import Event
from sandbox.moto_store import account_reader
from tests.sandbox.conftest import aws_client
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.django_db(transaction=True)

THUMBPRINT = "a" * 40
STRONG = "Correct-Horse-9"


@pytest.fixture
def iam_client(live_server, carol):
    return aws_client(live_server, "iam", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def account_id(carol):
    return carol.home_account_id


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def saml_metadata(entity_id: str = "https://idp.example.com/saml", size: int = 1200) -> str:
    """A SAML metadata document of `size` characters (IAM wants at least 1000)."""
    head = (
        f'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">'
        '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    )
    tail = "</EntityDescriptor>"
    return head + "<!--" + "x" * (size - len(head) - len(tail) - 7) + "-->" + tail


def trust(principal: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
    })


class OidcClientIdTests:
    @pytest.fixture
    def provider(self, iam_client):
        return iam_client.create_open_id_connect_provider(
            Url="https://token.example.com", ThumbprintList=[THUMBPRINT], ClientIDList=["web"]
        )["OpenIDConnectProviderArn"]

    def _client_ids(self, iam_client, arn):
        return iam_client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"]

    def test_add_client_id_adds_it(self, iam_client, provider):
        iam_client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="cli")
        assert self._client_ids(iam_client, provider) == ["web", "cli"]

    def test_adding_a_client_id_already_there_changes_nothing(self, iam_client, provider):
        iam_client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="web")
        assert self._client_ids(iam_client, provider) == ["web"]

    def test_remove_client_id_removes_it(self, iam_client, provider):
        iam_client.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="web")
        assert self._client_ids(iam_client, provider) == []

    def test_removing_a_client_id_not_there_is_no_error(self, iam_client, provider):
        iam_client.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="x")
        assert self._client_ids(iam_client, provider) == ["web"]

    @pytest.mark.parametrize("call", ["add_client_id_to_open_id_connect_provider",
                                      "remove_client_id_from_open_id_connect_provider"])
    def test_an_unknown_provider_is_no_such_entity(self, iam_client, account_id, call):
        arn = f"arn:aws:iam::{account_id}:oidc-provider/nowhere.example.com"
        with pytest.raises(ClientError) as raised:
            getattr(iam_client, call)(OpenIDConnectProviderArn=arn, ClientID="web")
        assert _error(raised) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)

    def test_the_101st_client_id_is_limit_exceeded(self, iam_client):
        arn = iam_client.create_open_id_connect_provider(
            Url="https://many.example.com", ThumbprintList=[THUMBPRINT], ClientIDList=[f"c{i}" for i in range(100)]
        )["OpenIDConnectProviderArn"]
        with pytest.raises(ClientError) as raised:
            iam_client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c100")
        assert _error(raised) == ("LimitExceeded", iam_providers.CLIENT_ID_QUOTA, 409)
        assert len(self._client_ids(iam_client, arn)) == 100

    def test_a_client_id_over_255_characters_is_a_validation_error(self, iam_client, provider):
        with pytest.raises(ClientError) as raised:
            iam_client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="c" * 256)
        assert _error(raised)[0] == "ValidationError"

    def test_thumbprints_and_tags_can_be_changed(self, iam_client, provider):
        iam_client.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=provider,
                                                              ThumbprintList=["b" * 40])
        iam_client.tag_open_id_connect_provider(OpenIDConnectProviderArn=provider,
                                                Tags=[{"Key": "team", "Value": "web"}])
        answer = iam_client.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
        assert answer["ThumbprintList"] == ["b" * 40]
        assert answer["Tags"] == [{"Key": "team", "Value": "web"}]


class OidcCreateTests:
    def test_an_http_url_is_refused(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.create_open_id_connect_provider(Url="http://token.example.com", ThumbprintList=[THUMBPRINT])
        assert _error(raised) == ("InvalidInput", iam_providers.URL_NOT_HTTPS, 400)
        assert iam_client.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []

    def test_a_url_without_a_scheme_is_a_validation_error(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.create_open_id_connect_provider(Url="token.example.com", ThumbprintList=[THUMBPRINT])
        assert _error(raised) == ("ValidationError", "Invalid Open ID Connect Provider URL", 400)

    def test_a_second_provider_for_the_same_url_is_entity_already_exists(self, iam_client):
        iam_client.create_open_id_connect_provider(Url="https://token.example.com", ThumbprintList=[THUMBPRINT])
        with pytest.raises(ClientError) as raised:
            iam_client.create_open_id_connect_provider(Url="https://token.example.com", ThumbprintList=[THUMBPRINT])
        assert _error(raised) == (
            "EntityAlreadyExists", "Provider with url https://token.example.com already exists.", 409
        )

    def test_a_trailing_slash_names_another_provider(self, iam_client, account_id):
        plain = iam_client.create_open_id_connect_provider(Url="https://token.example.com",
                                                           ThumbprintList=[THUMBPRINT])
        slashed = iam_client.create_open_id_connect_provider(Url="https://token.example.com/",
                                                             ThumbprintList=[THUMBPRINT])
        prefix = f"arn:aws:iam::{account_id}:oidc-provider/"
        assert plain["OpenIDConnectProviderArn"] == prefix + "token.example.com"
        assert slashed["OpenIDConnectProviderArn"] == prefix + "token.example.com/"

    def test_a_policy_on_the_trailing_slash_arn_allows_creating_that_provider(self, live_server, iam_client,
                                                                              account_id):
        iam_client.create_user(UserName="oidc-admin")
        iam_client.put_user_policy(UserName="oidc-admin", PolicyName="one-provider", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:CreateOpenIDConnectProvider",
                           "Resource": f"arn:aws:iam::{account_id}:oidc-provider/token.example.com/"}],
        }))
        key = iam_client.create_access_key(UserName="oidc-admin")["AccessKey"]
        limited = aws_client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
        limited.create_open_id_connect_provider(Url="https://token.example.com/", ThumbprintList=[THUMBPRINT])

    def test_deleting_a_provider_that_is_not_there_is_no_such_entity(self, iam_client, account_id):
        arn = f"arn:aws:iam::{account_id}:oidc-provider/nowhere.example.com"
        with pytest.raises(ClientError) as raised:
            iam_client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        assert _error(raised) == ("NoSuchEntity", f"OpenId connect Provider {arn} cannot be found.", 404)

    def test_deleting_a_provider_twice_fails_the_second_time(self, iam_client):
        arn = iam_client.create_open_id_connect_provider(Url="https://token.example.com",
                                                         ThumbprintList=[THUMBPRINT])["OpenIDConnectProviderArn"]
        iam_client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        with pytest.raises(ClientError) as raised:
            iam_client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        assert _error(raised)[0] == "NoSuchEntity"


class SamlProviderTests:
    def test_a_second_provider_with_the_same_name_is_entity_already_exists(self, iam_client):
        arn = iam_client.create_saml_provider(Name="Okta", SAMLMetadataDocument=saml_metadata())["SAMLProviderArn"]
        with pytest.raises(ClientError) as raised:
            iam_client.create_saml_provider(Name="Okta", SAMLMetadataDocument=saml_metadata("https://other.example"))
        assert _error(raised) == ("EntityAlreadyExists", "Provider with name Okta already exists.", 409)
        kept = iam_client.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"]
        assert kept == saml_metadata()

    def test_the_name_is_compared_without_case(self, iam_client):
        iam_client.create_saml_provider(Name="Okta", SAMLMetadataDocument=saml_metadata())
        with pytest.raises(ClientError) as raised:
            iam_client.create_saml_provider(Name="OKTA", SAMLMetadataDocument=saml_metadata())
        assert _error(raised)[0] == "EntityAlreadyExists"

    def test_deleting_a_provider_that_is_not_there_is_no_such_entity(self, iam_client, account_id):
        arn = f"arn:aws:iam::{account_id}:saml-provider/Ghost"
        with pytest.raises(ClientError) as raised:
            iam_client.delete_saml_provider(SAMLProviderArn=arn)
        assert _error(raised) == ("NoSuchEntity", f"Manifest not found for arn {arn}", 404)

    def test_getting_a_provider_that_is_not_there_uses_awss_words(self, iam_client, account_id):
        arn = f"arn:aws:iam::{account_id}:saml-provider/Ghost"
        with pytest.raises(ClientError) as raised:
            iam_client.get_saml_provider(SAMLProviderArn=arn)
        assert _error(raised) == ("NoSuchEntity", f"Manifest not found for arn {arn}", 404)


class LoginProfileTests:
    @pytest.fixture
    def bob(self, iam_client):
        iam_client.create_user(UserName="bob")
        return "bob"

    def _stored(self, account_id, name="bob"):
        with account_reader(account_id) as backends:
            user = backends.iam.users[name]
            return user.password, user.password_reset_required

    def test_password_reset_required_is_kept(self, iam_client, bob):
        created = iam_client.create_login_profile(UserName=bob, Password=STRONG, PasswordResetRequired=True)
        assert created["LoginProfile"]["PasswordResetRequired"] is True
        assert iam_client.get_login_profile(UserName=bob)["LoginProfile"]["PasswordResetRequired"] is True

    def test_without_password_reset_required_none_is_required(self, iam_client, bob):
        created = iam_client.create_login_profile(UserName=bob, Password=STRONG)
        assert created["LoginProfile"]["PasswordResetRequired"] is False
        assert created["LoginProfile"]["UserName"] == bob

    def test_update_without_a_password_keeps_the_password(self, iam_client, bob, account_id):
        iam_client.create_login_profile(UserName=bob, Password=STRONG)
        iam_client.update_login_profile(UserName=bob, PasswordResetRequired=True)
        assert self._stored(account_id) == (STRONG, True)

    def test_update_without_password_reset_required_keeps_the_flag(self, iam_client, bob, account_id):
        iam_client.create_login_profile(UserName=bob, Password=STRONG, PasswordResetRequired=True)
        iam_client.update_login_profile(UserName=bob, Password="Another-Pass-7")
        assert self._stored(account_id) == ("Another-Pass-7", True)

    @pytest.mark.parametrize(("password", "message"), [
        ("Ab1!", iam_login_profiles.TOO_SHORT.format(length=8)),
        ("alllowercase1", iam_login_profiles.NEEDS_THREE_TYPES),
    ])
    def test_the_default_policy_applies_when_the_account_has_none(self, iam_client, bob, password, message):
        with pytest.raises(ClientError) as raised:
            iam_client.create_login_profile(UserName=bob, Password=password)
        assert _error(raised) == ("PasswordPolicyViolation", message, 400)
        with pytest.raises(ClientError) as missing:
            iam_client.get_login_profile(UserName=bob)
        assert _error(missing) == ("NoSuchEntity", "Login Profile for User bob cannot be found.", 404)

    def test_the_default_policy_takes_three_kinds_of_character(self, iam_client, bob):
        iam_client.create_login_profile(UserName=bob, Password="lowercase-and-1")
        assert iam_client.get_login_profile(UserName=bob)["LoginProfile"]["UserName"] == bob

    def test_the_accounts_policy_applies_when_it_has_one(self, iam_client, bob):
        iam_client.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True)
        with pytest.raises(ClientError) as raised:
            iam_client.create_login_profile(UserName=bob, Password="abcdefghijkl")
        assert _error(raised) == ("PasswordPolicyViolation", iam_login_profiles.NEEDS_SYMBOL, 400)
        iam_client.create_login_profile(UserName=bob, Password="abcdefghijk!")

    def test_update_checks_the_new_password_and_keeps_the_old_one(self, iam_client, bob, account_id):
        iam_client.create_login_profile(UserName=bob, Password=STRONG)
        with pytest.raises(ClientError) as raised:
            iam_client.update_login_profile(UserName=bob, Password="short")
        assert _error(raised)[0] == "PasswordPolicyViolation"
        assert self._stored(account_id)[0] == STRONG

    def test_update_of_a_user_without_a_password_is_no_such_entity(self, iam_client, bob):
        with pytest.raises(ClientError) as raised:
            iam_client.update_login_profile(UserName=bob, PasswordResetRequired=True)
        assert _error(raised) == ("NoSuchEntity", "Login Profile for User bob cannot be found.", 404)

    def test_a_second_login_profile_is_entity_already_exists(self, iam_client, bob):
        iam_client.create_login_profile(UserName=bob, Password=STRONG)
        with pytest.raises(ClientError) as raised:
            iam_client.create_login_profile(UserName=bob, Password=STRONG)
        assert _error(raised) == ("EntityAlreadyExists", "Login Profile for user bob already exists.", 409)

    def test_an_unknown_user_is_no_such_entity(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.create_login_profile(UserName="nobody", Password=STRONG)
        assert _error(raised) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)

    def test_the_password_is_not_recorded_in_the_event(self, iam_client, bob, account_id):
        iam_client.create_login_profile(UserName=bob, Password=STRONG)
        event = Event.objects.get(account__account_id=account_id, event_name="CreateLoginProfile")
        assert event.request_parameters["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"


class TagTests:
    FIFTY = [{"Key": f"k{i:02d}", "Value": "v"} for i in range(50)]

    def test_a_51st_tag_on_a_role_is_limit_exceeded(self, iam_client):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST, Tags=self.FIFTY)
        with pytest.raises(ClientError) as raised:
            iam_client.tag_role(RoleName="app", Tags=[{"Key": "one-more", "Value": "v"}])
        assert _error(raised) == ("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
        assert len(iam_client.list_role_tags(RoleName="app")["Tags"]) == 50

    def test_a_51st_tag_on_a_user_is_limit_exceeded(self, iam_client):
        iam_client.create_user(UserName="bob", Tags=self.FIFTY)
        with pytest.raises(ClientError) as raised:
            iam_client.tag_user(UserName="bob", Tags=[{"Key": "one-more", "Value": "v"}])
        assert _error(raised)[0] == "LimitExceeded"

    def test_replacing_a_tag_of_a_full_role_is_allowed(self, iam_client):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST, Tags=self.FIFTY)
        iam_client.tag_role(RoleName="app", Tags=[{"Key": "K00", "Value": "new"}])
        tags = iam_client.list_role_tags(RoleName="app")["Tags"]
        assert len(tags) == 50
        assert {"Key": "K00", "Value": "new"} in tags

    def test_a_role_tag_key_in_another_case_replaces_the_tag(self, iam_client):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST,
                               Tags=[{"Key": "Team", "Value": "blue"}])
        iam_client.tag_role(RoleName="app", Tags=[{"Key": "team", "Value": "red"}])
        assert iam_client.list_role_tags(RoleName="app")["Tags"] == [{"Key": "team", "Value": "red"}]

    def test_a_user_tag_key_in_another_case_replaces_the_tag(self, iam_client):
        iam_client.create_user(UserName="bob", Tags=[{"Key": "Team", "Value": "blue"}])
        iam_client.tag_user(UserName="bob", Tags=[{"Key": "team", "Value": "red"}])
        assert iam_client.list_user_tags(UserName="bob")["Tags"] == [{"Key": "team", "Value": "red"}]

    def test_one_key_twice_in_a_request_is_invalid_input(self, iam_client):
        iam_client.create_user(UserName="bob")
        with pytest.raises(ClientError) as raised:
            iam_client.tag_user(UserName="bob", Tags=[{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}])
        assert _error(raised)[0] == "InvalidInput"
        assert iam_client.list_user_tags(UserName="bob")["Tags"] == []

    def test_tagging_a_missing_role_is_still_no_such_entity(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.tag_role(RoleName="ghost", Tags=[{"Key": "team", "Value": "a"}])
        assert _error(raised)[0] == "NoSuchEntity"


class SandboxPrincipalTests:
    @pytest.fixture
    def dev_account(self, carol):
        return next(account.account_id for account in carol.accounts if account.alias == "dev")

    def test_a_missing_role_in_another_sandbox_account_is_an_invalid_principal(self, iam_client, dev_account):
        ghost = f"arn:aws:iam::{dev_account}:role/ghost"
        with pytest.raises(ClientError) as raised:
            iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=trust(ghost))
        assert _error(raised) == ("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{ghost}"', 400)

    def test_an_existing_role_in_another_sandbox_account_is_accepted(self, iam_client, dev_account):
        existing = f"arn:aws:iam::{dev_account}:role/OrganizationAccountAccessRole"
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=trust(existing))
        assert iam_client.get_role(RoleName="app")["Role"]["RoleName"] == "app"

    def test_update_assume_role_policy_checks_too(self, iam_client, dev_account):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST)
        ghost = f"arn:aws:iam::{dev_account}:user/ghost"
        with pytest.raises(ClientError) as raised:
            iam_client.update_assume_role_policy(RoleName="app", PolicyDocument=trust(ghost))
        assert _error(raised)[0] == "MalformedPolicyDocument"

    def test_an_account_outside_the_sandbox_is_left_alone(self, iam_client):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=trust("arn:aws:iam::999988887777:role/any"))
        assert iam_client.get_role(RoleName="app")["Role"]["RoleName"] == "app"


class SamlEventTests:
    def test_a_long_metadata_document_is_kept_to_its_first_kilobyte(self):
        document = saml_metadata(size=5000)
        kept = iam_providers.event_parameters({"Name": "Okta", "SAMLMetadataDocument": document})
        assert kept == {"Name": "Okta", "SAMLMetadataDocument": document[:1024] + "…(truncated)"}

    def test_a_short_document_is_kept_whole(self):
        assert iam_providers.event_parameters({"SAMLMetadataDocument": "<x/>"}) == {"SAMLMetadataDocument": "<x/>"}

    def test_the_event_keeps_the_first_kilobyte(self, iam_client, account_id):
        document = saml_metadata(size=5000)
        iam_client.create_saml_provider(Name="Okta", SAMLMetadataDocument=document)
        event = Event.objects.get(account__account_id=account_id, event_name="CreateSAMLProvider")
        assert event.request_parameters["sAMLMetadataDocument"] == document[:1024] + "…(truncated)"


class CallingUserTests:
    """Calls about "the calling user" may leave out UserName: IAM takes the signer's user (moto alone answers a made-up
    `default_user`); credentials that are not a user's must name one.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html"""

    def test_get_user_without_a_name_is_the_caller(self, iam_client, carol):
        user = iam_client.get_user()["User"]
        assert user["Arn"] == carol.iam_user_arn
        assert carol.iam_user_arn.endswith(f":user/{user['UserName']}")

    def test_a_new_users_key_gets_that_user(self, live_server, iam_client):
        iam_client.create_user(UserName="deployer")
        key = iam_client.create_access_key(UserName="deployer")["AccessKey"]
        deployer = aws_client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
        iam_client.put_user_policy(UserName="deployer", PolicyName="self", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey"]}]}))
        assert deployer.get_user()["User"]["UserName"] == "deployer"
        second = deployer.create_access_key()["AccessKey"]
        assert second["UserName"] == "deployer"
        listed = {item["AccessKeyId"] for item in deployer.list_access_keys()["AccessKeyMetadata"]}
        assert listed == {key["AccessKeyId"], second["AccessKeyId"]}
        assert aws_client(live_server, "iam", second["AccessKeyId"], second["SecretAccessKey"]).get_user()[
            "User"]["UserName"] == "deployer"

    def test_role_credentials_must_name_the_user(self, live_server, carol):
        sts = aws_client(live_server, "sts", carol.access_key_id, carol.secret_access_key)
        dev = next(account["account_id"] for account in carol.as_json()["accounts"] if account["alias"] == "dev")
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole",
                                      RoleSessionName="admin")["Credentials"]
        session = boto3.client(
            "iam", endpoint_url=f"{live_server.url}/aws", region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"])
        with pytest.raises(ClientError) as raised:
            session.get_user()
        assert _error(raised) == ("ValidationError", "Must specify userName when calling with non-User credentials",
                                  400)
        failed = Event.objects.filter(event_name="GetUser", error_code="ValidationError")
        assert failed.count() == 1
