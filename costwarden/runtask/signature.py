"""``X-TFC-Task-Signature``: HMAC-SHA512 of the raw body, lowercase hex."""

from __future__ import annotations

import hashlib
import hmac

from costwarden.runtask.request import BadRequestError

HEADER = "x-tfc-task-signature"


def sign(body: bytes, key: bytes) -> str:
    return hmac.new(key, body, hashlib.sha512).hexdigest()


def verify(body: bytes, signature: str, key: bytes | None) -> None:
    """Raise ``BadRequestError`` unless the signature fits the key: 401 wrong or missing, 400 unexpected."""
    if key is None:
        if signature:
            raise BadRequestError(400, "unexpected X-TFC-Task-Signature header: this server has no HMAC key")
        return
    if not signature:
        raise BadRequestError(401, "missing X-TFC-Task-Signature header")
    if not hmac.compare_digest(signature.strip().lower().encode(), sign(body, key).encode()):
        raise BadRequestError(401, "X-TFC-Task-Signature does not match the request body")
