"""Layer staging, offline: our package source under python/, nothing compiled, nothing stale."""

import pytest

from comptoir_infra import layers
from comptoir_infra.spec import SPEC

LAYERS = {layer.name: layer for layer in SPEC.layers}


@pytest.mark.parametrize("layer_name", LAYERS)
def test_a_staged_layer_holds_the_package_source_under_python(tmp_path, layer_name):
    layer = LAYERS[layer_name]
    staged = layers.stage_layer(layer, tmp_path)
    source_files = {p.relative_to(layer.source_dir) for p in (layer.source_dir / layer.package).rglob("*.py")}
    staged_files = {p.relative_to(staged / "python") for p in (staged / "python").rglob("*.py")}
    assert staged_files == source_files


@pytest.mark.parametrize("layer_name", LAYERS)
def test_a_staged_layer_carries_no_bytecode(tmp_path, layer_name):
    staged = layers.stage_layer(LAYERS[layer_name], tmp_path)
    assert not list(staged.rglob("__pycache__"))
    assert not list(staged.rglob("*.pyc"))


def test_staging_again_drops_what_is_no_longer_in_the_source(tmp_path):
    layer = SPEC.layers[0]
    stale = layers.stage_layer(layer, tmp_path) / "python" / "gone.py"
    stale.write_text("")
    layers.stage_layer(layer, tmp_path)
    assert not stale.exists()


def test_staging_without_dependencies_installs_nothing(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("pip must not run")

    monkeypatch.setattr(layers, "install_requirements", refuse)
    layers.stage_layer(SPEC.layers[0], tmp_path)


@pytest.mark.parametrize("layer_name", LAYERS)
def test_a_layer_installs_its_pyproject_extra_except_what_the_runtime_provides(layer_name):
    requirements = layers.requirements_of(LAYERS[layer_name].extra)
    assert requirements
    assert not [r for r in requirements if r.lower().startswith("boto3")]
