"""Lambda through the endpoint with real boto3 clients: functions, their execution role, isolation, events."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError

from sandbox.learners import learner_create
from sandbox.models import Event, LambdaFunction
from tests.sandbox.conftest import aws_client
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.django_db(transaction=True)

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def _zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _error(raised) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def iam(live_server, carol):
    return aws_client(live_server, "iam", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def lam(live_server, carol):
    return aws_client(live_server, "lambda", carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def role_arn(iam):
    return iam.create_role(RoleName="fn-exec", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]


def _create(client, role, name="hello", **extra):
    params = {"FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "app.handler",
              "Code": {"ZipFile": _zip()}, **extra}
    return client.create_function(**params)


class CreateFunctionTests:
    def test_the_answer_describes_the_function(self, lam, role_arn, carol):
        created = _create(lam, role_arn, Description="greets", Timeout=10, MemorySize=256)
        assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:{carol.home_account_id}:function:hello"
        assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(_zip()).digest()).decode()
        assert (created["CodeSize"], created["State"], created["Version"]) == (len(_zip()), "Active", "$LATEST")
        assert (created["Timeout"], created["MemorySize"], created["Role"]) == (10, 256, role_arn)

    def test_the_code_itself_is_not_kept(self, lam, role_arn):
        _create(lam, role_arn)
        stored = LambdaFunction.objects.values().get(name="hello")
        assert not any(isinstance(value, bytes) or value == _zip() for value in stored.values())

    def test_a_role_that_trusts_only_ec2(self, lam, iam):
        ec2_role = iam.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=EC2_TRUST)["Role"]["Arn"]
        with pytest.raises(ClientError) as raised:
            _create(lam, ec2_role)
        assert _error(raised) == ("InvalidParameterValueException", CANNOT_ASSUME)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    def test_a_role_that_does_not_exist(self, lam, carol):
        with pytest.raises(ClientError) as raised:
            _create(lam, f"arn:aws:iam::{carol.home_account_id}:role/missing")
        assert _error(raised) == ("InvalidParameterValueException", CANNOT_ASSUME)

    def test_a_name_already_taken(self, lam, role_arn):
        _create(lam, role_arn)
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn)
        assert _error(raised) == ("ResourceConflictException", "Function already exist: hello")
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    def test_a_runtime_lambda_does_not_know(self, lam, role_arn):
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn, Runtime="cobol85")
        code, message = _error(raised)
        assert code == "ValidationException"
        assert message.startswith("1 validation error detected: Value 'cobol85' at 'runtime' failed to satisfy "
                                  "constraint: Member must satisfy enum value set: [")

    def test_a_deprecated_runtime(self, lam, role_arn):
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn, Runtime="python2.7")
        assert _error(raised)[0] == "InvalidParameterValueException"
        assert "python2.7 is no longer supported" in _error(raised)[1]

    def test_a_timeout_above_fifteen_minutes(self, lam, role_arn):
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn, Timeout=901)
        assert _error(raised)[0] == "ValidationException" and "'timeout'" in _error(raised)[1]

    def test_code_that_is_not_a_zip(self, lam, role_arn):
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn, Code={"ZipFile": b"not a zip"})
        assert _error(raised)[0] == "InvalidParameterValueException"

    def test_code_over_one_mebibyte(self, lam, role_arn):
        with pytest.raises(ClientError) as raised:
            _create(lam, role_arn, Code={"ZipFile": b"PK" + b"\0" * (1024 * 1024)})
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413

    def test_create_is_in_the_event_history_without_code_or_variables(self, lam, role_arn):
        _create(lam, role_arn, Environment={"Variables": {"TOKEN": "s3cret"}})
        event = Event.objects.get(event_name="CreateFunction")
        assert (event.event_source, event.request_parameters["functionName"]) == ("lambda.amazonaws.com", "hello")
        assert "code" not in event.request_parameters and "s3cret" not in json.dumps(event.request_parameters)


class FunctionCallsTests:
    def test_get_function_and_its_configuration(self, lam, role_arn):
        _create(lam, role_arn, Tags={"team": "blue"})
        found = lam.get_function(FunctionName="hello")
        assert (found["Configuration"]["Handler"], found["Tags"]) == ("app.handler", {"team": "blue"})
        assert lam.get_function_configuration(FunctionName="hello")["Runtime"] == "python3.12"

    def test_by_arn(self, lam, role_arn):
        arn = _create(lam, role_arn)["FunctionArn"]
        assert lam.get_function_configuration(FunctionName=arn)["FunctionName"] == "hello"

    def test_list_functions(self, lam, role_arn):
        for name in ("b", "a", "c"):
            _create(lam, role_arn, name=name)
        assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["a", "b", "c"]
        first = lam.list_functions(MaxItems=2)
        assert first["NextMarker"] == "b"
        assert [f["FunctionName"] for f in lam.list_functions(Marker="b")["Functions"]] == ["c"]

    def test_delete_then_not_found(self, lam, role_arn, carol):
        _create(lam, role_arn)
        lam.delete_function(FunctionName="hello")
        with pytest.raises(ClientError) as raised:
            lam.get_function(FunctionName="hello")
        arn = f"arn:aws:lambda:us-east-1:{carol.home_account_id}:function:hello"
        assert _error(raised) == ("ResourceNotFoundException", f"Function not found: {arn}")
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_update_configuration(self, lam, role_arn):
        revision = _create(lam, role_arn)["RevisionId"]
        updated = lam.update_function_configuration(FunctionName="hello", Timeout=30,
                                                    Environment={"Variables": {"STAGE": "dev"}})
        assert (updated["Timeout"], updated["Environment"]["Variables"]) == (30, {"STAGE": "dev"})
        assert updated["RevisionId"] != revision

    def test_a_new_role_must_be_one_lambda_can_assume(self, lam, iam, role_arn):
        _create(lam, role_arn)
        ec2_role = iam.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=EC2_TRUST)["Role"]["Arn"]
        with pytest.raises(ClientError) as raised:
            lam.update_function_configuration(FunctionName="hello", Role=ec2_role)
        assert _error(raised) == ("InvalidParameterValueException", CANNOT_ASSUME)
        other = iam.create_role(RoleName="fn-exec-2", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        assert lam.update_function_configuration(FunctionName="hello", Role=other)["Role"] == other

    def test_invoke_echoes_the_event_without_running_code(self, lam, role_arn):
        _create(lam, role_arn)
        answer = lam.invoke(FunctionName="hello", Payload=json.dumps({"name": "carol"}))
        document = json.loads(answer["Payload"].read())
        assert (answer["StatusCode"], answer["ExecutedVersion"], document["event"]) == (200, "$LATEST",
                                                                                        {"name": "carol"})
        assert "does not run" in document["sandbox"]

    def test_an_operation_the_sandbox_does_not_serve(self, lam, role_arn):
        _create(lam, role_arn)
        with pytest.raises(ClientError) as raised:
            lam.list_tags(Resource="arn:aws:lambda:us-east-1:123456789012:function:hello")
        assert _error(raised)[0] == "UnknownOperationException"


class AuthorizationTests:
    def _user(self, iam, live_server, statements):
        iam.create_user(UserName="dev")
        iam.put_user_policy(UserName="dev", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        return aws_client(live_server, "lambda", key["AccessKeyId"], key["SecretAccessKey"])

    def test_creating_with_a_role_the_caller_may_not_pass(self, iam, live_server, role_arn):
        client = self._user(iam, live_server, [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}])
        with pytest.raises(ClientError) as raised:
            _create(client, role_arn)
        code, message = _error(raised)
        assert code == "AccessDeniedException"
        assert f"is not authorized to perform: iam:PassRole on resource: {role_arn}" in message

    def test_pass_role_to_lambda_is_enough(self, iam, live_server, role_arn):
        client = self._user(iam, live_server, [
            {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn,
             "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
        ])
        assert _create(client, role_arn)["State"] == "Active"

    def test_invoking_needs_lambda_invoke_function(self, iam, live_server, lam, role_arn):
        _create(lam, role_arn)
        client = self._user(iam, live_server, [{"Effect": "Allow", "Action": "lambda:Get*", "Resource": "*"}])
        with pytest.raises(ClientError) as raised:
            client.invoke(FunctionName="hello")
        assert _error(raised)[0] == "AccessDeniedException" and "lambda:InvokeFunction" in _error(raised)[1]


class IsolationTests:
    def test_another_learners_functions_do_not_exist_for_you(self, live_server, lam):
        erin = learner_create(username="erin")
        erin_iam = aws_client(live_server, "iam", erin.access_key_id, erin.secret_access_key)
        role = erin_iam.create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        theirs = _create(aws_client(live_server, "lambda", erin.access_key_id, erin.secret_access_key), role)
        assert lam.list_functions()["Functions"] == []
        with pytest.raises(ClientError) as raised:
            lam.get_function(FunctionName="hello")
        assert _error(raised)[0] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as raised:
            lam.delete_function(FunctionName=theirs["FunctionArn"])
        assert _error(raised)[0] == "AccessDeniedException"
        assert LambdaFunction.objects.filter(name="hello").count() == 1

    def test_another_learners_role_cannot_be_used(self, live_server, lam):
        erin = learner_create(username="erin")
        erin_iam = aws_client(live_server, "iam", erin.access_key_id, erin.secret_access_key)
        role = erin_iam.create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        with pytest.raises(ClientError) as raised:
            _create(lam, role)
        assert _error(raised)[0] == "AccessDeniedException" and "iam:PassRole" in _error(raised)[1]
