"""Reading tags the way each cloud compares keys.

AWS keys are case-sensitive. Azure compares tag names without regard to case. Google labels
allow only lowercase letters, digits, ``_`` and ``-``, so ``finops:team`` is written
``finops_team``: a required key matches the label with ``:`` and other characters as ``_``.
Kubernetes label keys are ``prefix/name``: ``finops:team`` matches ``finops/team`` and a
domain-qualified ``finops.example.com/team``.
"""

from __future__ import annotations

import re

from costwarden.model import Resource

_LABEL_UNSAFE = re.compile(r"[^a-z0-9_-]")


def normalize_key(provider: str, key: str) -> str:
    if provider == "google":
        return _LABEL_UNSAFE.sub("_", key.lower())
    if provider == "azure":
        return key.casefold()
    if provider == "kubernetes":
        prefix, _, name = key.lower().replace(":", "/").rpartition("/")
        return f"{prefix.split('.')[0]}/{name}" if prefix else name
    return key


def tag_value(resource: Resource, key: str) -> tuple[bool, str | None]:
    """``(present, value)``; a present key's value is ``None`` when unknown until apply."""
    tags = resource.tags
    if key in tags:
        return True, tags[key]
    wanted = normalize_key(resource.provider, key)
    for name, value in tags.items():
        if normalize_key(resource.provider, name) == wanted:
            return True, value
    return False, None


def tags_may_change(resource: Resource) -> bool:
    """True when more tags may be added at apply time (``tags_all`` or defaults unknown)."""
    return "tags" in resource.unknown
