"""Link findings for site content: the one URL rule (``lpublish.links``) applied with the site's settings.

Owns: ``link_findings`` — turns a ``LinkProblem`` into a stable finding for a page or a campaign field,
with the ``[campaign] allow_http`` / ``link_hosts`` settings and the site's own host. Campaign pages keep
their historical codes (``campaign.url-scheme``, ``campaign.url-host``); other pages use ``link.*``; a
link a browser would read differently from how it looks gets a ``link.*`` code of its own everywhere (``link.backslash``,
``link.control-char``, ``link.userinfo``, ``link.bad-host``). Must not import
UI libraries.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from lpublish.config import SiteConfig
from lpublish.findings import Finding, error
from lpublish.links import check_link

LinkKind = Literal["campaign", "page"]
_UNSAFE_CODES = {
    "backslash": "link.backslash",
    "control": "link.control-char",
    "userinfo": "link.userinfo",
    "host": "link.bad-host",
}


def link_findings(
    config: SiteConfig,
    url: str,
    *,
    file: str,
    field: str,
    line: int | None = None,
    kind: LinkKind = "page",
    allow_mail: bool = False,
) -> list[Finding]:
    """Every problem with one link (an empty list when it may be published)."""
    problem = check_link(
        url,
        allow_http=config.campaign.allow_http,
        allow_mail=allow_mail,
        link_hosts=config.campaign.link_hosts,
        site_host=urlsplit(config.site.base_url).hostname or "",
    )
    if problem is None:
        return []
    shown = url[:120]
    if problem.reason in ("scheme", "protocol-relative"):
        code = "campaign.url-scheme" if kind == "campaign" else "link.scheme"
        finding = error(code, file, field=field, url=shown, scheme=problem.detail)
    elif problem.reason == "host-not-allowed":
        code = "campaign.url-host" if kind == "campaign" else "link.host"
        allowed = ", ".join(config.campaign.link_hosts)
        finding = error(code, file, field=field, url=shown, host=problem.detail, allowed=allowed)
    else:
        # Control characters are shown escaped, so the message itself cannot break a log line or table.
        visible = shown.encode("unicode_escape").decode("ascii")
        finding = error(_UNSAFE_CODES[problem.reason], file, field=field, url=visible, detail=problem.detail)
    if line is not None:
        finding = Finding(
            finding.code, finding.severity, finding.file, finding.field, finding.params, finding.fix, line
        )
    return [finding]
