"""``docs/policies.md``: every built-in policy's documentation (its docstring), one section each
under a stable anchor (``#cw101``) that SARIF's ``helpUri`` points to.

    python -m costwarden.policies.docs > docs/policies.md
"""

from __future__ import annotations

import sys

from costwarden.policies.base import Policy

DOCS_URL = "https://github.com/costwarden/costwarden/blob/main/docs/policies.md"


def help_uri(policy_id: str) -> str:
    return f"{DOCS_URL}#{policy_id.lower()}"


def render(policies: tuple[Policy, ...]) -> str:
    lines = [
        "# Built-in policies",
        "",
        "Generated from each policy's docstring (`python -m costwarden.policies.docs > docs/policies.md`);",
        "`costwarden policies ID` prints the same text.",
        "",
    ]
    for policy in policies:
        lines += [f"## {policy.id}", "", f"`{policy.name}` · default severity {policy.severity.label}", ""]
        lines += [policy.doc.strip(), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    from costwarden.policies import BUILTIN

    sys.stdout.write(render(BUILTIN))
