"""Sandbox, Account, AccountSnapshot and Event: the durable truth behind the moto cache (and the training IdP)."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Sandbox(models.Model):
    """A learner's AWS world: their accounts, owned by exactly one user."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandbox")
    home_user_name = models.CharField(max_length=64)
    # The teaching clock: seconds added to real time for every expiry check in this sandbox (instructors and labs
    # fast-forward it so learners can watch credentials expire).
    clock_offset_seconds = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sandbox of {self.owner}"


class Organization(models.Model):
    """A learner's AWS organization: the management account (their home) and the member accounts."""

    sandbox = models.OneToOneField(Sandbox, on_delete=models.CASCADE, related_name="organization")
    org_id = models.CharField(max_length=12, unique=True)  # o- and 10 characters
    root_id = models.CharField(max_length=6, unique=True)  # r- and 4 characters
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.org_id


class Account(models.Model):
    """One AWS account in a sandbox. `snapshot_token` names the newest stored state of its moto backends."""

    class Kind(models.TextChoices):
        MANAGEMENT = "management", "Management account"
        MEMBER = "member", "Member account"
        EXTERNAL = "external", "Account outside the organization"

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="accounts")
    account_id = models.CharField(max_length=12, unique=True)
    alias = models.CharField(max_length=63, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MANAGEMENT)
    email = models.CharField(max_length=254, blank=True)
    is_home = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    snapshot_token = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sandbox"], condition=models.Q(is_home=True), name="one_home_account_per_sandbox"
            ),
        ]

    def __str__(self) -> str:
        return self.account_id


class AccountSnapshot(models.Model):
    """The pickled moto backends of one account at one version (written in the mutation's transaction)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    token = models.CharField(max_length=32)
    moto_version = models.CharField(max_length=32)
    data = models.BinaryField()
    is_start = models.BooleanField(default=False)  # the recorded start state that a reset restores
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "version"], name="one_snapshot_per_version")]


class AccessKeyOwner(models.Model):
    """Which account holds an access key id, so a signed request finds its secret (kept in the account's state)."""

    access_key_id = models.CharField(max_length=128, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_keys")
    user_name = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class Event(models.Model):
    """A CloudTrail-like record of one API call made in an account, successful or denied."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    event_time = models.DateTimeField(auto_now_add=True)
    event_source = models.CharField(max_length=64)
    event_name = models.CharField(max_length=64)
    user_identity = models.JSONField(default=dict)
    request_parameters = models.JSONField(default=dict)
    response_elements = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    request_id = models.CharField(max_length=64, blank=True)
    aws_region = models.CharField(max_length=32, default="us-east-1")
    source_ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    read_only = models.BooleanField(default=False)
    event_type = models.CharField(max_length=32, default="AwsApiCall")  # AwsConsoleSignIn for sign-in events
    additional_event_data = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-event_time"])]
        ordering = ["-event_time", "-id"]


class Bucket(models.Model):
    """An S3 bucket name and the account that owns it: names are unique across the whole installation, as in AWS.

    Written by `moto_store` in the same transaction as the owning account's snapshot, so it always names exactly
    the buckets the stored states hold.
    """

    name = models.CharField(max_length=63, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="buckets")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class OrganizationPolicy(models.Model):
    """An AWS Organizations policy (service control policies so far). FullAWSAccess is AWS managed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="policies")
    policy_id = models.CharField(max_length=130)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=512, blank=True)
    type = models.CharField(max_length=40, default="SERVICE_CONTROL_POLICY")
    content = models.TextField()
    aws_managed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "policy_id"], name="one_policy_id_per_organization"),
            models.UniqueConstraint(fields=["organization", "name"], name="one_policy_name_per_organization"),
        ]


class PolicyAttachment(models.Model):
    """An organization policy attached to a target: the root (`r-...`) or an account id."""

    policy = models.ForeignKey(OrganizationPolicy, on_delete=models.CASCADE, related_name="attachments")
    target_id = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "target_id"], name="one_attachment_per_target")]


class StsSession(models.Model):
    """Temporary credentials issued by our STS: an assumed-role session or a GetSessionToken session.

    Times are sandbox times (real time plus the sandbox's clock offset when issued). `account` is the account whose
    principal the credentials act as: the role's account, or the IAM user's for GetSessionToken.
    """

    class Kind(models.TextChoices):
        ASSUMED_ROLE = "assumed-role", "AssumeRole"
        SESSION_TOKEN = "session-token", "GetSessionToken"

    access_key_id = models.CharField(max_length=32, unique=True)
    secret_access_key = models.CharField(max_length=64)
    session_token = models.TextField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sts_sessions")
    # Assumed-role sessions: the role as it was when assumed (a re-created role of the same name is another role).
    role_name = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=512, default="/")  # the role's path, or the IAM user's
    role_id = models.CharField(max_length=32, blank=True)
    session_name = models.CharField(max_length=64, blank=True)
    # GetSessionToken sessions: the IAM user.
    user_name = models.CharField(max_length=64, blank=True)
    user_id = models.CharField(max_length=32, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    source_identity = models.CharField(max_length=64, blank=True)
    tags = models.JSONField(default=list)  # [{"Key", "Value"}]: the session tags, incoming transitive ones included
    transitive_tag_keys = models.JSONField(default=list)
    session_policy = models.TextField(blank=True)
    policy_arns = models.JSONField(default=list)
    chained = models.BooleanField(default=False)  # assumed with role-session credentials
    via_console = models.BooleanField(default=False)
    display_name = models.CharField(max_length=64, blank=True)  # console switches: what the top bar showed
    display_color = models.CharField(max_length=16, blank=True)
    issued_to = models.JSONField(default=dict)  # CloudTrail userIdentity of the caller that asked for it
    # AssumeRoleWithSAML / AssumeRoleWithWebIdentity sessions: the identity provider's keys the session keeps
    # (`saml:sub`, `saml:sub_type`, `saml:namequalifier`; `aws:FederatedProvider`), empty for other sessions.
    federated_keys = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-issued_at"])]


class MfaCodeUse(models.Model):
    """The last TOTP time step accepted for an MFA device, so that a code cannot be replayed within its window."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mfa_code_uses")
    serial_number = models.CharField(max_length=256)
    last_counter = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "serial_number"], name="one_mfa_use_per_device")]


class TrustBinding(models.Model):
    """The unique id an IAM user or role ARN in a trust policy stood for when the policy was saved.

    AWS keeps the principal's unique id, not its name: when the user or role is deleted and re-created under the
    same name, the trust policy no longer matches it. `role_account` + `role_name` name the trusting role.
    """

    role_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="trust_bindings")
    role_name = models.CharField(max_length=64)
    principal_arn = models.CharField(max_length=2048)
    unique_id = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["role_account", "role_name"])]


class Ec2Instance(models.Model):
    """An EC2 instance in a sandbox account: our own small EC2, not moto's (see reference/moto-facts.md).

    Launch and state-change times are sandbox times. `tags` is `{key: value}`.
    """

    class State(models.TextChoices):
        RUNNING = "running", "running"
        STOPPED = "stopped", "stopped"
        TERMINATED = "terminated", "terminated"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ec2_instances")
    region = models.CharField(max_length=32, default="us-east-1")
    instance_id = models.CharField(max_length=19, unique=True)  # i- and 17 hex digits
    reservation_id = models.CharField(max_length=19)
    launch_index = models.PositiveSmallIntegerField(default=0)
    image_id = models.CharField(max_length=21)
    instance_type = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    private_ip = models.CharField(max_length=15)
    tags = models.JSONField(default=dict)
    launched_at = models.DateTimeField()
    state_changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "region"])]

    def __str__(self) -> str:
        return self.instance_id


class Ec2ProfileAssociation(models.Model):
    """The IAM instance profile associated with an instance, as EC2 remembers it: by ARN and unique id."""

    association_id = models.CharField(max_length=27, unique=True)  # iip-assoc- and 17 hex digits
    instance = models.OneToOneField(Ec2Instance, on_delete=models.CASCADE, related_name="profile_association")
    profile_arn = models.CharField(max_length=2048)
    profile_id = models.CharField(max_length=32)
    associated_at = models.DateTimeField()


class LambdaFunction(models.Model):
    """A Lambda function's configuration. Its code is not kept: only its size and SHA-256 (base64), as Lambda shows."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lambda_functions")
    region = models.CharField(max_length=32, default="us-east-1")
    name = models.CharField(max_length=64)
    runtime = models.CharField(max_length=32)
    role_arn = models.CharField(max_length=2048)
    handler = models.CharField(max_length=128)
    description = models.CharField(max_length=256, blank=True)
    timeout = models.PositiveIntegerField(default=3)
    memory_size = models.PositiveIntegerField(default=128)
    environment = models.JSONField(default=dict)  # the variables: {name: value}
    tags = models.JSONField(default=dict)
    code_size = models.PositiveIntegerField()
    code_sha256 = models.CharField(max_length=44)
    revision_id = models.CharField(max_length=36)
    last_modified = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "region", "name"], name="one_function_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name


class IdentityProvider(models.Model):
    """The training identity provider a learner controls: a corporate directory, a SAML 2.0 IdP and OIDC issuers.

    `key` names the sandbox in the training OIDC issuer's URL (it is public: it only keeps issuers apart).
    """

    sandbox = models.OneToOneField(Sandbox, on_delete=models.CASCADE, related_name="identity_provider")
    key = models.CharField(max_length=16, unique=True)
    saml_entity_id = models.CharField(max_length=1024)
    # The SAML SessionDuration attribute for console sessions (900-43200), none when not sent.
    session_duration = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"identity provider of {self.sandbox}"


class IdpSigningKey(models.Model):
    """The RSA key pair one issuer of a training IdP signs with: SAML (with its self-signed certificate, which the
    metadata carries) or one OIDC issuer (its JWKS publishes the public key under `kid`)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="signing_keys")
    issuer = models.CharField(max_length=32)  # "saml" or an OIDC issuer profile: "oidc", "github", "google", ...
    kid = models.CharField(max_length=64)
    private_key_pem = models.TextField()
    certificate_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "issuer"], name="one_signing_key_per_issuer")]


class DirectoryUser(models.Model):
    """A person in the training IdP's corporate directory. `attributes` are SAML attributes by name (a string or a
    list of strings); `session_tags` become PrincipalTag attributes / the `https://aws.amazon.com/tags` claim."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="directory_users")
    name = models.CharField(max_length=64)  # the sign-in name, and the default RoleSessionName
    display_name = models.CharField(max_length=128, blank=True)
    email = models.CharField(max_length=254, blank=True)
    groups = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    session_tags = models.JSONField(default=dict, blank=True)
    transitive_tag_keys = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="one_directory_user_per_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleMapping(models.Model):
    """A directory group's entitlement: members get this role through this IAM SAML provider (the Role attribute's
    `role-arn,provider-arn` pair)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings")
    group = models.CharField(max_length=128)
    role_arn = models.CharField(max_length=2048)
    provider_arn = models.CharField(max_length=2048)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "group", "role_arn"], name="one_mapping_per_group_and_role"),
        ]
        ordering = ["group", "role_arn"]
