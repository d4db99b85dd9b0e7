"""moto's error texts rewritten to the ones IAM itself sends, where they differ (learners read these)."""
from __future__ import annotations

import re

from sandbox.endpoint.dispatch import MotoResponse

# (moto's message, IAM's message). https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and the
# per-action error examples of the IAM API reference.
REWRITES: tuple[tuple[re.Pattern[bytes], bytes], ...] = (
    (re.compile(rb"<Message>Role (.+?) not found</Message>"),
     rb"<Message>The role with name \1 cannot be found.</Message>"),
    (re.compile(rb"<Message>Group (.+?) not found</Message>"),
     rb"<Message>The group with name \1 cannot be found.</Message>"),
    (re.compile(rb"<Message>Policy (arn:\S+?) not found</Message>"), rb"<Message>Policy \1 was not found.</Message>"),
    (re.compile(rb"<Message>Instance profile (.+?) not found</Message>"),
     rb"<Message>Instance Profile \1 cannot be found.</Message>"),
    # AWS's texts as LocalStack recorded them against AWS (GetSAMLProvider; its IAM provider for login profiles).
    (re.compile(rb"<Message>SamlProvider (arn:\S+?) not found</Message>"),
     rb"<Message>Manifest not found for arn \1</Message>"),
    (re.compile(rb"<Message>Login profile for (.+?) not found</Message>"),
     rb"<Message>Login Profile for User \1 cannot be found.</Message>"),
)
# moto repeats the message in a lower-case <message> element that IAM does not send.
_LOWER_MESSAGE = re.compile(rb"<message>.*?</message>", re.S)


def aws_wording(answer: MotoResponse) -> MotoResponse:
    if answer.status < 400:
        return answer
    body = _LOWER_MESSAGE.sub(b"", answer.body)
    for pattern, replacement in REWRITES:
        body = pattern.sub(replacement, body)
    return MotoResponse(answer.status, answer.headers, body)
