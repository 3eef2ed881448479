"""S3: the private evidence bucket (EvidenceBucket). Uploads come in by presigned POST, whose
policy S3 enforces (the key, the type, the size, the form's end); files go out by presigned GET.
Neither a link nor a key is ever logged."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aduan.aws.clients import error_code


class S3EvidenceBucket:
    """EvidenceBucket on S3."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def upload_form(self, key: str, content_type: str, max_size: int, expires_in: int) -> dict[str, Any]:
        # botocore adds the bucket and the exact key to the policy's conditions itself.
        form: dict[str, Any] = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_size]],
            ExpiresIn=expires_in,
        )
        return {"url": form["url"], "fields": form["fields"]}

    def link(self, key: str, expires_in: int = 300) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
        )
        return url

    def read(self, key: str, limit: int) -> bytes | None:
        """A ranged GET, so that a file larger than it may be is never read whole."""
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{limit - 1}")
        except ClientError as error:
            code = error_code(error)
            if code in ("NoSuchKey", "404"):
                return None
            if code == "InvalidRange":  # S3's answer to a range of an empty object
                return b""
            raise
        body: bytes = response["Body"].read(limit)
        return body

    def store(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)

    def discard(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)
