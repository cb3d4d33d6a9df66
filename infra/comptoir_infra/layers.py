"""Stage each Lambda layer of the spec as a directory CDK can turn into an asset.

A layer is `build/layers/<name>/python/<package>/` (Lambda puts `python/` on sys.path). Staging the
package source alone is offline and is what synthesis uses; `with_dependencies=True` also installs the
layer's third-party packages (its extra in pyproject.toml) as wheels for the Lambda platform, for a
deployable build (the cdk CLI path, `make deploy`).
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from comptoir_infra.spec import REPO_ROOT, Layer

DEFAULT_BUILD_DIR = REPO_ROOT / "build"
LAMBDA_PYTHON_VERSION = "3.12"
# The Lambda python3.12 runtime runs Amazon Linux 2023 (glibc 2.34) on x86_64: manylinux2014 wheels run
# there, and so do manylinux_2_28 ones, which some packages (pikepdf) publish exclusively nowadays.
LAMBDA_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
# The runtime ships boto3; a second copy in a layer only costs size against the 250 MB unzipped limit.
PROVIDED_BY_RUNTIME = frozenset({"boto3"})


def layer_dir(layer: Layer, build_dir: Path = DEFAULT_BUILD_DIR) -> Path:
    return build_dir / "layers" / layer.name


def stage_layer(
    layer: Layer, build_dir: Path = DEFAULT_BUILD_DIR, *, with_dependencies: bool = False
) -> Path:
    """Rebuild the layer's directory from scratch and return it (the directory that holds `python/`)."""
    root = layer_dir(layer, build_dir)
    python_dir = root / "python"
    # From scratch every time: a file deleted from the source must not survive in the layer.
    shutil.rmtree(root, ignore_errors=True)
    python_dir.mkdir(parents=True)
    if with_dependencies:
        install_requirements(requirements_of(layer.extra), python_dir)
    shutil.copytree(
        layer.source_dir / layer.package,
        python_dir / layer.package,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return root


def requirements_of(extra: str, pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The requirement strings of one optional-dependencies extra, minus what the runtime provides."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = project["optional-dependencies"][extra]
    return [req for req in requirements if _distribution(req) not in PROVIDED_BY_RUNTIME]


def install_requirements(requirements: list[str], target: Path) -> None:
    if not requirements:
        return
    platforms = [arg for platform in LAMBDA_PLATFORMS for arg in ("--platform", platform)]
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        # Wheels only: nothing may be compiled for this machine instead of the Lambda one.
        "--only-binary=:all:",
        *platforms,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON_VERSION,
        # Byte code compiled by this interpreter would be for its version, not the runtime's.
        "--no-compile",
        "--target",
        str(target),
        *requirements,
    ]
    subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, requirements from pyproject.toml


def _distribution(requirement: str) -> str:
    name = requirement
    for separator in "[<>=!~; ":
        name = name.split(separator, 1)[0]
    return name.strip().lower()
