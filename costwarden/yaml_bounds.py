"""Bounds on a composed YAML document, checked before it is built, for every YAML reader
(inputs, the config, the usage file, Rego data): a few KB of nested aliases (a "billion
laughs") would otherwise cost minutes and gigabytes in whatever walks the data.

The walk is iterative, so no input can exhaust the stack. Without anchors a document is as
large as its text and libyaml bounds its depth, so callers walk only texts holding ``&``.
"""

from __future__ import annotations

import yaml

MAX_NODES = 500_000
"""Nodes a document may hold once its aliases are expanded."""
MAX_DEPTH = 200
"""Levels of nesting; Kubernetes and SageMaker documents use a few dozen at most."""


def out_of_bounds(root: yaml.Node) -> tuple[str, int] | None:
    """Why the document is refused and the line, or ``None`` when it is within bounds."""
    expanded: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in _children(node))
            if expanded[key] > MAX_NODES:
                return f"YAML aliases expand beyond {MAX_NODES:,} nodes", line_of(node)
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            return "a YAML alias refers to itself", line_of(node)
        if depth > MAX_DEPTH:
            return f"YAML nested deeper than {MAX_DEPTH} levels", line_of(node)
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in expanded)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
