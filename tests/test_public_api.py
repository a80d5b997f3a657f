import costwarden


def test_all_is_sorted_and_pinned():
    assert costwarden.__all__ == sorted(costwarden.__all__)
    assert costwarden.__all__ == [
        "CatalogInfo",
        "Compute",
        "Config",
        "CostImpact",
        "CostwardenError",
        "Document",
        "Gpu",
        "Location",
        "Overrides",
        "PolicyInfo",
        "Problem",
        "Remedy",
        "Resource",
        "ResourceCost",
        "Scaling",
        "ScanOptions",
        "ScanResult",
        "Severity",
        "SuppressOptions",
        "Suppression",
        "Totals",
        "Violation",
        "__version__",
        "load_config",
        "prepare",
        "scan",
    ]


def test_every_name_exists():
    for name in costwarden.__all__:
        assert hasattr(costwarden, name), name


def test_package_layout_follows_the_design():
    from importlib import import_module

    for room in (
        "engine",
        "loaders",
        "policies",
        "rego",
        "pricing",
        "metrics",
        "reports",
        "sources",
        "integrations",
        "cli",
    ):
        import_module(f"costwarden.{room}")


def test_the_engine_imports_no_shell():
    """The flow is one way: the engine and what it calls never import the shells built on it."""
    import re
    from pathlib import Path

    package = Path(costwarden.__file__).parent
    shells = re.compile(r"^\s*(from|import) costwarden\.(cli|runtask|integrations)\b", re.M)
    inner = ("engine", "sources", "policies", "loaders", "pricing", "metrics", "rego", "suppress", "reports")
    offenders = [
        str(path.relative_to(package))
        for room in inner
        for path in (package / room).rglob("*.py")
        if shells.search(path.read_text())
    ]
    assert offenders == []


def test_each_registered_loader_names_its_module_and_patterns():
    import importlib

    from costwarden.loaders import LOADERS

    for name, registered in LOADERS.items():
        module = importlib.import_module(f"costwarden.loaders.{registered.module_name}")
        assert (module.NAME, module.PATTERNS) == (name, registered.PATTERNS) == (registered.NAME, registered.PATTERNS)
