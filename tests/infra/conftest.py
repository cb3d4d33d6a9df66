"""The stack is synthesised once per session: `chalice package` for every app takes seconds."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

# Imported before synthesis, as any earlier test may have done: the authorizer's ARN is then the package-time
# placeholder, whatever the stage environment Chalice sets says, and only the stack's override can fix it.
import comptoir_core.api  # noqa: F401
from comptoir_infra.synth import STACK_NAME, synthesise


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory) -> tuple[Path, dict]:
    """The template file and its content, made the way `make synth` makes it: offline, no credentials."""
    root = tmp_path_factory.mktemp("synth")
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_DEFAULT_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"))
        template = synthesise(root / "cdk.out", build_dir=root / "build")
    return root / "cdk.out" / f"{STACK_NAME}.template.json", template


@pytest.fixture(scope="session")
def template_json(synthesised) -> dict:
    return synthesised[1]


@pytest.fixture(scope="session")
def template(template_json) -> Template:
    return Template.from_json(template_json)


@pytest.fixture(scope="session")
def cfn_lint_findings(synthesised) -> list[dict]:
    """cfn-lint's findings on the template, as `make synth` runs it (the console script of this venv)."""
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", str(synthesised[0])], capture_output=True, text=True, check=False
    )
    # 0: clean; 2, 4, 8 and their sums: errors, warnings, informational. Anything else is a crash.
    assert result.returncode & ~(2 | 4 | 8) == 0, result.stderr
    return json.loads(result.stdout or "[]")
