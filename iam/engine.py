"""`evaluate`: run every policy type against a request and combine the results."""

from __future__ import annotations

from iam import root, trust
from iam.combine import combine
from iam.context import Context, principal_keys
from iam.model import PolicyInputs, PolicyKind, PrincipalKind, Request
from iam.results import Evaluation, PolicyResult
from iam.statements import evaluate_policies


def evaluate(request: Request, policies: PolicyInputs, *, derive_principal_keys: bool = True) -> Evaluation:
    """Decide a request the way AWS would, with the statements and policy types behind it.

    The context gets `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    `aws:username` and `aws:userid` from the principal unless the request sets them. With
    `derive_principal_keys=False` nothing is added: the request's context is taken as complete
    (as `python -m iam simulate` does), so a key it does not give is absent. SCPs,
    identity-based policies, boundaries and session policies apply only to `AWS` principals;
    the root user gets a built-in identity-based policy allowing everything (`root.py`).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    derived = principal_keys(request.principal) if derive_principal_keys else Context()
    context = derived.merged_with(request.context)
    run = evaluate_policies
    aws_caller = request.principal is not None and request.principal.kind is PrincipalKind.AWS
    scps: tuple[PolicyResult, ...] = ()
    identity = boundary = session = resource = None
    if aws_caller:
        levels = enumerate(policies.scps)
        scps = tuple([run(PolicyKind.SCP, scp, request=request, context=context, level=n) for n, scp in levels])
        caller_policies = root.identity_policies(request.principal, policies.identity)
        identity = run(PolicyKind.IDENTITY, caller_policies, request=request, context=context)
        if policies.boundary:
            boundary = run(PolicyKind.BOUNDARY, (policies.boundary,), request=request, context=context)
        if policies.session:
            session = run(PolicyKind.SESSION, policies.session, request=request, context=context)
    if policies.resource is not None:
        kind = PolicyKind.TRUST if policies.resource.kind is PolicyKind.TRUST else PolicyKind.RESOURCE
        resource = run(kind, (policies.resource,), request=request, context=context, check_principal=True)
    access = trust.access_for(request, resource, trust=trust.is_trust_request(request, policies.resource))
    verdict = combine(
        scps=scps, resource=resource, identity=identity, boundary=boundary, session=session, access=access
    )
    results = tuple([result for result in (*scps, resource, identity, boundary, session) if result is not None])
    return Evaluation(
        request=request,
        decision=verdict.decision,
        reasons=verdict.reasons,
        policy_results=results,
        blocked_by=verdict.blocked_by,
        issues=tuple([issue for result in results for issue in result.issues]),
        cross_account=access.cross_account,
        rule=verdict.rule,
    )
