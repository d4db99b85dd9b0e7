"""A learner completes the SAML and web-identity labs as the briefs say: the role with the real AWS CLI, the
corporate portal for the console sign-in and for the assertion or token, `aws sts assume-role-with-saml` /
`assume-role-with-web-identity` against the live endpoint, then a synchronous grading reaches 100%.

Also: the labs' setup is idempotent, and the lab runner's training-IdP values name what they cannot hand out.
"""
from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from labs.models import Grade, Submission
from labs.services.grading import submission_grade
from labs.services.lab_runner import LabRunError, apply_setup, learner_variables, run_calls
from labs.services.lab_start import lab_reset, lab_start
from sandbox.federation import selectors
from sandbox.learners import learner_create
from sandbox.models import Sandbox
from tests.sts.test_aws_cli import run_aws

# Until the lead includes them in config/urls.py, these tests mount the federation URLs themselves.
pytestmark = [pytest.mark.django_db(transaction=True)]
SIGNIN = "https://signin.aws.amazon.com/saml"
GITHUB = "token.actions.githubusercontent.com"


class Learner:
    """A student with a sandbox, signed in to the site (`client`), with the AWS CLI pointed at the live endpoint."""

    def __init__(self, client, live_server, tmp_path, username: str) -> None:
        self.summary = learner_create(username=username)
        self.user = User.objects.get(username=username)
        self.sandbox = Sandbox.objects.get(owner=self.user)
        self.account = self.summary.home_account_id
        self.client, self.endpoint, self.tmp_path = client, f"{live_server.url}/aws", tmp_path
        client.force_login(self.user)

    def aws(self, *args: str, keys: dict[str, str] | None = None) -> dict:
        """Run the AWS CLI with the learner's access key (or `keys`); its JSON answer."""
        keys = keys if keys is not None else {"AWS_ACCESS_KEY_ID": self.summary.access_key_id,
                                              "AWS_SECRET_ACCESS_KEY": self.summary.secret_access_key}
        result = run_aws(self.tmp_path, self.endpoint, *args, **keys)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def aws_refused(self, *args: str) -> str:
        result = run_aws(self.tmp_path, self.endpoint, *args)
        assert result.returncode != 0
        return result.stderr

    def file(self, name: str, content: str | bytes) -> str:
        target = self.tmp_path / name
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
        return f"file://{target}"

    def create_role(self, name: str, trust: dict) -> None:
        self.aws("iam", "create-role", "--role-name", name,
                 "--assume-role-policy-document", self.file("trust.json", json.dumps(trust)))

    def grade(self, lab) -> float:
        submission = Submission.objects.create(student=self.user, lab=lab)
        submission_grade(submission_id=submission.pk)
        return Grade.objects.get(submission=submission).score


@pytest.fixture
def learner(client, live_server, tmp_path) -> Learner:
    return Learner(client, live_server, tmp_path, "lena")


def session_keys(answer: dict) -> dict[str, str]:
    credentials = answer["Credentials"]
    return {"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"]}


class SamlFederationLabTests:
    @pytest.fixture
    def lab(self, catalog, learner):
        lab = catalog["saml-federation"]
        lab_start(student=learner.user, lab=lab)
        return lab

    def saml_trust(self, learner: Learner) -> dict:
        return {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{learner.account}:saml-provider/CorpIdP"},
            "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": SIGNIN}}}]}

    def portal_role(self, learner: Learner) -> str:
        """The `role,provider` value of alice's row in the portal."""
        return (f"arn:aws:iam::{learner.account}:role/SamlDeveloperRole,"
                f"arn:aws:iam::{learner.account}:saml-provider/CorpIdP")

    def console_sign_in(self, learner: Learner):
        """The portal's button posts the signed response to AWS sign-in's SAML endpoint, as the browser does."""
        posted = learner.client.post("/federation/portal/sign-in/", {
            "user": "alice", "role": self.portal_role(learner)})
        return learner.client.post("/federation/signin/saml", {"SAMLResponse": posted.context["saml_response"]})

    def test_a_learner_completes_the_lab_in_the_console_and_with_the_cli(self, learner, lab):
        learner.create_role("SamlDeveloperRole", self.saml_trust(learner))
        learner.aws("iam", "attach-role-policy", "--role-name", "SamlDeveloperRole",
                    "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        signed_in = self.console_sign_in(learner)
        assert signed_in.status_code == 302 and signed_in["Location"] == "/console/"

        assertion = learner.client.post("/federation/portal/assertion/", {
            "user": "alice", "role": self.portal_role(learner)}).content
        answer = learner.aws(
            "sts", "assume-role-with-saml", "--role-arn", f"arn:aws:iam::{learner.account}:role/SamlDeveloperRole",
            "--principal-arn", f"arn:aws:iam::{learner.account}:saml-provider/CorpIdP",
            "--saml-assertion", learner.file("assertion.b64", assertion), keys={})
        identity = learner.aws("sts", "get-caller-identity", keys=session_keys(answer))
        assert identity["Arn"] == f"arn:aws:sts::{learner.account}:assumed-role/SamlDeveloperRole/alice@corp.example"
        assert learner.grade(lab) == 1.0

    def test_the_cli_alone_misses_the_console_sign_in(self, learner, lab):
        learner.create_role("SamlDeveloperRole", self.saml_trust(learner))
        learner.aws("iam", "attach-role-policy", "--role-name", "SamlDeveloperRole",
                    "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        assertion = learner.client.post("/federation/portal/assertion/", {
            "user": "alice", "role": self.portal_role(learner)}).content
        answer = learner.aws(
            "sts", "assume-role-with-saml", "--role-arn", f"arn:aws:iam::{learner.account}:role/SamlDeveloperRole",
            "--principal-arn", f"arn:aws:iam::{learner.account}:saml-provider/CorpIdP",
            "--saml-assertion", learner.file("assertion.b64", assertion), keys={})
        learner.aws("sts", "get-caller-identity", keys=session_keys(answer))
        assert learner.grade(lab) == pytest.approx(6 / 7)

    def test_a_trust_policy_without_the_audience_lets_alice_in_but_loses_points(self, learner, lab):
        trust = self.saml_trust(learner)
        trust["Statement"][0].pop("Condition")
        learner.create_role("SamlDeveloperRole", trust)
        assert self.console_sign_in(learner).status_code == 302
        assert learner.grade(lab) < 1.0

    def test_before_the_role_exists_the_sign_in_is_refused(self, learner, lab):
        refused = self.console_sign_in(learner)
        assert refused.status_code == 200
        assert "Not authorized to perform sts:AssumeRoleWithSAML" in refused.content.decode()
        assert learner.grade(lab) == 0.0


class WebIdentityLabTests:
    @pytest.fixture
    def lab(self, catalog, learner):
        lab = catalog["web-identity"]
        lab_start(student=learner.user, lab=lab)
        return lab

    def github_token(self, learner: Learner, repository: str, event: str = "push") -> bytes:
        return learner.client.post("/federation/portal/github-token/", {
            "repository": repository, "ref": "refs/heads/main", "event": event, "audience": "sts.amazonaws.com",
        }).content

    def test_a_learner_completes_the_lab_with_a_portal_token_and_the_cli(self, learner, lab):
        values = learner_variables(learner.sandbox, lab.definition)
        repository = f"{values['github_org']}/{values['repo']}"
        provider = f"arn:aws:iam::{learner.account}:oidc-provider/{GITHUB}"
        learner.create_role("GitHubDeployRole", {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com",
                                           f"{GITHUB}:sub": f"repo:{repository}:ref:refs/heads/main"}}}]})
        role_arn = f"arn:aws:iam::{learner.account}:role/GitHubDeployRole"

        pull_request = learner.file("pr.jwt", self.github_token(learner, repository, event="pull_request"))
        assert "AccessDenied" in learner.aws_refused(
            "sts", "assume-role-with-web-identity", "--role-arn", role_arn, "--role-session-name", "deploy",
            "--web-identity-token", pull_request)
        main = learner.file("github-token.jwt", self.github_token(learner, repository))
        answer = learner.aws("sts", "assume-role-with-web-identity", "--role-arn", role_arn,
                             "--role-session-name", "deploy", "--web-identity-token", main, keys={})
        assert answer["SubjectFromWebIdentityToken"] == f"repo:{repository}:ref:refs/heads/main"
        assert learner.grade(lab) == 1.0

    def test_the_trust_policy_alone_misses_the_deployment(self, learner, lab):
        values = learner_variables(learner.sandbox, lab.definition)
        provider = f"arn:aws:iam::{learner.account}:oidc-provider/{GITHUB}"
        learner.create_role("GitHubDeployRole", {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{GITHUB}:aud": "sts.amazonaws.com",
                f"{GITHUB}:sub": f"repo:{values['github_org']}/{values['repo']}:ref:refs/heads/main"}}}]})
        assert learner.grade(lab) == pytest.approx(5 / 6)


class FederationSetupTests:
    def test_starting_and_resetting_twice_keeps_one_directory_and_one_provider(self, learner, catalog):
        lab = catalog["saml-federation"]
        lab_start(student=learner.user, lab=lab)
        lab_start(student=learner.user, lab=lab)
        lab_reset(student=learner.user, lab=lab)
        lab_reset(student=learner.user, lab=lab)
        assert sorted(user.name for user in selectors.directory_user_list(sandbox=learner.sandbox)) == ["alice", "bob"]
        assert [m.group for m in selectors.role_mapping_list(sandbox=learner.sandbox)] == ["developers"]
        providers = learner.aws("iam", "list-saml-providers")["SAMLProviderList"]
        assert [p["Arn"] for p in providers] == [f"arn:aws:iam::{learner.account}:saml-provider/CorpIdP"]
        assert learner.grade(lab) == 0.0

    def test_the_lab_replaces_its_own_directory_users_and_keeps_the_learners(self, learner, catalog):
        from sandbox.federation import services

        services.directory_user_create(sandbox=learner.sandbox, name="carol", groups=["ops"])
        services.directory_user_create(sandbox=learner.sandbox, name="alice", groups=["interns"])
        apply_setup(learner.sandbox, catalog["saml-federation"].definition)
        users = {user.name: user.groups for user in selectors.directory_user_list(sandbox=learner.sandbox)}
        assert users == {"alice": ["developers"], "bob": ["finance"], "carol": ["ops"]}

    def test_an_unknown_directory_user_is_named(self, learner, catalog):
        definition = catalog["saml-federation"].definition
        variables = apply_setup(learner.sandbox, definition)
        call = {"service": "sts", "action": "AssumeRoleWithSAML", "params": {
            "RoleArn": "arn:aws:iam::{{ account.management }}:role/SamlDeveloperRole",
            "PrincipalArn": "arn:aws:iam::{{ account.management }}:saml-provider/CorpIdP",
            "SAMLAssertion": {"idp_saml_assertion": {"user": "mallory"}}}}
        with pytest.raises(LabRunError, match="idp_saml_assertion: .*no user `mallory`"):
            run_calls(learner.sandbox, [call], variables)

    def test_a_console_sign_in_to_an_unmapped_user_is_refused_by_name(self, learner, catalog):
        variables = apply_setup(learner.sandbox, catalog["saml-federation"].definition)
        with pytest.raises(LabRunError, match="console:SamlSignIn failed: `bob` is in no group"):
            run_calls(learner.sandbox, [{"service": "console", "action": "SamlSignIn", "params": {"user": "bob"}}],
                      variables)
