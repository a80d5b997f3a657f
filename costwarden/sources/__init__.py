"""Where violations come from: one ``PolicySource`` protocol and its three kinds.

- ``python.PythonPolicies``: built-in and user ``@policy`` functions, one resource at a time;
- ``rego.RegoPolicies``: Rego files with conftest's conventions, on the embedded engine or OPA;
- ``checkov.CheckovPolicies``: Checkov's checks, run as its own process.

The engine runs every source of a prepared scan in one loop and prices what they find.
"""

from costwarden.sources.base import Outcome, PolicySource, Subject

__all__ = ["Outcome", "PolicySource", "Subject"]
