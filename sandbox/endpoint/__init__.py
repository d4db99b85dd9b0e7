"""The AWS-compatible HTTP endpoint at /aws/: signature verification, protocol parsing and dispatch to the sandbox."""
