"""The Query protocol parser rebuilds botocore-shaped input from what the AWS CLI and boto3 send."""
from __future__ import annotations

import urllib.parse

import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest

from sandbox.endpoint.query import query_input

SESSION = botocore.session.get_session()


def _sent_params(service: str, operation: str, params: dict) -> dict[str, str]:
    """What a real botocore client puts on the wire for this call (captured, never sent)."""
    captured: list[AWSPreparedRequest] = []
    client = SESSION.create_client(
        service, region_name="us-east-1", endpoint_url="http://127.0.0.1:9/aws",
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret",
    )

    def capture(request, **_):
        captured.append(request)
        raise StopIteration  # stop before anything leaves the process

    client.meta.events.register("before-send", capture)
    with pytest.raises(StopIteration):
        getattr(client, botocore.xform_name(operation))(**params)
    body = captured[0].body
    text = body.decode() if isinstance(body, bytes) else body
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Path": "/a/",
                               "MaxSessionDuration": 7200, "Tags": [{"Key": "team", "Value": "red"}]}),
        ("iam", "PutRolePermissionsBoundary", {"RoleName": "r", "PermissionsBoundary": "arn:aws:iam::aws:policy/X"}),
        ("iam", "ListRoles", {"PathPrefix": "/a/", "MaxItems": 10}),
        ("iam", "UntagRole", {"RoleName": "r", "TagKeys": ["a", "b"]}),
        ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::111122223333:role/r", "RoleSessionName": "s1",
                               "Tags": [{"Key": "k", "Value": "v"}], "TransitiveTagKeys": ["k"],
                               "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
                               "DurationSeconds": 900}),
    ],
)
def test_round_trip_of_what_botocore_sends(service, operation, params):
    wire = _sent_params(service, operation, params)
    shape = SESSION.get_service_model(service).operation_model(operation).input_shape
    assert query_input(shape, wire) == params


def test_unknown_parameters_are_ignored():
    shape = SESSION.get_service_model("iam").operation_model("GetRole").input_shape
    assert query_input(shape, {"RoleName": "r", "Evil": "x"}) == {"RoleName": "r"}
