import re

import pytest

from costwarden.policies import BUILTIN


@pytest.mark.parametrize("policy", BUILTIN, ids=lambda p: p.id)
def test_every_builtin_is_documented_and_named(policy):
    assert re.fullmatch(r"CW[1-5]\d\d", policy.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name)
    assert "Fails" in policy.doc and "Passes" in policy.doc
    assert policy.doc.splitlines()[0].endswith((".", ":"))


def test_ids_and_names_are_unique():
    assert len({p.id for p in BUILTIN}) == len({p.name for p in BUILTIN}) == len(BUILTIN)
