"""Synthesise the stack to a CloudFormation template offline: no cdk CLI, no AWS account, no network.

python -m comptoir_infra.synth [--outdir cdk.out] [--with-layer-dependencies]
"""

import argparse
import json
import os
import shutil
from pathlib import Path

import aws_cdk as cdk

from comptoir_infra.layers import DEFAULT_BUILD_DIR
from comptoir_infra.stack import ComptoirStack

STACK_NAME = "Comptoir"
DEFAULT_REGION = "eu-west-1"


def add_stack(
    app: cdk.App,
    *,
    stage: str = "prod",
    build_dir: Path = DEFAULT_BUILD_DIR,
    with_layer_dependencies: bool = False,
) -> ComptoirStack:
    # `chalice package` needs a region to build ARNs, even though none of them ends up in the template.
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    return ComptoirStack(
        app,
        STACK_NAME,
        env=cdk.Environment(region=os.environ["AWS_DEFAULT_REGION"]),
        stage=stage,
        build_dir=build_dir,
        with_layer_dependencies=with_layer_dependencies,
    )


def synthesise(
    outdir: Path, *, build_dir: Path = DEFAULT_BUILD_DIR, with_layer_dependencies: bool = False
) -> dict:
    """Write `<outdir>/Comptoir.template.json` (and the assets beside it); return the template."""
    app = cdk.App(outdir=str(outdir))
    add_stack(app, build_dir=build_dir, with_layer_dependencies=with_layer_dependencies)
    assembly = app.synth()
    clean_chalice_packages(build_dir)
    template_file = Path(assembly.get_stack_by_name(STACK_NAME).template_full_path)
    return json.loads(template_file.read_text())


def clean_chalice_packages(build_dir: Path) -> None:
    """Once synthesised, the packages Chalice made are copied into the cloud assembly: drop the originals."""
    shutil.rmtree(Path(build_dir) / "chalice.out", ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Synthesise the Comptoir stack offline.")
    parser.add_argument("--outdir", type=Path, default=Path("cdk.out"))
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument(
        "--with-layer-dependencies",
        action="store_true",
        help="install the layers' third-party wheels (needs PyPI); without it the layers hold our code only",
    )
    args = parser.parse_args(argv)
    outdir = args.outdir.resolve()
    synthesise(
        outdir, build_dir=args.build_dir.resolve(), with_layer_dependencies=args.with_layer_dependencies
    )
    print(outdir / f"{STACK_NAME}.template.json")


if __name__ == "__main__":
    main()
