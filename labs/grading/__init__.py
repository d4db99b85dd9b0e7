"""Pure grading code: GradeResult, the built-in kinds of check, trust probes (no Django, no boto3)."""
