"""The CDK entry point for the cdk CLI, run from this folder (see cdk.json): `cdk diff`, `cdk deploy`.

The CLI is the deploy path, so the layers get their third-party wheels unless told otherwise:
`cdk synth -c layerDependencies=false` synthesises offline. `make synth` does not use this file; it runs
`python -m comptoir_infra.synth`.
"""

import aws_cdk as cdk

from comptoir_infra.layers import DEFAULT_BUILD_DIR
from comptoir_infra.synth import add_stack, clean_chalice_packages

app = cdk.App()
# Context from `-c key=value` arrives as a string, from cdk.json as JSON: compare on the text.
with_dependencies = str(app.node.try_get_context("layerDependencies")).lower() != "false"
add_stack(
    app,
    stage=app.node.try_get_context("stage") or "prod",
    build_dir=DEFAULT_BUILD_DIR,
    with_layer_dependencies=with_dependencies,
)
app.synth()
clean_chalice_packages(DEFAULT_BUILD_DIR)
