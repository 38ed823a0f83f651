"""Checks the built Lambda layer against uv.lock: `python -m tools.check_layer` (`make check-layer`,
run by `make build` and so by `make test`). Exits 1 and lists every problem found.

The layer is `.aws-sam/build/EngageLayer/python` (Lambda puts a layer's `python/` on sys.path).
It must hold, for the architecture template.yaml deploys (arm64 -> aarch64):

- every runtime package uv.lock pins for that platform (the `engage` project's dependencies and
  theirs, environment markers evaluated for Linux, CPython 3.11, that architecture), at the
  locked version, each with every file its RECORD lists (and that file's hash), and nothing else;
- wheels only for that platform: each WHEEL tag CPython 3.11 on Lambda's python3.11 runtime can
  load (abi3 or cp311, manylinux up to glibc 2.26: Amazon Linux 2), each ELF file (`*.so`) built
  for that machine; among them the compiled modules auth and validation import on every request
  (`_argon2_cffi_bindings/_ffi.abi3.so`, `pydantic_core/_pydantic_core.cpython-311-*.so`);
- the `engage` package as a distribution, so `importlib.metadata.version("engage")` answers the
  version of pyproject.toml from the layer alone, with every source file of layers/engage/engage;
- every third-party module that engage or a function imports (outside `if TYPE_CHECKING:`).

Sources: wheel tags and manylinux, PEP 425 / PEP 600; RECORD, PEP 376 / PEP 627; Lambda layer
paths and runtimes (Amazon Linux 2 for python3.11), the AWS Lambda developer guide.
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.markers import Marker
from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LAYER_ID = "EngageLayer"
# Lambda's python3.11 runtime runs on Amazon Linux 2, whose glibc is 2.26.
LAMBDA_GLIBC = (2, 26)
ARCHES = {"arm64": "aarch64", "x86_64": "x86_64"}
ELF_MACHINE = {"aarch64": 183, "x86_64": 62}


@dataclass(frozen=True)
class Target:
    """The platform the layer is built for: machine (`aarch64`), Python (3, 11), glibc bound."""

    machine: str
    python: tuple[int, int] = (3, 11)
    glibc: tuple[int, int] = LAMBDA_GLIBC

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker variables of Lambda's CPython on Linux for this machine."""
        version = f"{self.python[0]}.{self.python[1]}"
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{version}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{version}.0",
            "python_version": version,
            "sys_platform": "linux",
            "extra": "",
        }

    def platforms(self) -> list[str]:
        """manylinux platform tags this glibc loads, newest first (PEP 600, plus legacy aliases)."""
        major, newest = self.glibc
        tags = [f"manylinux_{major}_{minor}_{self.machine}" for minor in range(newest, 4, -1)]
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        tags += [f"{alias}_{self.machine}" for minor, alias in legacy.items() if minor <= newest]
        return tags

    def tags(self) -> set[Tag]:
        """Every wheel tag the target interpreter accepts."""
        platforms = self.platforms()
        return set(cpython_tags(self.python, platforms=platforms)) | set(
            compatible_tags(self.python, f"cp{self.python[0]}{self.python[1]}", platforms)
        )

    def extension_suffix(self) -> str:
        """The file suffix of a version-specific extension module (`.cpython-311-...so`)."""
        return f".cpython-{self.python[0]}{self.python[1]}-{self.machine}-linux-gnu.so"


def normalize(name: str) -> str:
    """PEP 503 normal form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


class _TemplateLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (`!Ref x`) as plain values."""


_TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def target_from_template(path: Path) -> tuple[Target, list[str]]:
    """The layer's target from template.yaml, and the disagreements found on the way: the
    functions' architecture (Globals), the layer's compatible ones and its build architecture
    must be one and the same, and its runtimes python3.11."""
    template = yaml.load(path.read_text(), Loader=_TemplateLoader)  # noqa: S506 (safe loader)
    layer = template["Resources"][LAYER_ID]
    declared = {
        "Globals.Function.Architectures": template["Globals"]["Function"].get("Architectures"),
        f"{LAYER_ID}.CompatibleArchitectures": layer["Properties"].get("CompatibleArchitectures"),
        f"{LAYER_ID} Metadata.BuildArchitecture": [
            layer.get("Metadata", {}).get("BuildArchitecture")
        ],
    }
    problems = []
    if len({tuple(v or ()) for v in declared.values()}) != 1:
        problems.append(f"template.yaml: architectures disagree: {declared}")
    runtimes = layer["Properties"].get("CompatibleRuntimes")
    if runtimes != ["python3.11"]:
        problems.append(
            f"template.yaml: {LAYER_ID} runtimes {runtimes}, this check knows python3.11"
        )
    arch = (declared["Globals.Function.Architectures"] or ["x86_64"])[0]
    return Target(ARCHES.get(arch, arch)), problems


def locked_runtime_packages(
    lock: Mapping[str, Any], project: str, target: Target
) -> dict[str, str]:
    """Normalized name -> version of every package uv.lock installs for `project`'s runtime
    dependencies (no extras of the project itself) on `target`: the dependency graph of the
    lock walked from the project, each edge's marker evaluated for the target."""
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for package in lock["package"]:
        by_name.setdefault(package["name"], []).append(package)
    env = target.marker_environment()

    def entry(dep: Mapping[str, Any]) -> Mapping[str, Any]:
        candidates = by_name[dep["name"]]
        if "version" in dep:
            candidates = [p for p in candidates if p.get("version") == dep["version"]]
        if len(candidates) != 1:
            raise ValueError(f"uv.lock: cannot tell which {dep['name']} is meant: {dep}")
        return candidates[0]

    found: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[Mapping[str, Any], str]] = [(entry({"name": project}), "")]
    while todo:
        package, extra = todo.pop()
        if (package["name"], extra) in seen:
            continue
        seen.add((package["name"], extra))
        if package["name"] != project:
            found[normalize(package["name"])] = package["version"]
        if extra:
            edges = package.get("optional-dependencies", {}).get(extra, [])
        else:
            edges = package.get("dependencies", [])
        for dep in edges:
            if "marker" in dep and not Marker(dep["marker"]).evaluate(env):
                continue
            child = entry(dep)
            todo.append((child, ""))
            todo.extend((child, e) for e in dep.get("extra", []))
    return found


def _files_hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _elf_machine(path: Path) -> int | None:
    """e_machine of an ELF file (little-endian, as on both Lambda machines), None if not ELF."""
    with path.open("rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    return int.from_bytes(header[18:20], "little")


def _check_distribution(dist: importlib.metadata.Distribution, target: Target) -> Iterator[str]:
    name = dist.metadata["Name"]
    wheel = (dist.read_text("WHEEL") or "").splitlines()
    tags = {t for line in wheel if line.startswith("Tag:") for t in parse_tag(line[4:].strip())}
    if not tags & target.tags():
        shown = ", ".join(sorted(map(str, tags))) or "none"
        yield f"{name}: no wheel tag loads on {target.machine} Lambda (tags: {shown})"
    for file in dist.files or ():
        if file.parts[0] == "..":
            continue  # console scripts, outside the importable tree
        where = Path(str(dist.locate_file(file)))
        if not where.is_file():
            yield f"{name}: {file} is listed in RECORD but missing"
        elif file.hash and f"{file.hash.mode}={file.hash.value}" != _files_hash(where):
            yield f"{name}: {file} differs from its RECORD hash"


def _check_compiled(site: Path, target: Target) -> Iterator[str]:
    want = ELF_MACHINE[target.machine]
    for path in sorted(site.rglob("*.so*")):
        machine = _elf_machine(path) if path.is_file() else None
        rel = path.relative_to(site)
        if machine is not None and machine != want:
            yield f"{rel}: ELF machine {machine}, not {target.machine} ({want})"
        if ".cpython-" in path.name and not path.name.endswith(target.extension_suffix()):
            yield f"{rel}: built for another interpreter (want *{target.extension_suffix()})"
    sentinels = [
        "_argon2_cffi_bindings/_ffi.abi3.so",
        f"pydantic_core/_pydantic_core{target.extension_suffix()}",
    ]
    for sentinel in sentinels:
        if not (site / sentinel).is_file():
            yield f"{sentinel}: missing (a compiled module every deployed function loads)"


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith(
        "TYPE_CHECKING"
    )


def imported_modules(tree: ast.AST) -> set[str]:
    """Top-level names of the absolute imports of a module, leaving out `if TYPE_CHECKING:`."""
    names: set[str] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        if _type_checking_only(node):
            todo.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        todo.extend(ast.iter_child_nodes(node))
    return names


def _top_level_names(site: Path) -> set[str]:
    names = set()
    for entry in site.iterdir():
        if entry.is_dir() and not entry.name.endswith((".dist-info", ".data")):
            names.add(entry.name)
        elif entry.suffix in {".py", ".so"}:
            names.add(entry.name.split(".")[0])
    return names


def _check_imports(site: Path, code: Iterable[Path]) -> Iterator[str]:
    available = _top_level_names(site) | set(sys.stdlib_module_names)
    for path in sorted(code):
        local = {p.stem for p in path.parent.glob("*.py")}
        tree = ast.parse(path.read_text(), str(path))
        for name in sorted(imported_modules(tree) - available - local):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            yield f"{shown}: imports {name}, which the layer lacks"


def _check_engage(site: Path, version: str, package_source: Path) -> Iterator[str]:
    probe = (
        "import importlib.metadata as m, sys; sys.path.insert(0, sys.argv[1]); "
        "print(m.version('engage'))"
    )
    # -I -S: only the standard library and the layer, never this checkout's venv.
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0 or run.stdout.strip() != version:
        tail = (run.stderr.strip().splitlines() or [run.stdout.strip()])[-1]
        yield f"engage: metadata.version('engage') from the layer: {tail!r}, want {version}"
    for source in sorted(package_source.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts or source.suffix == ".pyc":
            continue
        rel = source.relative_to(package_source.parent)
        built = site / rel
        if not built.is_file():
            yield f"engage: {rel} is not in the layer (add it to [tool.setuptools.package-data]?)"
        elif built.read_bytes() != source.read_bytes():
            yield f"engage: {rel} in the layer differs from the checkout (stale build?)"


def check_layer(
    site: Path,
    lock: Mapping[str, Any],
    target: Target,
    project_version: str,
    package_source: Path,
    code: Iterable[Path] = (),
) -> list[str]:
    """Every problem of the layer directory `site` (the layer's `python/`), as lines to print;
    an empty list when the layer is complete. See the module docstring for what is checked."""
    if not site.is_dir():
        return [f"{site}: no built layer here (run `make build`)"]
    want = locked_runtime_packages(lock, "engage", target) | {"engage": project_version}
    installed: dict[str, importlib.metadata.Distribution] = {}
    problems = []
    for dist in importlib.metadata.distributions(path=[str(site)]):
        if dist.metadata["Name"] is None:
            problems.append(f"{getattr(dist, '_path', site)}: a dist-info without METADATA")
        else:
            installed[normalize(dist.metadata["Name"])] = dist
    problems += [
        f"{name}=={want[name]}: locked, not in the layer"
        for name in sorted(want.keys() - installed.keys())
    ]
    problems += [
        f"{name}=={installed[name].version}: in the layer, not locked"
        for name in sorted(installed.keys() - want.keys())
    ]
    for name in sorted(want.keys() & installed.keys()):
        dist = installed[name]
        if Version(dist.version) != Version(want[name]):
            problems.append(f"{name}: {dist.version} in the layer, {want[name]} locked")
        problems += _check_distribution(dist, target)
    problems += _check_compiled(site, target)
    problems += _check_engage(site, project_version, package_source)
    problems += _check_imports(site, code)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: prints the problems (exit 1) or a one-line summary (exit 0)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", type=Path, default=ROOT / ".aws-sam/build" / LAYER_ID / "python")
    parser.add_argument("--lock", type=Path, default=ROOT / "uv.lock")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    args = parser.parse_args(argv)
    target, problems = target_from_template(args.template)
    lock = tomllib.loads(args.lock.read_text())
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    source = ROOT / "layers/engage/engage"
    code = [*source.rglob("*.py"), *(ROOT / "functions").glob("*/*.py")]
    problems += check_layer(args.layer, lock, target, version, source, code)
    if problems:
        print(
            f"{args.layer}: the layer is incomplete or wrong for {target.machine} Lambda:",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    count = sum(1 for _ in importlib.metadata.distributions(path=[str(args.layer)]))
    compiled = sum(1 for p in args.layer.rglob("*.so") if _elf_machine(p) is not None)
    print(
        f"layer OK: {count} distributions as locked, {compiled} compiled modules "
        f"for {target.machine}, engage {version}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
