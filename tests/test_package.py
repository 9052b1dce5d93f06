"""lawlib as people install it: a wheel, installed outside the repository, with its data."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text()
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this checkout, installed into a folder outside it, and a shell to use it."""
    folder = tmp_path_factory.mktemp("installed")
    # build from a copy of what the distribution is made of (pip builds inside the source tree)
    source = folder / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-BOOK.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "lawlib", source / "lawlib", symlinks=True, ignore=IGNORED)
    shutil.copytree(ROOT / "data", source / "data", ignore=IGNORED)
    wheels = folder / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    (wheel,) = wheels.glob("*.whl")
    target = folder / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    script = bin_dir / "lawlib"  # the console script, as pip would make it
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lawlib "$@"\n')
    script.chmod(0o755)
    work = folder / "elsewhere"  # a working directory with no repository around it
    work.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    return {"wheel": wheel, "target": target, "work": work, "env": env}


def run(installed, command: str):
    return subprocess.run(
        ["bash", "-c", command],
        cwd=installed["work"],
        env=installed["env"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_distribution_name_and_its_metadata():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "scaling-lawlib"  # `lawlib` on the index is another project
    for key in ("license", "authors", "urls", "classifiers", "description"):
        assert project[key], key
    for path in ("LICENSE", "LICENSE-BOOK.md", "CHANGELOG.md", "CONTRIBUTING.md", "data/NOTICE.md"):
        assert (ROOT / path).is_file(), path
    import lawlib

    assert f"## {lawlib.__version__}" in (ROOT / "CHANGELOG.md").read_text()


def test_the_wheel_holds_every_dataset_and_the_notices(installed):
    import lawlib.data

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for name in lawlib.data.available().index:
        assert f"lawlib/datasets/{lawlib.data.DATASETS[name].path}" in names, name
    assert "lawlib/datasets/NOTICE.md" in names
    assert any(n.endswith("/licenses/LICENSE") or n.endswith("/LICENSE") for n in names)


def test_installed_lawlib_loads_every_dataset_outside_the_repository(installed):
    done = run(
        installed,
        f"""{sys.executable} -c '
import json, lawlib, lawlib.data
rows = {{name: len(lawlib.data.load(name)) for name in lawlib.data.available().index}}
print(json.dumps({{"file": lawlib.__file__, "rows": rows}}))'""",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["file"].startswith(str(installed["target"]))  # not the checkout
    assert result["rows"]["epoch2024"] == 245
    assert all(count > 0 for count in result["rows"].values())


#: The README's shell blocks of the command line (lines of `lawlib ...` and variables).
README_BLOCKS = [
    block
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    if all(re.match(r"lawlib |\w+=", line) for line in block.splitlines() if line.strip())
]


def readme_commands() -> list[str]:
    """Every `lawlib ...` line of the README's shell blocks."""
    return [
        line.split("#")[0].strip()
        for block in README_BLOCKS
        for line in block.splitlines()
        if line.startswith("lawlib ")
    ]


def test_the_readme_shows_the_command_line():
    assert len(readme_commands()) >= 4


@pytest.mark.parametrize("block", range(len(README_BLOCKS)))
def test_every_readme_command_runs_on_the_installed_package(installed, block, tmp_path):
    """Each shell block of the README runs as one script (its lines share variables and files)."""
    script = "set -euo pipefail\n" + README_BLOCKS[block].replace(
        "--bootstrap 200", "--bootstrap 20"
    )
    done = run({**installed, "work": tmp_path}, script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") >= sum(
        line.startswith("lawlib ") for line in README_BLOCKS[block].splitlines()
    )
    assert "Traceback" not in done.stderr
