"""No bundled playbook id in the code: placeholders, help, hints and examples come from the playbook in force.

An organisation that brings SEV-1..SEV-5 must not be told `sev P0` or `--severity P1`. Every string literal
in the package (docstrings too: click turns a command's docstring into its --help) is checked for the
bundled playbook's ids, read from the bundled playbook itself, so a new id there is checked here too.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

import warroom
from warroom.playbook import load_playbook

PACKAGE = Path(warroom.__file__).parent

# Ids that are also English words the code uses in prose ("the escalation ladder", "a security incident"):
# these count only where they are used as ids: the whole literal, after a command word or as a key.
ALSO_WORDS = {"escalation", "primary", "secondary", "security", "database", "api", "internal", "customer",
              "manager", "detection", "containment", "recovery"}
ID_USES = r"(?:sev[ :]|severity[ :=]|--severity |-s |notify |ack |phase |runbook |copy |rung:|phase:|list:|tab-|editor-)"


def bundled_ids() -> set[str]:
    playbook = load_playbook()
    groups = (playbook.severities, playbook.phases, playbook.ladder, playbook.contacts, playbook.templates, playbook.runbooks)
    return {item.id for group in groups for item in group}


def literals(path: Path):
    """(line, text) of every string literal in a module, f-strings' text parts included."""
    string_parts = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type in string_parts:
            yield token.start[0], token.string


def seed_words(path: Path, ids: set[str]) -> list[str]:
    found = []
    for line, text in literals(path):
        body = text.strip("rbfuRBFU").strip("'\"")
        for ident in ids:
            word = re.escape(ident)
            if ident.lower() in ALSO_WORDS:
                pattern = rf"{ID_USES}{word}(?![\w-])" if body != ident else r".*"
            else:
                pattern = rf"(?<![\w$-]){word}(?![\w-])"
            if re.search(pattern, body):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {ident!r} in {text[:80]!r}")
    return found


def test_the_bundled_ids_are_the_ones_this_test_knows():
    # The check is only as good as its list: it must see the seed's severities, phases and rungs.
    assert {"P0", "P1", "P2", "oncall", "cto", "ceo", "detection", "internal"} <= bundled_ids()


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_bundled_id_is_written_into_the_code(path: Path):
    assert seed_words(path, bundled_ids()) == []


def test_the_check_finds_a_seed_word(tmp_path: Path):
    # A test that cannot fail is a defect: the placeholder the command bar had before issue 13 is caught.
    module = tmp_path / "bar.py"
    module.write_text('PLACEHOLDER = ":  a note, or a command: status mitigating · sev P0 · eta 30m"\n'
                      'HINT = f"press n to notify {rung}: notify manager"\nWORDS = "the escalation ladder"\n')
    found = seed_words_in(module)
    assert any("'P0'" in line for line in found) and any("'manager'" in line for line in found)
    assert not any("'escalation'" in line for line in found)  # prose, not an id


def seed_words_in(module: Path) -> list[str]:
    global PACKAGE
    saved, PACKAGE = PACKAGE, module.parent
    try:
        return seed_words(module, bundled_ids())
    finally:
        PACKAGE = saved
