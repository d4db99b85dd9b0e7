"""Regenerate sandbox/data/aws_managed_policies.json, the curated AWS managed policies, from moto's copy of AWS's data.

Usage: python scripts/extract_managed_policies.py [--check]
With --check, writes nothing and exits 1 if the file is not what this script would write (for CI after a moto upgrade).
Fails loudly when a curated name is not in moto's data: pick the policy's current name instead of dropping it.
"""
from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "sandbox" / "data" / "aws_managed_policies.json"

# The policies learners meet most: job functions, the read-only / full-access pairs of the services the course
# uses, and the service-role policies that labs attach to roles for Lambda, EC2, ECS, EMR and AWS Config.
CURATED_NAMES = (
    # Job functions and broad access
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "ViewOnlyAccess",
    "SecurityAudit",
    "Billing",
    "DatabaseAdministrator",
    "DataScientist",
    "NetworkAdministrator",
    "SystemAdministrator",
    "AWSSupportAccess",
    # IAM and identity
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "IAMUserChangePassword",
    "IAMSelfManageServiceSpecificCredentials",
    "IAMAccessAnalyzerReadOnlyAccess",
    "AWSIAMIdentityCenterAllowListForIdentityContext",
    "AWSOrganizationsFullAccess",
    "AWSOrganizationsReadOnlyAccess",
    "AWSAccountManagementReadOnlyAccess",
    "AWSBillingReadOnlyAccess",
    # Storage and databases
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonRDSFullAccess",
    "AmazonRDSReadOnlyAccess",
    # Compute and networking
    "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess",
    "AmazonEC2RoleforSSM",
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMReadOnlyAccess",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonVPCFullAccess",
    "AmazonVPCReadOnlyAccess",
    "AmazonRoute53ReadOnlyAccess",
    # Lambda
    "AWSLambda_FullAccess",
    "AWSLambda_ReadOnlyAccess",
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaExecute",
    "AWSLambdaRole",
    "AWSLambdaVPCAccessExecutionRole",
    # Messaging and streaming
    "AmazonSQSFullAccess",
    "AmazonSQSReadOnlyAccess",
    "AmazonSNSFullAccess",
    "AmazonSNSReadOnlyAccess",
    "AmazonKinesisReadOnlyAccess",
    # Monitoring, audit and configuration
    "CloudWatchFullAccess",
    "CloudWatchReadOnlyAccess",
    "CloudWatchLogsFullAccess",
    "CloudWatchAgentServerPolicy",
    "AWSCloudTrail_FullAccess",
    "AWSCloudTrail_ReadOnlyAccess",
    "AWS_ConfigRole",
    "AWSXrayWriteOnlyAccess",
    # Security services
    "AWSKeyManagementServicePowerUser",
    "SecretsManagerReadWrite",
    # Deployment and developer tools
    "AWSCloudFormationFullAccess",
    "AWSCodeCommitReadOnly",
    "AWSCodePipeline_ReadOnlyAccess",
    # EMR service roles
    "AmazonElasticMapReduceRole",
    "AmazonElasticMapReduceforEC2Role",
    "AmazonEMRServicePolicy_v2",
)

# AWS's own order, so a document reads as it does in the console ("Version" first, then "Statement").
_DOCUMENT_KEY_ORDER = ("Version", "Id", "Statement")
_STATEMENT_KEY_ORDER = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
)


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = [key for key in order if key in mapping]
    rest = sorted(key for key in mapping if key not in order)
    return {key: mapping[key] for key in known + rest}


def canonical_document(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with AWS's key order; values (and Condition blocks) are kept as they are."""
    result = _ordered(document, _DOCUMENT_KEY_ORDER)
    statements = result.get("Statement")
    if isinstance(statements, list):
        result["Statement"] = [
            _ordered(statement, _STATEMENT_KEY_ORDER) if isinstance(statement, dict) else statement
            for statement in statements
        ]
    elif isinstance(statements, dict):
        result["Statement"] = _ordered(statements, _STATEMENT_KEY_ORDER)
    return result


def policy_record(name: str, data: dict[str, Any]) -> dict[str, Any]:
    path = data.get("Path") or "/"
    return {
        "name": name,
        "arn": f"arn:aws:iam::aws:policy{path}{name}",
        "path": path,
        "description": data.get("Description") or "",
        "default_version_id": data["DefaultVersionId"],
        "create_date": data["CreateDate"],
        "update_date": data["UpdateDate"],
        "document": canonical_document(data["Document"]),
    }


def build() -> str:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    moto_data: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    duplicates = sorted({name for name in CURATED_NAMES if CURATED_NAMES.count(name) > 1})
    if duplicates:
        raise SystemExit(f"curated names listed twice: {', '.join(duplicates)}")
    missing = [name for name in CURATED_NAMES if name not in moto_data]
    if missing:
        raise SystemExit(
            f"not in moto {package_version('moto')}'s AWS managed policies: {', '.join(missing)}"
            " (renamed or retired by AWS? pick the current name)"
        )
    content = {
        "source": f"moto {package_version('moto')}, moto/iam/aws_managed_policies.py",
        "generated_by": "scripts/extract_managed_policies.py",
        "policies": [policy_record(name, moto_data[name]) for name in sorted(CURATED_NAMES)],
    }
    return json.dumps(content, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date; write nothing")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            message = f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/extract_managed_policies.py"
            print(message, file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(CURATED_NAMES)} policies, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
