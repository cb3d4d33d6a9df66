"""Load every Chalice app in one process, each under its own module name, from its path."""

import importlib.util
import sys
from types import ModuleType

from comptoir_infra.spec import SPEC, App


def module_name(app: App) -> str:
    return f"comptoir_fn_{app.name}"


def load_app_module(app: App) -> ModuleType:
    name = module_name(app)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, app.source_dir / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no app.py in {app.source_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_all() -> dict[str, ModuleType]:
    """Every app of the spec, by app name."""
    return {app.name: load_app_module(app) for app in SPEC.apps}
