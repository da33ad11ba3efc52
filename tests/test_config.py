"""``lpublish.toml``: every problem reported at once with file, line, key path and "did you mean";
exit 2 from the CLI; the JSON Schema is valid and accepts the sample config."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from lpublish.config import (
    BuildSection,
    ConfigProblem,
    SiteSection,
    SlotSection,
    config_problems,
    json_schema,
    load_config,
    parse_config,
)
from lpublish.config.sections import ForgeSection
from lpublish.errors import ConfigError
from tests.plugins.cli import run_cli

PATH = Path("/site/lpublish.toml")

MINIMAL = """\
[site]
name = "Test"

[slots.hero]
label = { ja = "メイン", en = "Hero" }
path = "images/hero"
min_width = 100

[build]
jpeg_quality = 80

[forge]
repo = "owner/site"

[campaign]
hero_slot = "hero"
social_slot = "hero"
"""
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "site": SiteSection,
    "slots.hero": SlotSection,
    "build": BuildSection,
    "forge": ForgeSection,
}


def test_sample_config_is_valid(sample_site: Path) -> None:
    config = load_config(site=sample_site)
    assert {"hero", "product", "og", "campaign-hero", "logo"} <= set(config.slots)
    assert config.root == sample_site.resolve()
    assert config.slots["hero"].aspect_ratio == pytest.approx(12 / 5)


def test_minimal_config_is_valid() -> None:
    assert config_problems(MINIMAL, PATH) == []


def test_unknown_key_with_did_you_mean() -> None:
    text = MINIMAL.replace('name = "Test"', 'name = "Test"\ntimezon = "Asia/Tokyo"')
    (problem,) = config_problems(text, PATH)
    assert problem == ConfigProblem(str(PATH), 3, "site.timezon", problem.message, "timezone")
    assert "did you mean 'timezone'" in str(problem)


def test_all_problems_at_once_with_lines() -> None:
    text = """\
[site]
max_pixels = -1
timezone = "Mars/Olympus"

[slots.hero]
label = { ja = "メイン", en = "Hero" }
path = "images/hero"
min_widht = 100
aspect = "wide"
animation = "sometimes"

[build]
widths = "all"
"""
    problems = config_problems(text, PATH)
    found = sorted((p.line, p.key) for p in problems)
    assert found == [
        (2, "site.max_pixels"),
        (3, "site.timezone"),
        (8, "slots.hero.min_widht"),
        (9, "slots.hero.aspect"),
        (10, "slots.hero.animation"),
        (13, "build.widths"),
    ]
    assert next(p for p in problems if p.key == "slots.hero.min_widht").suggestion == "min_width"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, PATH)
    assert len(caught.value.details) == 6
    assert all(d.startswith(f"{PATH}:") for d in caught.value.details)


def test_toml_syntax_error_has_a_line() -> None:
    (problem,) = config_problems('[site]\nname = "unterminated\n', PATH)
    assert problem.line == 2


def _mutations(key: str) -> list[str]:
    """Typos a person makes: a swapped pair of neighbouring letters, or one letter left out."""
    out = []
    for i in range(1, len(key) - 2):
        out.append(key[:i] + key[i + 1] + key[i] + key[i + 2 :])
        out.append(key[:i] + key[i + 1 :])
    return [m for m in out if m != key]


TYPO_CASES = [
    (section, key, typo)
    for section, model in SECTION_MODELS.items()
    for key in model.model_fields
    if len(key) >= 6
    for typo in _mutations(key)
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TYPO_CASES))
def test_typos_are_reported_with_the_intended_key(case: tuple[str, str, str]) -> None:
    section, key, typo = case
    model = SECTION_MODELS[section]
    assume(typo not in model.model_fields)
    import difflib

    # the property holds whenever the intended key is unambiguously the closest one
    scores = sorted(
        ((difflib.SequenceMatcher(None, typo, k).ratio(), k) for k in model.model_fields), reverse=True
    )
    assume(scores[0][1] == key and scores[0][0] > scores[1][0] and scores[0][0] >= 0.6)
    header = f"[{section}]"
    text = MINIMAL.replace(header, f'{header}\n{typo} = "x"', 1)
    line = text.splitlines().index(f'{typo} = "x"') + 1
    problems = config_problems(text, PATH)
    assert [(p.key, p.line, p.suggestion) for p in problems] == [(f"{section}.{typo}", line, key)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(SECTION_MODELS)),
            st.text(alphabet="qxzj_", min_size=3, max_size=10).map(lambda s: "zz" + s),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda pair: pair[1],
    )
)
def test_every_unknown_key_reported_at_once(injected: list[tuple[str, str]]) -> None:
    lines = MINIMAL.splitlines()
    for section, key in injected:
        index = lines.index(f"[{section}]")
        lines.insert(index + 1, f"{key} = 1")
    text = "\n".join(lines) + "\n"
    problems = config_problems(text, PATH)
    expected = sorted((f"{section}.{key}", lines.index(f"{key} = 1") + 1) for section, key in injected)
    assert sorted((p.key, p.line) for p in problems) == expected
    assert all(p.file == str(PATH) for p in problems)


def test_schema_is_valid_json_schema_and_accepts_the_sample(sample_site: Path) -> None:
    schema = json.loads(json_schema())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    sample = tomllib.loads((sample_site / "lpublish.toml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(sample)) == []
    bad = dict(sample, site={**sample["site"], "timezon": "x"})
    assert list(validator.iter_errors(bad)) != []


def test_cli_schema_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["config", "schema"], capsys)
    assert code == 0
    Draft202012Validator.check_schema(json.loads(out))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cli_exit_2_lists_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str
) -> None:
    (tmp_path / "lpublish.toml").write_text(
        MINIMAL.replace("min_width = 100", "min_widht = 100").replace(
            "jpeg_quality = 80", "jpeg_quality = 500"
        ),
        encoding="utf-8",
    )
    for command in (["config", "check"], ["check"]):
        code, out, err = run_cli(["--lang", lang, *command, "--site", str(tmp_path)], capsys)
        assert code == 2
        assert "lpublish.toml:7: slots.hero.min_widht" in err
        assert "lpublish.toml:10: build.jpeg_quality" in err
        assert "min_width" in err
        assert "Traceback" not in out + err


def test_cli_missing_config_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(["check", "--site", str(tmp_path)], capsys)
    assert code == 2
    assert str(tmp_path) in err
