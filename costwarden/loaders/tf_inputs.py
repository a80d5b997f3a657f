"""What Terraform reads besides the ``.tf`` files: variable values, the workspace, which
folders are root modules."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TerraformInputs:
    var_files: tuple[Path, ...] = ()
    """``--var-file``, in order, after the root's own ``terraform.tfvars`` and ``*.auto.tfvars``."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """``--var NAME=VALUE``: the highest precedence, as on Terraform's command line."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """``TF_VAR_name`` values: the lowest precedence, below every file."""
    workspace: str = "default"
    """``terraform.workspace``."""
    roots: tuple[Path, ...] = ()
    """Folders that are root modules besides those that declare ``terraform {}`` or a provider."""

    @staticmethod
    def from_environ(environ: Mapping[str, str]) -> dict[str, str]:
        """``TF_VAR_*`` values of an environment, keyed by variable name."""
        return {key[7:]: value for key, value in environ.items() if key.startswith("TF_VAR_") and len(key) > 7}


def absolute(path: str | Path) -> str:
    """``path`` from the filesystem root, ``..`` folded, symlinks kept as named."""
    return os.path.normpath(Path(path).absolute())
