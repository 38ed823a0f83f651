"""The deploy build: uv.lock is the one source of the layer's packages, and tools/check_layer.py
refuses a layer that would fail on Lambda (a missing package, a module compiled for another
machine or a newer glibc, a file missing, engage without its metadata, an undeclared import).
`make build` runs the check on the real layer; these tests hold the checker to its word on small
layers made here."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from tools.check_layer import (
    ROOT,
    Target,
    check_layer,
    locked_runtime_packages,
    normalize,
    target_from_template,
)

ARM = Target("aarch64")
PYDANTIC_SO = "pydantic_core/_pydantic_core.cpython-311-aarch64-linux-gnu.so"
ARGON2_SO = "_argon2_cffi_bindings/_ffi.abi3.so"


def _elf(machine: int) -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(44)


def _install(site: Path, name: str, version: str, files: dict[str, bytes], tags: list[str]) -> None:
    """Writes a distribution as pip would: its files, METADATA, WHEEL and a RECORD of hashes."""
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    files = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": ("Wheel-Version: 1.0\n" + "".join(f"Tag: {t}\n" for t in tags)).encode(),
    }
    record = []
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{rel},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    (site / info / "RECORD").write_text("\n".join(record) + "\n")


LOCK = {
    "package": [
        {
            "name": "engage",
            "version": "0.1.0",
            "source": {"editable": "."},
            "dependencies": [
                {"name": "argon2-cffi-bindings"},
                {"name": "pydantic-core"},
                {"name": "colorama", "marker": "sys_platform == 'win32'"},
            ],
            "optional-dependencies": {"dev": [{"name": "moto"}]},
        },
        {"name": "argon2-cffi-bindings", "version": "26.2.0", "dependencies": []},
        {"name": "pydantic-core", "version": "2.46.5", "dependencies": [{"name": "Typing_Ext"}]},
        {"name": "Typing_Ext", "version": "4.0"},
        {"name": "colorama", "version": "0.4.6"},
        {"name": "moto", "version": "5.2.5"},
    ]
}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The engage package of a checkout: one module that imports a locked package."""
    package = tmp_path / "src" / "engage"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("import pydantic_core\n")
    return package


@pytest.fixture
def site(tmp_path: Path, source: Path) -> Path:
    """A complete layer for `LOCK` on arm64: what `sam build` should produce."""
    site = tmp_path / "layer" / "python"
    site.mkdir(parents=True)
    _install(
        site,
        "argon2-cffi-bindings",
        "26.2.0",
        {ARGON2_SO: _elf(183)},
        ["cp310-abi3-manylinux_2_26_aarch64"],
    )
    _install(
        site,
        "pydantic_core",
        "2.46.5",
        {PYDANTIC_SO: _elf(183), "pydantic_core/__init__.py": b""},
        ["cp311-cp311-manylinux_2_17_aarch64", "cp311-cp311-manylinux2014_aarch64"],
    )
    _install(site, "typing-ext", "4.0", {"typing_ext.py": b""}, ["py3-none-any"])
    _install(
        site,
        "engage",
        "0.1.0",
        {"engage/__init__.py": (source / "__init__.py").read_bytes()},
        ["py3-none-any"],
    )
    return site


def _problems(site: Path, source: Path) -> list[str]:
    return check_layer(site, LOCK, ARM, "0.1.0", source, source.rglob("*.py"))


def test_a_layer_holding_exactly_the_locked_packages_for_arm64_passes(
    site: Path, source: Path
) -> None:
    assert _problems(site, source) == []


def test_a_locked_package_missing_from_the_layer_is_named(site: Path, source: Path) -> None:
    (site / "typing_ext.py").unlink()
    shutil.rmtree(site / "typing_ext-4.0.dist-info")

    assert "typing-ext==4.0: locked, not in the layer" in _problems(site, source)


def test_a_failed_dependency_install_cannot_pass_as_a_build(site: Path, source: Path) -> None:
    """The bug of issue 8: a cached build said "Build Succeeded" without _argon2_cffi_bindings."""
    (site / ARGON2_SO).unlink()

    problems = _problems(site, source)

    assert f"{ARGON2_SO}: missing (a compiled module every deployed function loads)" in problems
    assert (
        "argon2-cffi-bindings: _argon2_cffi_bindings/_ffi.abi3.so is listed in RECORD but missing"
        in problems
    )


def test_a_module_compiled_for_this_x86_64_machine_is_refused(site: Path, source: Path) -> None:
    (site / PYDANTIC_SO).write_bytes(_elf(62))

    problems = _problems(site, source)

    assert f"{PYDANTIC_SO}: ELF machine 62, not aarch64 (183)" in problems
    assert f"pydantic_core: {PYDANTIC_SO} differs from its RECORD hash" in problems


def test_a_wheel_needing_a_newer_glibc_than_lambdas_is_refused(
    tmp_path: Path, source: Path
) -> None:
    site = tmp_path / "other" / "python"
    site.mkdir(parents=True)
    _install(
        site,
        "argon2-cffi-bindings",
        "26.2.0",
        {ARGON2_SO: _elf(183)},
        ["cp310-abi3-manylinux_2_28_aarch64"],
    )

    problems = check_layer(site, LOCK, ARM, "0.1.0", source)

    assert (
        "argon2-cffi-bindings: no wheel tag loads on aarch64 Lambda "
        "(tags: cp310-abi3-manylinux_2_28_aarch64)" in problems
    )


def test_a_package_the_lock_does_not_pin_is_refused(site: Path, source: Path) -> None:
    _install(site, "colorama", "0.4.6", {"colorama/__init__.py": b""}, ["py3-none-any"])

    assert _problems(site, source) == ["colorama==0.4.6: in the layer, not locked"]


def test_engage_must_come_with_its_metadata_and_every_source_file(site: Path, source: Path) -> None:
    (source / "static.json").write_text("{}")
    shutil.rmtree(site / "engage-0.1.0.dist-info")

    problems = _problems(site, source)

    assert "engage==0.1.0: locked, not in the layer" in problems
    assert any(p.startswith("engage: metadata.version('engage') from the layer") for p in problems)
    assert (
        "engage: engage/static.json is not in the layer (add it to [tool.setuptools.package-data]?)"
        in problems
    )


def test_an_import_no_layer_package_provides_is_named(site: Path, source: Path) -> None:
    (source / "uses_yaml.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import yaml\n"
        "if TYPE_CHECKING:\n"
        "    import mypy_boto3_sqs\n"
    )

    problems = _problems(site, source)

    assert [p for p in problems if "imports" in p] == [
        f"{source / 'uses_yaml.py'}: imports yaml, which the layer lacks"
    ]


def test_the_lock_gives_the_layer_every_runtime_package_and_no_dev_or_windows_one() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())

    runtime = locked_runtime_packages(lock, "engage", ARM)

    assert {
        "argon2-cffi-bindings",
        "pydantic-core",
        "fastapi-offline",
        "fastapi",
        "twilio",
    } <= runtime.keys()
    assert not {"moto", "pytest", "uv", "colorama", "pywin32"} & runtime.keys()


def test_the_layers_requirements_pin_what_the_lock_pins_for_arm64_lambda() -> None:
    """layers/engage/requirements.txt is generated by `make lock`; `make check-lock` diffs it."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    text = (ROOT / "layers/engage/requirements.txt").read_text()

    pins = {normalize(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}

    assert pins == locked_runtime_packages(lock, "engage", ARM)


def test_moto_is_pinned_to_the_release_the_local_shim_patches() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert "moto[server]==5.2.5" in project["optional-dependencies"]["dev"]


def test_the_template_builds_the_layer_from_the_lock_for_the_functions_architecture() -> None:
    target, problems = target_from_template(ROOT / "template.yaml")

    assert (target, problems) == (ARM, [])
    assert "BuildMethod: makefile" in (ROOT / "template.yaml").read_text()
    assert "cached = false" in (ROOT / "samconfig.toml").read_text()
