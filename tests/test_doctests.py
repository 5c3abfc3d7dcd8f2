"""Every example in every docstring under src/commonsky runs, and says what it claims.

One test per module. A module passes when:
- each ``>>>`` prompt in its source is an example doctest finds (a prompt followed only by a comment, or one in a
  docstring doctest cannot reach, is an example that never runs);
- every example it has runs without a failure, with doctest's default options (a module opts in to others with
  ``# doctest: +FLAG`` beside the example);
- no example is skipped (``# doctest: +SKIP``) unless the module is listed in `SKIPPED_EXAMPLES` with the reason,
  and at least one of its examples does run.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import commonsky

PACKAGE_DIR = Path(commonsky.__file__).resolve().parent
PROMPT = re.compile(r"^\s*>>>", re.MULTILINE)

# Modules whose examples are skipped on purpose, with why. Every skip must be explained here.
SKIPPED_EXAMPLES: dict[str, str] = {
    # Building the Diyala run reads the bundled world and the scenario (seconds); tests/sim builds it for real.
    "commonsky.sim.assembly": "builds a whole scenario run; covered by tests/sim/test_runner.py",
    # Starting a runner starts its pacing thread on the wall clock; tests/sim/test_runner.py runs it.
    "commonsky.sim.runner": "starts a background thread on the wall clock; covered by tests/sim/test_runner.py",
}


def module_names() -> list[str]:
    """Every module of the package, by dotted name. Left out: ``__main__`` (importing it runs the command line) and
    files outside regular packages (folders without ``__init__.py``, such as the Alembic migrations, which Alembic
    runs as scripts by path)."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        folders = [PACKAGE_DIR.parent.joinpath(*parts[:depth]) for depth in range(1, len(parts))]
        if parts[-1] == "__main__" or not all((folder / "__init__.py").is_file() for folder in folders):
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    prompts = len(PROMPT.findall(Path(module.__file__).read_text(encoding="utf-8")))
    tests = doctest.DocTestFinder().find(module)
    examples = [example for test in tests for example in test.examples]
    assert len(examples) == prompts, f"{name}: {prompts} '>>>' prompts but doctest finds {len(examples)} examples"
    if not examples:
        return
    skipped = sum(1 for example in examples if example.options.get(doctest.SKIP, False))
    if skipped:
        assert name in SKIPPED_EXAMPLES, f"{name}: {skipped} example(s) skipped with no reason in SKIPPED_EXAMPLES"
    report: list[str] = []
    runner = doctest.DocTestRunner(verbose=False)
    for test in tests:
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
    assert result.attempted == len(examples) - skipped > 0, f"{name}: {result.attempted} of {len(examples)} ran"


def test_the_allow_list_names_real_modules_with_reasons() -> None:
    names = set(module_names())
    assert set(SKIPPED_EXAMPLES) <= names and all(SKIPPED_EXAMPLES.values())


def test_modules_with_examples_are_found() -> None:
    """The discovery itself: known modules with examples are among those tested, and none is a test module."""
    names = module_names()
    assert {"commonsky.units", "commonsky.geo.world", "commonsky.geo.borders", "commonsky.sim.clock"} <= set(names)
    assert "commonsky" in names and "commonsky.cli.__main__" not in names
    assert not any(n.startswith("commonsky.service.migrations") for n in names)
