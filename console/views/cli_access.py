"""CLI access: endpoint, access key id, `aws configure` lines and an `~/.aws/config` with role profiles."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console import selectors
from console.http import HtmxHttpRequest
from console.selectors.cli_access import cli_access_get

ENDPOINT_PATH = "/aws"  # the AWS-compatible endpoint (config/urls.py)


@require_GET
@login_required
def cli_access(request: HtmxHttpRequest) -> HttpResponse:
    identity = selectors.console_identity(request, user=request.user)
    endpoint_url = request.build_absolute_uri(ENDPOINT_PATH)
    access = cli_access_get(user=request.user, identity=identity, endpoint_url=endpoint_url)
    return render(request, "console/cli_access.html", {"identity": identity, "access": access})
