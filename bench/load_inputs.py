"""Read inputs the way a scan does, and nothing more: no policies, prices or reports.

    python bench/load_inputs.py PATH...      # prints resources and not-evaluated entries

The time of this process, less that of ``python -c "import costwarden.engine.inputs"``, is what
reading and evaluating the inputs costs (a ``.tf`` tree: finding its roots and evaluating them).
"""

from __future__ import annotations

import sys

from costwarden.engine.inputs import load_inputs


def main(argv: list[str]) -> int:
    resources = not_evaluated = errors = 0
    for _name, loaded in load_inputs(argv[1:], None, None):
        resources += len(loaded.resources)
        not_evaluated += len(loaded.not_evaluated)
        errors += len(loaded.errors)
    print(f"{resources} resources, {not_evaluated} not evaluated, {errors} errors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
