"""`--format github`: findings become workflow annotations on the right files, escaped and limited."""

from __future__ import annotations

from lpublish.cli.render import (
    ANNOTATION_LIMIT,
    annotation,
    escape_data,
    escape_property,
    github_lines,
    render_report,
)
from lpublish.findings import Finding, Report, Severity, error, warning


def test_annotation_points_at_file_and_line_and_escapes() -> None:
    finding = Finding(
        "campaign.bad-url",
        Severity.ERROR,
        "site/campaigns/a,b:c/index.md",
        params={},
        line=12,
    )
    line = annotation(finding)
    assert line.startswith("::error file=site/campaigns/a%2Cb%3Ac/index.md,line=12,title=campaign.bad-url::")


def test_message_newlines_and_percent_cannot_break_out() -> None:
    # A message that tries to start a second workflow command on a new line stays one command.
    finding = Finding("x", Severity.WARNING, "f.jpg", params={})
    line = annotation(finding)
    assert "\n" not in line
    assert escape_data("100%\n::error::pwned\r") == "100%25%0A::error::pwned%0D"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_at_most_ten_per_type_and_the_rest_summarized() -> None:
    findings = [error("image.too-small", f"site/images/e{i:02}.jpg") for i in range(25)]
    findings += [warning("image.large", f"site/images/w{i}.jpg") for i in range(3)]
    lines = github_lines(findings)
    errors = [ln for ln in lines if ln.startswith("::error file=")]
    warnings = [ln for ln in lines if ln.startswith("::warning file=")]
    assert len(errors) == ANNOTATION_LIMIT == 10
    assert len(warnings) == 3
    (summary,) = [ln for ln in lines if ln.startswith("::error title=lpublish::")]
    assert "15 more finding(s)" in summary
    assert "site/images/e24.jpg" in summary and "site/images/e00.jpg" not in summary


def test_github_format_ends_with_the_summary_line() -> None:
    report = Report(files_checked=2)
    report.extend([error("image.too-small", "a.jpg")])
    out = render_report(report, "github").splitlines()
    assert out[0].startswith("::error file=a.jpg")
    assert out[-1].startswith("Not ready: 2 file(s) checked, 1 error(s)")
