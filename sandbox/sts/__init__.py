"""Our STS: AssumeRole, GetSessionToken and GetCallerIdentity with AWS's rules (moto's STS is never used)."""
