"""Project conventions: dependencies in step, chapters stripped and parameterised, citations resolved."""

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from papermill.translators import PythonTranslator

import bookbuild
from conftest import BOOK, ROOT

CHAPTERS = bookbuild.chapters()


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= set(extra)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = [dep for dep in environment if isinstance(dep, str)]
    pip = next(dep["pip"] for dep in environment if isinstance(dep, dict))
    listed = {dep for dep in conda if not dep.startswith(("python", "pip"))} | {
        dep for dep in pip if dep != "-e ."
    }
    assert {_normalise(d) for d in listed} == {_normalise(d) for d in wanted}
    assert f"python{project['requires-python']}" in conda
    assert "-e ." in pip


def test_every_toc_entry_exists_and_chapters_are_found():
    for document in bookbuild.toc_documents():
        assert (BOOK / f"{document}.ipynb").exists() or (BOOK / f"{document}.md").exists(), document
    assert [path.stem for path in CHAPTERS][:3] == ["intro", "fitting_power_laws", "kaplan"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_is_committed_without_outputs(chapter):
    notebook = json.loads(chapter.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{chapter.name}: outputs committed"
            )
        assert "injected-parameters" not in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_parameters_cell_follows_imports_and_holds_commented_literals(chapter):
    cells = [
        cell for cell in json.loads(chapter.read_text())["cells"] if cell["cell_type"] == "code"
    ]
    tagged = [i for i, cell in enumerate(cells) if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1, f"{chapter.name}: expected one cell tagged 'parameters'"
    assert "import lawlib" in "".join(cells[tagged[0] - 1]["source"]), (
        "the imports cell must come right before"
    )
    source = "".join(cells[tagged[0]]["source"])
    names = []
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name), (
            f"{chapter.name}: the parameters cell holds only assignments: {ast.unparse(node)}"
        )
        ast.literal_eval(node.value)  # literals only
        names.append(node.targets[0].id)
    # what `papermill --help-notebook` lists: every parameter, each with its meaning
    helps = {p.name: p.help for p in PythonTranslator.inspect({"source": source})}
    assert list(helps) == names, (
        f"{chapter.name}: papermill sees {list(helps)}, the cell sets {names}"
    )
    undocumented = [name for name, text in helps.items() if not text]
    assert not undocumented, (
        f"{chapter.name}: parameters without a '# meaning' comment: {undocumented}"
    )
    assert "key_numbers_path" in names


def test_every_citation_has_a_bibliography_entry():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (BOOK / "references.bib").read_text(), flags=re.M))
    texts = [path.read_text() for path in list(BOOK.glob("*.md")) + CHAPTERS]
    cited = {
        key.strip()
        for text in texts
        for group in re.findall(r"\{cite[pt]?\}`([^`]+)`", text)
        for key in group.split(",")
    }
    assert cited, "no citations found"
    assert cited <= keys, f"cited without an entry: {sorted(cited - keys)}"


def test_readme_ci_and_workflow_use_the_make_targets():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    assert {"run": "make test"} in steps, "the workflow must run the tests"
    assert any(step.get("with", {}).get("path") == "book/_build/html" for step in steps)
    assert workflow["jobs"]["deploy"]["needs"] == "test", "only a tested site is published"


def _ruff(*args):
    ruff = Path(sys.executable).parent / "ruff"
    # no cache: a test run must not write into book/, whose files the site is built from
    return subprocess.run(
        [str(ruff), *args, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_and_format_are_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        done = _ruff(*args)
        assert done.returncode == 0, f"ruff {' '.join(args)}:\n{done.stdout}{done.stderr}"


def test_mypy_is_clean_on_the_library():
    mypy = Path(sys.executable).parent / "mypy"
    done = subprocess.run(
        [str(mypy), "--cache-dir=/dev/null"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (ROOT / "lawlib" / "py.typed").exists()


def test_ruff_covers_library_tests_benchmarks_tools_and_chapters():
    files = set(_ruff("check", "--show-files", ".").stdout.split())
    for path in [
        ROOT / "lawlib" / "chinchilla.py",
        ROOT / "tests" / "test_project.py",
        ROOT / "benchmarks" / "bench_chinchilla.py",
        BOOK / "_tools" / "bookbuild.py",
        *CHAPTERS,
    ]:
        assert str(path) in files, f"ruff does not read {path.relative_to(ROOT)}"


#: Part V's templates are forms for a researcher's own runs: overview and takeaways, no exercises.
TEMPLATES = {"fit_your_runs", "fit_your_mixture"}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_anatomy(chapter):
    cells = json.loads(chapter.read_text())["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    assert "```{admonition} Overview" in "".join(cells[0]["source"]), (
        "an Overview opens the chapter"
    )
    assert "```{admonition} Key takeaways" in text
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
    solutions = re.findall(r"```\{solution-start\} (\S+)", text)
    assert sorted(exercises) == sorted(solutions), "every exercise has one solution"
    if chapter.stem not in TEMPLATES:
        assert len(exercises) >= 3, f"{chapter.name}: {len(exercises)} exercises, want at least 3"
    takeaways = text[text.index("```{admonition} Key takeaways") :]
    takeaways = takeaways[: takeaways.index("\n```", 10)]
    if "{glue}" not in takeaways:
        assert not re.search(r"\d\.\d{2,}", takeaways), "numbers in takeaways come from {glue}"


#: Modules that implement a published method: every public function and class there cites it.
METHOD_MODULES = {
    "allocation",
    "chinchilla",
    "downstream",
    "entropy",
    "filtering",
    "inference",
    "logfit",
    "mixtures.bimix",
    "mixtures.mixing_law",
    "mixtures.optimum",
    "objectives",
    "optimize",
    "powerlaw",
    "repetition",
    "resampling",
    "sweep",
    "toy",
    "uncertainty",
    "varpro",
}


def _public_objects():
    import importlib
    import inspect
    import pkgutil

    import lawlib

    for module in pkgutil.walk_packages(lawlib.__path__, "lawlib."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        for name, obj in vars(loaded).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.name:
                continue
            if inspect.isfunction(obj) or (
                inspect.isclass(obj) and not issubclass(obj, BaseException)
            ):
                yield module.name.removeprefix("lawlib."), name, obj


def test_every_public_function_has_numpydoc_sections():
    import inspect

    missing = []
    for module, name, obj in _public_objects():
        doc = inspect.getdoc(obj) or ""
        wanted = []
        if inspect.isfunction(obj):
            if inspect.signature(obj).parameters:
                wanted.append("Parameters")
            wanted.append("Returns")
        elif "Attributes\n----------" not in doc:
            wanted.append("Parameters")
        if module in METHOD_MODULES:
            wanted.append("References")
        missing += [
            f"{module}.{name}: {section}"
            for section in wanted
            if f"{section}\n{'-' * len(section)}" not in doc
        ]
    assert not missing, "\n".join(missing)


def _api_pages():
    return {page.stem: page.read_text() for page in (BOOK / "api").glob("*.md")}


def test_api_reference_documents_every_public_name_on_its_module_page():
    pages = _api_pages()
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    (appendix,) = [p for p in toc["parts"] if p["caption"] == "Appendix"]
    (api,) = [c for c in appendix["chapters"] if c["file"] == "api"]
    assert sorted(s["file"] for s in api["sections"]) == sorted(f"api/{m}" for m in pages)
    missing = []
    for module, name, _ in _public_objects():
        top = module.split(".")[0]
        if top == "cli":  # the command line is documented in the README
            continue
        entry = re.compile(rf"\.\. auto\w+:: {re.escape(name)}\n")
        if not entry.search(pages.get(top, "")):
            missing.append(f"{module}.{name} (page api/{top}.md)")
    assert not missing, "not in the API reference:\n" + "\n".join(missing)
    index = (BOOK / "api.md").read_text()
    summarised = {
        f"{cur}.{name}"
        for cur, block in _current_blocks(index)
        for name in re.findall(r"^   (\w+)$", block, re.M)
    }
    documented = {
        (cur + "." + name if not name.startswith("lawlib.") else name)
        for text in pages.values()
        for cur, block in _current_blocks(text)
        for name in re.findall(r"^\.\. auto(?:class|function|exception):: (\S+)$", block, re.M)
    }
    assert documented - summarised == set(), "missing from the summary tables of api.md"
    assert summarised - documented == set(), "summarised but documented nowhere"


def _current_blocks(text):
    """(current module, text up to the next currentmodule) pairs of an API page."""
    pieces = re.split(r"^\.\. currentmodule:: (\S+)$", text, flags=re.M)
    return zip(pieces[1::2], pieces[2::2], strict=True)


def _equation_labels():
    labels = set()
    for chapter in bookbuild.chapters():
        for cell in json.loads(Path(chapter).read_text())["cells"]:
            labels |= set(re.findall(r"^\$\$ \(([\w-]+)\)$", "".join(cell["source"]), re.M))
    return labels


def test_notation_links_every_symbol_to_an_equation_that_exists():
    text = (BOOK / "notation.md").read_text()
    labels = _equation_labels()
    cited = set(re.findall(r"\{eq\}`([\w-]+)`", text))
    assert cited - labels == set(), "notation cites equations no chapter labels"
    symbol_tables = text.split("(notation-clashes)=")[0]
    rows = [r for r in symbol_tables.splitlines() if r.startswith("| $")]
    assert len(rows) > 50
    unlinked = [r for r in rows if not r.rstrip(" |").endswith("`")]
    assert not unlinked, "rows without a first equation:\n" + "\n".join(unlinked)
    clashes = text.split("(notation-clashes)=")[1]
    flagged = re.findall(r"^\| \$([^$]+)\$ \[‡\]", symbol_tables, re.M)
    clash_letters = {
        letter
        for row in clashes.splitlines()
        if row.startswith("| $")
        for letter in re.findall(r"\$([^$]+)\$", row.split("|")[1])
    }
    unexplained = {re.sub(r"_.*", "", s.split(",")[0].strip()) for s in flagged} - clash_letters
    assert not unexplained, f"flagged but not in the table of clashes: {unexplained}"


def test_one_spelling_in_the_library():
    british = re.compile(
        r"\b(optimis\w*|minimis\w*|normalis\w*|centre[ds]?|colour\w*|behaviour\w*|labelled|"
        r"modelled|parameteris\w*|summaris\w*|initialis\w*|analys(e|ed|es|ing))\b",
        re.IGNORECASE,
    )
    # names an issue fixed are contracts: simulate_isoflop's argument `centre` (issue 25)
    contract = re.compile(r"\bcentre\b")
    found = []
    for path in (ROOT / "lawlib").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            # chapter titles are quoted as the book spells them
            if british.search(contract.sub("", line)) and "Optimising the mixture" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_no_private_function_of_another_package_is_used():
    """A private name of papermill, Sphinx, pandas ... can change in any release."""
    others = r"(papermill|nbformat|nbclient|sphinx|myst_nb|jupyter_book|IPython|matplotlib|pandas|numpy|scipy)"
    private = re.compile(rf"\b{others}(\.\w+)*\._[a-z]\w*|from {others}(\.\w+)* import _[a-z]")
    found = []
    for folder in ("lawlib", "book/_tools", "book/_ext", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if private.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for chapter in BOOK.rglob("*.ipynb"):
        if "_build" not in chapter.parts and private.search(chapter.read_text()):
            found.append(str(chapter.relative_to(ROOT)))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("failures", "message", "calls", "succeeds"),
    [
        (1, "Kernel died before replying to kernel_info", 2, True),  # a port collision: again
        (3, "Kernel died before replying to kernel_info", 3, False),  # give up after three
        (1, "some other kernel error", 1, False),  # anything else fails at once
    ],
)
def test_execute_starts_another_kernel_only_when_one_died_before_answering(
    monkeypatch, tmp_path, failures, message, calls, succeeds
):
    import papermill

    made = []

    def fake(source, target, **kwargs):
        made.append(target)
        if len(made) <= failures:
            raise RuntimeError(message)
        Path(target).write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    target = tmp_path / "out.ipynb"
    if succeeds:
        bookbuild.execute(BOOK / "intro.ipynb", target)
        assert target.exists()
    else:
        with pytest.raises(RuntimeError, match=message):
            bookbuild.execute(BOOK / "intro.ipynb", target)
    assert len(made) == calls
