"""EC2 through the endpoint with real boto3 clients (and the AWS CLI): instances, instance profiles, their role."""
from __future__ import annotations

import json
import shutil
import subprocess

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from sandbox.learners import learner_create
from sandbox.models import Event, StsSession
from tests.sandbox.conftest import aws_client, run_aws_cli
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.django_db(transaction=True)

AL2023 = "ami-0453ec754f44f9a4a"
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})


def _error(raised) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def iam(live_server, carol):
    return aws_client(live_server, "iam", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def ec2(live_server, carol):
    return aws_client(live_server, "ec2", carol.access_key_id, carol.secret_access_key)


def _profile(iam, name="app", trust=EC2_TRUST):
    """A role `name` (with an inline policy) in an instance profile `name-profile`."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=READ_S3)
    profile = iam.create_instance_profile(InstanceProfileName=f"{name}-profile")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=f"{name}-profile", RoleName=name)
    return profile


def _run(ec2, **extra):
    params = {"ImageId": AL2023, "InstanceType": "t2.micro", "MinCount": 1, "MaxCount": 1, **extra}
    return ec2.run_instances(**params)["Instances"][0]


def _limited_user(iam, name, policy):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": policy}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


class CatalogueTests:
    def test_describe_images_finds_amazon_linux_by_name(self, ec2):
        images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-*"]}])
        assert [image["ImageId"] for image in images["Images"]] == [AL2023]

    def test_describe_images_of_an_unknown_id(self, ec2):
        with pytest.raises(ClientError) as raised:
            ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
        assert _error(raised) == ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist")

    def test_describe_instance_types(self, ec2):
        (kind,) = ec2.describe_instance_types(InstanceTypes=["t2.micro"])["InstanceTypes"]
        assert (kind["VCpuInfo"]["DefaultVCpus"], kind["MemoryInfo"]["SizeInMiB"], kind["FreeTierEligible"]) == (
            1, 1024, True)

    def test_regions_and_zones(self, ec2):
        assert [r["RegionName"] for r in ec2.describe_regions()["Regions"]] == ["us-east-1"]
        zones = ec2.describe_availability_zones()["AvailabilityZones"]
        assert zones[0]["ZoneName"] == "us-east-1a" and len(zones) == 6

    def test_an_unknown_filter_is_refused(self, ec2):
        with pytest.raises(ClientError) as raised:
            ec2.describe_instances(Filters=[{"Name": "colour", "Values": ["blue"]}])
        assert _error(raised) == ("InvalidParameterValue", "The filter 'colour' is invalid")


class InstanceTests:
    def test_run_instances_answers_pending_with_aws_ids(self, ec2, carol):
        instance = _run(ec2)
        assert instance["InstanceId"].startswith("i-") and len(instance["InstanceId"]) == 19
        assert instance["State"] == {"Code": 0, "Name": "pending"}
        assert instance["PrivateIpAddress"].startswith("172.31.")

    def test_describe_instances_shows_it_running_in_its_reservation(self, ec2, carol):
        instance = _run(ec2)
        (reservation,) = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
        assert reservation["OwnerId"] == carol.home_account_id
        assert reservation["Instances"][0]["State"]["Name"] == "running"

    def test_tags_and_filters(self, ec2):
        tagged = _run(ec2, TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}])
        _run(ec2)
        found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["web"]},
                                                {"Name": "instance-state-name", "Values": ["running"]}])
        assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [tagged["InstanceId"]]

    def test_max_count_launches_several_in_one_reservation(self, ec2):
        reservation = ec2.run_instances(ImageId=AL2023, InstanceType="t3.micro", MinCount=2, MaxCount=2)
        assert [i["AmiLaunchIndex"] for i in reservation["Instances"]] == [0, 1]

    def test_an_unknown_image(self, ec2):
        with pytest.raises(ClientError) as raised:
            _run(ec2, ImageId="ami-0000000000000000f")
        assert _error(raised)[0] == "InvalidAMIID.NotFound"

    def test_an_instance_type_the_sandbox_does_not_offer(self, ec2):
        with pytest.raises(ClientError) as raised:
            _run(ec2, InstanceType="m5.24xlarge")
        assert _error(raised)[0] == "Unsupported"

    def test_an_unknown_instance_id(self, ec2):
        with pytest.raises(ClientError) as raised:
            ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
        assert _error(raised) == ("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")

    def test_stop_start_terminate(self, ec2):
        instance_id = _run(ec2)["InstanceId"]
        stopping = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
        assert (stopping["PreviousState"]["Name"], stopping["CurrentState"]["Name"]) == ("running", "stopping")
        assert ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]["CurrentState"]["Name"] == (
            "pending")
        ec2.terminate_instances(InstanceIds=[instance_id])
        state = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]
        assert state == {"Code": 48, "Name": "terminated"}

    def test_a_terminated_instance_cannot_start(self, ec2):
        instance_id = _run(ec2)["InstanceId"]
        ec2.terminate_instances(InstanceIds=[instance_id])
        with pytest.raises(ClientError) as raised:
            ec2.start_instances(InstanceIds=[instance_id])
        assert _error(raised) == (
            "IncorrectInstanceState", f"The instance '{instance_id}' is not in a state from which it can be started.")

    def test_dry_run(self, ec2):
        with pytest.raises(ClientError) as raised:
            _run(ec2, DryRun=True)
        assert _error(raised) == ("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        assert ec2.describe_instances()["Reservations"] == []

    def test_run_instances_is_recorded_in_the_event_history(self, ec2, carol):
        _run(ec2)
        event = Event.objects.get(event_name="RunInstances")
        assert (event.event_source, event.read_only, event.user_identity["arn"]) == (
            "ec2.amazonaws.com", False, carol.iam_user_arn)

    def test_describe_calls_are_read_only_events(self, ec2):
        ec2.describe_instances()
        assert Event.objects.get(event_name="DescribeInstances").read_only is True

    def test_errors_are_recorded_as_client_errors(self, ec2):
        with pytest.raises(ClientError):
            ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
        assert Event.objects.get(event_name="DescribeInstances").error_code == "Client.InvalidInstanceID.NotFound"

    def test_ten_instances_per_account_at_most(self, ec2):
        ec2.run_instances(ImageId=AL2023, MinCount=8, MaxCount=8)
        assert len(ec2.run_instances(ImageId=AL2023, MinCount=1, MaxCount=5)["Instances"]) == 2
        with pytest.raises(ClientError) as raised:
            _run(ec2)
        assert _error(raised)[0] == "InstanceLimitExceeded"

    def test_policies_can_use_the_instance_tags(self, live_server, iam, ec2):
        team = _run(ec2, TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}]}])
        other = _run(ec2)
        key_id, secret = _limited_user(iam, "ops", [{
            "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}])
        ops = aws_client(live_server, "ec2", key_id, secret)
        assert ops.stop_instances(InstanceIds=[team["InstanceId"]])["StoppingInstances"][0]["CurrentState"] == {
            "Code": 64, "Name": "stopping"}
        with pytest.raises(ClientError) as raised:
            ops.stop_instances(InstanceIds=[other["InstanceId"]])
        assert _error(raised)[0] == "UnauthorizedOperation" and "ec2:StopInstances" in _error(raised)[1]


class IsolationTests:
    def test_another_learners_instances_do_not_exist_for_you(self, live_server, ec2):
        erin = learner_create(username="erin")
        theirs = _run(aws_client(live_server, "ec2", erin.access_key_id, erin.secret_access_key))["InstanceId"]
        assert ec2.describe_instances()["Reservations"] == []
        for call in (ec2.describe_instances, ec2.terminate_instances):
            with pytest.raises(ClientError) as raised:
                call(InstanceIds=[theirs])
            assert _error(raised)[0] == "InvalidInstanceID.NotFound"


class InstanceProfileTests:
    def test_run_with_a_profile_by_name_associates_it(self, iam, ec2):
        profile = _profile(iam)
        instance = _run(ec2, IamInstanceProfile={"Name": "app-profile"})
        assert instance["IamInstanceProfile"] == {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
        (association,) = ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"]
        assert association["AssociationId"].startswith("iip-assoc-") and len(association["AssociationId"]) == 27
        assert (association["InstanceId"], association["State"]) == (instance["InstanceId"], "associated")

    def test_run_with_a_profile_by_arn(self, iam, ec2):
        profile = _profile(iam)
        assert _run(ec2, IamInstanceProfile={"Arn": profile["Arn"]})["IamInstanceProfile"]["Arn"] == profile["Arn"]

    def test_an_unknown_profile_name(self, ec2):
        with pytest.raises(ClientError) as raised:
            _run(ec2, IamInstanceProfile={"Name": "nope"})
        assert _error(raised) == (
            "InvalidParameterValue",
            "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        )

    def test_associate_once_then_replace_then_disassociate(self, iam, ec2):
        _profile(iam, "one")
        two = _profile(iam, "two")
        instance_id = _run(ec2)["InstanceId"]
        first = ec2.associate_iam_instance_profile(InstanceId=instance_id, IamInstanceProfile={"Name": "one-profile"})
        assert first["IamInstanceProfileAssociation"]["State"] == "associating"
        with pytest.raises(ClientError) as raised:
            ec2.associate_iam_instance_profile(InstanceId=instance_id, IamInstanceProfile={"Name": "two-profile"})
        assert _error(raised) == ("IncorrectState", f"There is an existing association for instance {instance_id}")
        old_id = first["IamInstanceProfileAssociation"]["AssociationId"]
        replaced = ec2.replace_iam_instance_profile_association(
            AssociationId=old_id, IamInstanceProfile={"Arn": two["Arn"]})["IamInstanceProfileAssociation"]
        assert replaced["AssociationId"] != old_id and replaced["IamInstanceProfile"]["Arn"] == two["Arn"]
        gone = ec2.disassociate_iam_instance_profile(AssociationId=replaced["AssociationId"])
        assert gone["IamInstanceProfileAssociation"]["State"] == "disassociating"
        assert ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"] == []

    def test_an_unknown_association(self, ec2):
        with pytest.raises(ClientError) as raised:
            ec2.disassociate_iam_instance_profile(AssociationId="iip-assoc-0123456789abcdef0")
        assert _error(raised) == ("InvalidParameterValue", "Invalid value for associationId.")

    def test_terminating_ends_the_association(self, iam, ec2):
        _profile(iam)
        instance_id = _run(ec2, IamInstanceProfile={"Name": "app-profile"})["InstanceId"]
        ec2.terminate_instances(InstanceIds=[instance_id])
        assert ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"] == []


class PassRoleTests:
    EC2_ONLY = [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]

    def test_launching_with_a_role_the_caller_may_not_pass_is_refused(self, live_server, iam):
        _profile(iam)
        key_id, secret = _limited_user(iam, "builder", self.EC2_ONLY)
        builder = aws_client(live_server, "ec2", key_id, secret)
        with pytest.raises(ClientError) as raised:
            _run(builder, IamInstanceProfile={"Name": "app-profile"})
        code, message = _error(raised)
        assert code == "UnauthorizedOperation"
        assert "is not authorized to perform: iam:PassRole on resource: arn:aws:iam::" in message
        assert message.startswith("You are not authorized to perform this operation.") and ":role/app " in message
        assert _run(builder)["State"]["Name"] == "pending"

    def test_pass_role_to_ec2_is_enough(self, live_server, iam, carol):
        _profile(iam)
        role_arn = f"arn:aws:iam::{carol.home_account_id}:role/app"
        key_id, secret = _limited_user(iam, "builder", [*self.EC2_ONLY, {
            "Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn,
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}])
        builder = aws_client(live_server, "ec2", key_id, secret)
        assert "IamInstanceProfile" in _run(builder, IamInstanceProfile={"Name": "app-profile"})

    def test_no_ec2_permission_at_all(self, live_server, iam):
        key_id, secret = _limited_user(iam, "reader", [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}])
        with pytest.raises(ClientError) as raised:
            _run(aws_client(live_server, "ec2", key_id, secret))
        code, message = _error(raised)
        assert code == "UnauthorizedOperation" and "ec2:RunInstances" in message


def _imds(live_server, instance_id, path, credentials=None):
    """A GET on the instance's metadata, SigV4-signed for `ec2` when credentials are given."""
    url = f"{live_server.url}/aws/ec2-instance/{instance_id}/latest/meta-data/{path}"
    request = AWSRequest(method="GET", url=url)
    if credentials is not None:
        SigV4Auth(Credentials(*credentials), "ec2", "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers), timeout=30)


class InstanceMetadataTests:
    @pytest.fixture
    def instance_id(self, iam, ec2):
        _profile(iam)
        return _run(ec2, IamInstanceProfile={"Name": "app-profile"})["InstanceId"]

    @pytest.fixture
    def keys(self, carol):
        return carol.access_key_id, carol.secret_access_key

    def test_the_role_name(self, live_server, instance_id, keys):
        answer = _imds(live_server, instance_id, "iam/security-credentials/", keys)
        assert (answer.status_code, answer.text) == (200, "app")

    def test_role_credentials_act_as_the_instance(self, live_server, instance_id, keys, carol):
        document = _imds(live_server, instance_id, "iam/security-credentials/app", keys).json()
        assert (document["Code"], document["Type"], document["AccessKeyId"][:4]) == ("Success", "AWS-HMAC", "ASIA")
        session = boto3.session.Session(aws_access_key_id=document["AccessKeyId"],
                                        aws_secret_access_key=document["SecretAccessKey"],
                                        aws_session_token=document["Token"], region_name="us-east-1")
        sts = session.client("sts", endpoint_url=f"{live_server.url}/aws")
        assert sts.get_caller_identity()["Arn"] == (
            f"arn:aws:sts::{carol.home_account_id}:assumed-role/app/{instance_id}")

    def test_iam_info_names_the_profile(self, live_server, iam, instance_id, keys):
        profile = iam.get_instance_profile(InstanceProfileName="app-profile")["InstanceProfile"]
        document = _imds(live_server, instance_id, "iam/info", keys).json()
        assert (document["Code"], document["InstanceProfileArn"], document["InstanceProfileId"]) == (
            "Success", profile["Arn"], profile["InstanceProfileId"])

    def test_a_profile_re_created_under_the_same_name_is_another_profile(self, live_server, iam, instance_id, keys):
        iam.remove_role_from_instance_profile(InstanceProfileName="app-profile", RoleName="app")
        iam.delete_instance_profile(InstanceProfileName="app-profile")
        iam.create_instance_profile(InstanceProfileName="app-profile")
        iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
        assert _imds(live_server, instance_id, "iam/security-credentials/", keys).status_code == 404

    def test_the_same_credentials_until_they_near_expiry(self, live_server, instance_id, keys):
        first = _imds(live_server, instance_id, "iam/security-credentials/app", keys).json()
        second = _imds(live_server, instance_id, "iam/security-credentials/app", keys).json()
        assert first["AccessKeyId"] == second["AccessKeyId"]
        session = StsSession.objects.get(access_key_id=first["AccessKeyId"])
        assert (session.issued_to, (session.expires_at - session.issued_at).total_seconds()) == (
            {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}, 3600)

    def test_ec2_assuming_the_role_is_in_the_event_history(self, live_server, instance_id, keys):
        _imds(live_server, instance_id, "iam/security-credentials/app", keys)
        event = Event.objects.get(event_name="AssumeRole")
        assert event.user_identity == {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
        assert event.request_parameters["roleSessionName"] == instance_id

    def test_instance_credentials_may_renew_themselves(self, live_server, instance_id, keys):
        document = _imds(live_server, instance_id, "iam/security-credentials/app", keys).json()
        own = (document["AccessKeyId"], document["SecretAccessKey"], document["Token"])
        assert _imds(live_server, instance_id, "iam/security-credentials/app", own).status_code == 200

    def test_a_role_that_does_not_trust_ec2_gives_no_credentials(self, live_server, iam, ec2, keys):
        _profile(iam, "fn", trust=LAMBDA_TRUST)
        instance_id = _run(ec2, IamInstanceProfile={"Name": "fn-profile"})["InstanceId"]
        answer = _imds(live_server, instance_id, "iam/security-credentials/fn", keys)
        assert answer.status_code == 404 and answer.json()["Code"] == "AssumeRoleUnauthorizedAccess"

    def test_unsigned_requests_are_refused(self, live_server, instance_id):
        assert _imds(live_server, instance_id, "iam/security-credentials/app").status_code == 403

    def test_another_learner_finds_no_such_instance(self, live_server, instance_id):
        erin = learner_create(username="erin")
        answer = _imds(live_server, instance_id, "iam/security-credentials/app",
                       (erin.access_key_id, erin.secret_access_key))
        assert answer.status_code == 404

    def test_a_user_who_may_not_start_a_session_on_it_is_refused(self, live_server, iam, instance_id):
        keys = _limited_user(iam, "viewer", [{"Effect": "Allow", "Action": "ec2:Describe*",
                                                           "Resource": "*"}])
        answer = _imds(live_server, instance_id, "iam/security-credentials/app", keys)
        assert answer.status_code == 403 and "ssm:StartSession" in answer.text

    def test_a_stopped_instance_has_no_metadata(self, live_server, ec2, instance_id, keys):
        ec2.stop_instances(InstanceIds=[instance_id])
        assert _imds(live_server, instance_id, "iam/security-credentials/", keys).status_code == 404

    @pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
    def test_curl_signs_as_the_docs_say(self, live_server, instance_id, keys):
        url = f"{live_server.url}/aws/ec2-instance/{instance_id}/latest/meta-data/iam/security-credentials/"
        result = subprocess.run(["curl", "-s", "--aws-sigv4", "aws:amz:us-east-1:ec2", "--user", ":".join(keys), url],
                                capture_output=True, text=True, timeout=30)
        assert result.stdout == "app"


class AwsCliTests:
    """The real AWS CLI, unchanged, pointed at the endpoint with `--endpoint-url`."""

    def _aws(self, live_server, learner, *args):
        result = run_aws_cli(live_server, learner, *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def test_run_instances_with_a_profile_then_list_associations(self, live_server, iam, carol):
        _profile(iam)
        launched = self._aws(live_server, carol, "ec2", "run-instances", "--image-id", AL2023, "--instance-type",
                             "t3.micro", "--count", "1", "--iam-instance-profile", "Name=app-profile",
                             "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=cli}]")
        instance_id = launched["Instances"][0]["InstanceId"]
        listed = self._aws(live_server, carol, "ec2", "describe-iam-instance-profile-associations",
                           "--filters", f"Name=instance-id,Values={instance_id}")
        (association,) = listed["IamInstanceProfileAssociations"]
        assert association["IamInstanceProfile"]["Arn"].endswith(":instance-profile/app-profile")
        names = self._aws(live_server, carol, "ec2", "describe-instances", "--query",
                          "Reservations[].Instances[].Tags[?Key=='Name'].Value[]")
        assert names == ["cli"]
