"""Build steps of the book, called by the Makefile and the tests.

    python book/_tools/bookbuild.py chapters          # chapters in the table of contents
    python book/_tools/bookbuild.py inputs            # what every executed chapter depends on
    python book/_tools/bookbuild.py execute SRC DST   # run one chapter; its key numbers go beside DST
    python book/_tools/bookbuild.py stage MATHJAX_DIR # assemble the sources Jupyter Book renders
    python book/_tools/bookbuild.py lab NB [-p NAME VALUE ...]  # a chapter as a lab (make lab)

Chapters are executed into ``book/_build/executed/`` (mirroring ``book/``),
each writing its key numbers to a JSON file beside the executed notebook
(:func:`key_numbers_file`), which the chapter tests read; Jupyter Book renders
that folder with execution turned off.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

BOOK = Path(__file__).resolve().parent.parent
ROOT = BOOK.parent
BUILD = BOOK / "_build"
EXECUTED = BUILD / "executed"
#: Where a chapter that failed is kept, partly executed, for reading.
FAILED = BUILD / "failed"
#: Packages whose versions the Execution statistics page lists.
REPORTED_PACKAGES = [
    "scaling-lawlib",  # lawlib's distribution name
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "papermill",
    "jupyter-book",
    "sphinx",
]


def _toc_files(entries) -> list[str]:
    files = []
    for entry in entries:
        if "file" in entry:
            files.append(entry["file"])
        for key in ("chapters", "sections", "parts"):
            files += _toc_files(entry.get(key, []))
    return files


def toc_documents() -> list[str]:
    """Every document in ``_toc.yml``, root first, without suffix."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [
        toc["root"],
        *_toc_files(toc.get("parts", []) + toc.get("chapters", [])),
    ]


def chapters() -> list[Path]:
    """Notebook chapters listed in the table of contents, in reading order."""
    found = [BOOK / f"{doc}.ipynb" for doc in toc_documents()]
    return [path for path in found if path.exists()]


def _shown(path: Path) -> str:
    """`path` relative to the repository when inside it, else as given."""
    return (
        str(path.relative_to(BOOK.parent))
        if path.is_relative_to(BOOK.parent)
        else str(path)
    )


def inputs() -> list[Path]:
    """What every executed chapter depends on besides itself: ``lawlib/``, ``data/``, the pins.

    The Makefile re-executes a chapter older than any of these, and the chapter
    tests call such an executed chapter stale.
    """
    code = sorted((ROOT / "lawlib").rglob("*.py"))
    data = sorted(p for p in (ROOT / "data").rglob("*") if p.is_file())
    found = [
        p
        for p in code + data
        if "datasets" not in p.relative_to(ROOT).parts[1:2]
    ]
    return [*found, ROOT / "constraints.txt"]


def stale(source: Path, executed: Path) -> list[Path]:
    """The chapter and inputs newer than its executed copy (empty when it is up to date)."""
    built = executed.stat().st_mtime
    return [p for p in [source, *inputs()] if p.stat().st_mtime > built]


def key_numbers_file(executed: Path) -> Path:
    """Where the build writes the key numbers of the executed chapter `executed`."""
    return executed.with_suffix(".key_numbers.json")


def _hide_injected_parameters(target: Path) -> None:
    """Tag papermill's injected-parameters cell ``remove-cell`` so the site does not show it."""
    notebook = json.loads(target.read_text())
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    target.write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    )


#: Kernels started for one chapter before its execution fails: a kernel can die before it runs a
#: cell when two builds pick the same free port at once (``make -j2``).
KERNEL_STARTS = 3


def execute(
    source: Path, target: Path, parameters: dict | None = None
) -> float:
    """Execute chapter `source` into `target` with papermill; return the seconds taken.

    A failing cell raises SystemExit with the chapter and the cell named.
    Parameters given here show in the executed notebook as papermill's
    injected-parameters cell, tagged so that the site does not show it.
    """
    import papermill

    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        for attempt in range(KERNEL_STARTS):
            try:
                papermill.execute_notebook(
                    str(source),
                    str(target),
                    parameters=parameters or {},
                    cwd=str(BOOK),
                    kernel_name="python3",
                    progress_bar=False,
                )
                break
            except RuntimeError as err:
                # a kernel that dies before it answers (two kernels started at once can pick
                # the same free port) ran no cell: start another
                if (
                    "Kernel died before replying" not in str(err)
                    or attempt == KERNEL_STARTS - 1
                ):
                    raise
    except papermill.PapermillExecutionError as err:
        # kept outside the Makefile's targets, which make deletes on failure
        kept = (
            FAILED / target.relative_to(BUILD)
            if BUILD in target.parents
            else target
        )
        if kept != target and target.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(target, kept)
        raise SystemExit(
            f"chapter {_shown(source)} failed in cell [{err.exec_count}] "
            f"(code cell {err.cell_index}): {err.ename}: {err.evalue}\n"
            f"the partly executed notebook is at {_shown(kept)}"
        ) from None
    if parameters:
        _hide_injected_parameters(target)
    return time.perf_counter() - start


def build_chapter(source: Path, target: Path) -> float:
    """Execute `source` for the site with its own parameters, writing its key numbers beside `target`."""
    numbers = key_numbers_file(target)
    numbers.unlink(missing_ok=True)
    # relative to the chapter's working directory, so the executed notebook names no local path
    seconds = execute(
        source, target, {"key_numbers_path": os.path.relpath(numbers, BOOK)}
    )
    if not numbers.exists():
        raise SystemExit(
            f"chapter {_shown(source)} ran but wrote no key numbers to {numbers}"
        )
    return seconds


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(
            f"the status page reports {package}, which is not installed: run `make setup`"
        ) from None


def status_table() -> str:
    """Markdown tables: seconds per executed chapter, and package versions."""
    rows = ["| chapter | executed | seconds |", "| --- | --- | ---: |"]
    for source in chapters():
        executed = EXECUTED / source.relative_to(BOOK)
        meta = json.loads(executed.read_text())["metadata"].get(
            "papermill", {}
        )
        document = source.relative_to(BOOK).with_suffix("").as_posix()
        rows.append(
            f"| {{doc}}`{document}` | {meta.get('end_time', '')[:19].replace('T', ' ')} "
            f"| {meta.get('duration', float('nan')):.1f} |"
        )
    versions = [
        "| package | version |",
        "| --- | --- |",
        f"| Python | {platform.python_version()} |",
    ]
    versions += [
        f"| {name} | {_version(name)} |" for name in REPORTED_PACKAGES
    ]
    return "\n".join(rows) + "\n\n" + "\n".join(versions) + "\n"


def stage(mathjax_dir: Path) -> None:
    """Copy every non-notebook source into the executed folder, add MathJax and the status table."""
    for path in BOOK.rglob("*"):
        relative = path.relative_to(BOOK)
        if (
            relative.parts[0] in ("_build", "_tools")
            or path.is_dir()
            or path.suffix == ".ipynb"
        ):
            continue
        destination = EXECUTED / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    mathjax_target = EXECUTED / "_static" / "mathjax"
    shutil.rmtree(mathjax_target, ignore_errors=True)
    mathjax_target.mkdir(parents=True)
    shutil.copy2(mathjax_dir / "tex-chtml.js", mathjax_target / "tex-chtml.js")
    shutil.copytree(mathjax_dir / "output", mathjax_target / "output")
    (EXECUTED / "_status_table.md").write_text(status_table())
    # Sphinx re-reads a page when its own file changed, not when a file it includes did
    (EXECUTED / "status.md").touch()


#: Lab parameters that name files: read relative to where the lab was started.
PATH_SUFFIXES = ("_csv", "_path", "_file")


def _typed(text: str):
    """A ``-p`` value as papermill reads it: a number, True/False/None, or text."""
    named = {"True": True, "False": False, "None": None}
    if text in named:
        return named[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _yaml(text: str, where: str) -> dict:
    """Parameters given as YAML: a mapping of names to values, or one line saying why not."""
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0]
        raise SystemExit(f"lab: {where}: not valid YAML ({first})") from None
    if not isinstance(values, dict):
        raise SystemExit(
            f"lab: {where}: expected name: value pairs, got {type(values).__name__}"
        )
    return values


def lab_parameters(source: Path, options: list[str], cwd: Path) -> dict:
    """Papermill's ``-p/-r/-y/-f`` options as a dict, checked against the chapter's parameters.

    Unknown names stop the lab with one line listing the chapter's parameters;
    parameters that name files are made absolute relative to `cwd` (where the
    user ran the command), since chapters run from ``book/``.
    """
    import papermill.translators

    parameters: dict = {}
    items = iter(options)

    def take(option: str, what: str) -> str:
        value = next(items, None)
        if value is None:
            raise SystemExit(
                f"lab: {option} needs {what}; e.g. PARAMS='-p seed 1'"
            )
        return value

    for option in items:
        if option in ("-p", "--parameters"):
            name = take(option, "a name and a value")
            parameters[name] = _typed(take(f"{option} {name}", "a value"))
        elif option in ("-r", "--parameters_raw"):
            name = take(option, "a name and a value")
            parameters[name] = take(f"{option} {name}", "a value")
        elif option in ("-y", "--parameters_yaml"):
            parameters.update(
                _yaml(take(option, "YAML text"), f"{option} text")
            )
        elif option in ("-f", "--parameters_file"):
            name = take(option, "a YAML file")
            path = cwd / name
            if not path.is_file():
                raise SystemExit(f"lab: {option} {name}: no such file")
            parameters.update(_yaml(path.read_text(), f"{option} {name}"))
        else:
            raise SystemExit(
                f"lab: cannot read PARAMS item {option!r}; use -p NAME VALUE"
            )
    cell = next(
        c
        for c in json.loads(source.read_text())["cells"]
        if "parameters" in c["metadata"].get("tags", [])
    )
    known = [
        p.name
        for p in papermill.translators.PythonTranslator.inspect(
            {"source": "".join(cell["source"])}
        )
    ]
    unknown = [name for name in parameters if name not in known]
    if unknown:
        raise SystemExit(
            f"lab: {_shown(source)} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are {', '.join(known)}"
        )
    for name, value in parameters.items():
        if name.endswith(PATH_SUFFIXES) and isinstance(value, str) and value:
            parameters[name] = str((cwd / value).resolve())
    return parameters


def lab_output(source: Path, parameters: dict) -> Path:
    """Where a lab run is written: named from the chapter and its parameters, never overwritten."""
    slug = "_".join(
        f"{name}-{Path(str(value)).name if name.endswith(PATH_SUFFIXES) else value}"
        for name, value in parameters.items()
    )
    slug = re.sub(r"[^A-Za-z0-9._+-]+", "-", slug).strip("-")[:80]
    stem = source.stem + (f"__{slug}" if slug else "")
    target = BUILD / "labs" / f"{stem}.ipynb"
    counter = 2
    while target.exists():
        target = BUILD / "labs" / f"{stem}__run{counter}.ipynb"
        counter += 1
    return target


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "chapters":
        print("\n".join(_shown(path) for path in chapters()))
    elif command == "execute":
        source, target = Path(args[0]).resolve(), Path(args[1]).resolve()
        seconds = build_chapter(source, target)
        print(f"executed {_shown(source)} in {seconds:.1f} s")
    elif command == "inputs":
        print("\n".join(os.path.relpath(path, ROOT) for path in inputs()))
    elif command == "stage":
        stage(Path(args[0]))
    elif command == "lab":
        source, options = Path(args[0]).resolve(), args[1:]
        if not source.is_file():
            raise SystemExit(
                f"lab: no chapter {args[0]}; NB=book/<chapter>.ipynb"
            )
        parameters = lab_parameters(source, options, Path.cwd())
        target = lab_output(source, parameters)
        execute(source, target, parameters)
        print(f"executed notebook: {os.path.relpath(target)}")
    else:
        raise SystemExit(
            f"unknown command {command!r}; use chapters, inputs, execute, stage or lab"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
