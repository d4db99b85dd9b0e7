"""aws-chunked request bodies (S3 streaming uploads): framing, chunk signatures and trailing headers."""
from __future__ import annotations

import re
from dataclasses import dataclass

_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


class AwsChunkedError(ValueError):
    """A body that is not well-formed aws-chunked framing."""


@dataclass(frozen=True, slots=True)
class AwsChunk:
    data: bytes
    signature: str | None = None  # `chunk-signature=` for STREAMING-AWS4-HMAC-SHA256-PAYLOAD


@dataclass(frozen=True, slots=True)
class AwsChunkedBody:
    chunks: tuple[AwsChunk, ...]  # every chunk, the final empty one included
    trailers: tuple[tuple[str, str], ...] = ()
    trailer_signature: str | None = None

    @property
    def data(self) -> bytes:
        return b"".join(chunk.data for chunk in self.chunks)


def parse_aws_chunked(body: bytes) -> AwsChunkedBody:
    """Split `size[;chunk-signature=sig]\\r\\ndata\\r\\n ... 0[;...]\\r\\ntrailer:value\\r\\n\\r\\n` into its parts."""
    chunks: list[AwsChunk] = []
    position = 0
    while True:
        end = body.find(b"\r\n", position)
        if end < 0:
            raise AwsChunkedError("a chunk header is not terminated by CRLF")
        size_text, _, extensions = body[position:end].partition(b";")
        if not _CHUNK_SIZE.fullmatch(size_text.strip()):
            raise AwsChunkedError(f"bad chunk size {size_text!r}")
        size = int(size_text.strip(), 16)
        signature = None
        for extension in extensions.split(b";"):
            name, _, value = extension.partition(b"=")
            if name.strip() == b"chunk-signature":
                signature = value.strip().decode("ascii", "replace")
        start = end + 2
        data = body[start:start + size]
        if len(data) != size:
            raise AwsChunkedError("the body ends inside a chunk")
        chunks.append(AwsChunk(data, signature))
        if size == 0:
            trailers, trailer_signature = _trailers(body[start:])
            return AwsChunkedBody(tuple(chunks), trailers, trailer_signature)
        if body[start + size:start + size + 2] != b"\r\n":
            raise AwsChunkedError("chunk data is not followed by CRLF")
        position = start + size + 2


def decode_aws_chunked(body: bytes) -> bytes:
    """The object bytes of an aws-chunked body (STREAMING-UNSIGNED-PAYLOAD-TRAILER, as recent botocore sends)."""
    return parse_aws_chunked(body).data


def _trailers(rest: bytes) -> tuple[tuple[tuple[str, str], ...], str | None]:
    try:
        text = rest.decode("ascii")
    except UnicodeDecodeError:
        raise AwsChunkedError("trailing headers are not ASCII") from None
    trailers: list[tuple[str, str]] = []
    signature = None
    for line in text.splitlines():  # clients differ on CRLF vs LF between trailers
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise AwsChunkedError(f"bad trailing header {line!r}")
        if name.strip().lower() == "x-amz-trailer-signature":
            signature = value.strip()
        else:
            trailers.append((name.strip().lower(), value.strip()))
    return tuple(trailers), signature
