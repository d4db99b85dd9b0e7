"""Organizations and CloudTrail LookupEvents through the endpoint, with real boto3 clients."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from sandbox.learners import learner_create
from sandbox.models import AccessKeyOwner, Account
from sandbox.moto_store import account_writer
from tests.sandbox.conftest import aws_client
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.django_db(transaction=True)


def _client(live_server, service, key_id, secret):
    return aws_client(live_server, service, key_id, secret)


@pytest.fixture
def orgs(live_server, carol):
    return _client(live_server, "organizations", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def member_admin(live_server, carol):
    """An administrator IAM user in carol's `dev` member account, with an access key."""
    dev = Account.objects.get(account_id=next(a.account_id for a in carol.accounts if a.alias == "dev"))
    with account_writer(dev.account_id) as backends:
        backends.iam.create_user(region_name="us-east-1", user_name="devadmin", path="/")
        backends.iam.put_user_policy("devadmin", "All", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = backends.iam.create_access_key("devadmin")
    AccessKeyOwner.objects.create(access_key_id=key.access_key_id, account=dev, user_name="devadmin")
    return dev, key


class OrganizationsTests:
    def test_describe_organization(self, orgs, carol):
        organization = orgs.describe_organization()["Organization"]
        assert organization["Id"] == carol.organization_id
        assert organization["MasterAccountId"] == carol.home_account_id
        assert organization["FeatureSet"] == "ALL"

    def test_list_accounts_shows_the_management_and_member_accounts(self, orgs, carol):
        accounts = orgs.list_accounts()["Accounts"]
        assert {account["Id"] for account in accounts} == {account.account_id for account in carol.accounts}
        assert {account["Name"] for account in accounts} == {"management", "dev", "prod"}

    def test_list_roots(self, orgs):
        (root,) = orgs.list_roots()["Roots"]
        assert root["Id"].startswith("r-") and root["Name"] == "Root"

    def test_describe_an_unknown_account(self, orgs):
        with pytest.raises(ClientError) as raised:
            orgs.describe_account(AccountId="999988887777")
        assert raised.value.response["Error"]["Code"] == "AccountNotFoundException"

    def test_a_member_account_can_describe_but_not_list(self, live_server, member_admin, carol):
        dev, key = member_admin
        client = _client(live_server, "organizations", key.access_key_id, key.secret_access_key)
        assert client.describe_organization()["Organization"]["Id"] == carol.organization_id
        with pytest.raises(ClientError) as raised:
            client.list_accounts()
        assert raised.value.response["Error"]["Code"] == "AccessDeniedException"

    def test_iam_decides_first(self, live_server, carol):
        iam = _client(live_server, "iam", carol.access_key_id, carol.secret_access_key)
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        client = _client(live_server, "organizations", key["AccessKeyId"], key["SecretAccessKey"])
        with pytest.raises(ClientError) as raised:
            client.describe_organization()
        error = raised.value.response["Error"]
        assert error["Code"] == "AccessDeniedException"
        assert "organizations:DescribeOrganization" in error["Message"]


class LookupEventsTests:
    @pytest.fixture
    def trail(self, live_server, carol):
        iam = _client(live_server, "iam", carol.access_key_id, carol.secret_access_key)
        iam.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST)
        with pytest.raises(ClientError):
            iam.get_role(RoleName="missing")
        return _client(live_server, "cloudtrail", carol.access_key_id, carol.secret_access_key)

    def test_events_are_listed_newest_first_with_the_cloudtrail_record(self, trail, carol):
        events = trail.lookup_events()["Events"]
        names = [event["EventName"] for event in events]
        assert names.index("GetRole") < names.index("CreateRole")
        record = json.loads(next(e for e in events if e["EventName"] == "CreateRole")["CloudTrailEvent"])
        assert record["userIdentity"]["arn"] == carol.iam_user_arn
        assert record["requestParameters"]["roleName"] == "app"
        assert record["recipientAccountId"] == carol.home_account_id

    def test_lookup_by_event_name(self, trail):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateRole"}])
        assert [event["EventName"] for event in found["Events"]] == ["CreateRole"]

    def test_lookup_by_resource_name(self, trail):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": "app"}])
        assert {event["EventName"] for event in found["Events"]} == {"CreateRole"}

    def test_errors_are_recorded(self, trail):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetRole"}])
        record = json.loads(found["Events"][0]["CloudTrailEvent"])
        assert record["errorCode"] == "NoSuchEntity"

    def test_a_time_window_in_the_past_is_empty(self, trail):
        long_ago = datetime.now(UTC) - timedelta(days=30)
        found = trail.lookup_events(StartTime=long_ago - timedelta(days=1), EndTime=long_ago)
        assert found["Events"] == []

    def test_pages(self, trail):
        first = trail.lookup_events(MaxResults=1)
        assert len(first["Events"]) == 1 and first["NextToken"]
        second = trail.lookup_events(MaxResults=1, NextToken=first["NextToken"])
        assert second["Events"][0]["EventId"] != first["Events"][0]["EventId"]

    def test_only_one_attribute_per_call(self, trail):
        with pytest.raises(ClientError) as raised:
            trail.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "CreateRole"},
                {"AttributeKey": "ReadOnly", "AttributeValue": "false"},
            ])
        assert raised.value.response["Error"]["Code"] == "InvalidLookupAttributesException"

    def test_another_learners_events_are_not_visible(self, live_server, trail):
        dave = learner_create(username="dave")
        theirs = _client(live_server, "cloudtrail", dave.access_key_id, dave.secret_access_key)
        names = {event["EventName"] for event in theirs.lookup_events()["Events"]}
        assert "CreateRole" not in names
