"""CloudFront invalidation path planning (pure) and the back-off on TooManyInvalidationsInProgress."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from lpublish.deploy.cdn import MAX_WILDCARDS, invalidate, invalidation_paths
from lpublish.errors import ExternalError


def test_index_pages_invalidate_directory_url_too() -> None:
    assert invalidation_paths(["index.html"]) == ["/", "/index.html"]
    assert invalidation_paths(["news/1/index.html", "about.html"]) == [
        "/about.html",
        "/news/1/",
        "/news/1/index.html",
    ]


def test_few_paths_stay_exact() -> None:
    paths = [f"p{i}.html" for i in range(10)]
    assert invalidation_paths(paths, max_paths=30) == sorted(f"/p{i}.html" for i in range(10))


def test_many_paths_in_one_directory_collapse_to_one_wildcard() -> None:
    paths = [f"blog/{i}/index.html" for i in range(100)]
    assert invalidation_paths(paths, max_paths=30) == ["/blog/*"]


def test_collapse_keeps_unrelated_exact_paths() -> None:
    paths = (
        [f"blog/{i}/index.html" for i in range(50)] + [f"news/{i}.html" for i in range(50)] + ["index.html"]
    )
    assert invalidation_paths(paths, max_paths=30) == ["/", "/blog/*", "/index.html", "/news/*"]


def test_deep_directories_collapse_at_the_deepest_level_that_fits() -> None:
    paths = [f"shop/{cat}/{i}.html" for cat in ("tea", "cups") for i in range(40)]
    assert invalidation_paths(paths, max_paths=30) == ["/shop/cups/*", "/shop/tea/*"]


def test_too_many_wildcards_fall_back_to_parent_then_root() -> None:
    paths = [f"d{i}/x{j}.html" for i in range(20) for j in range(3)]
    result = invalidation_paths(paths, max_paths=30)
    assert result == ["/*"]
    assert len([p for p in result if p.endswith("*")]) <= MAX_WILDCARDS


def test_root_files_only_collapse_to_root_wildcard() -> None:
    assert invalidation_paths([f"f{i}.html" for i in range(40)], max_paths=30) == ["/*"]


def test_limit_never_exceeded() -> None:
    paths = [f"a{i % 7}/b{i % 13}/c{i}.html" for i in range(500)]
    for limit in (1, 5, 15, 30, 100):
        result = invalidation_paths(paths, max_paths=limit)
        assert len(result) <= limit
        # every changed path is covered by an exact path or a wildcard
        for p in paths:
            url = "/" + p
            assert url in result or any(w.endswith("*") and url.startswith(w[:-1]) for w in result)


class _Busy:
    """A stand-in for CloudFront's throttling, which moto never produces."""

    def __init__(self, busy_times: int) -> None:
        self.busy_times = busy_times
        self.calls: list[dict[str, Any]] = []

    def create_invalidation(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if len(self.calls) <= self.busy_times:
            raise ClientError({"Error": {"Code": "TooManyInvalidationsInProgress"}}, "CreateInvalidation")
        return {"Invalidation": {"Id": "I1", "Status": "InProgress"}}

    def get_invalidation(self, **kwargs: Any) -> dict[str, Any]:
        return {"Invalidation": {"Id": "I1", "Status": "Completed"}}


def test_backs_off_when_too_many_invalidations_are_in_progress() -> None:
    client = _Busy(busy_times=3)
    sleeps: list[float] = []
    result = invalidate(client, "D1", ["/a"], caller_reference="lpublish-x", wait=True, sleep=sleeps.append)
    assert result.id == "I1" and result.status == "Completed" and result.waited
    assert len(client.calls) == 4
    # Retries of one batch send one reference (the base plus a digest of the paths).
    refs = {c["InvalidationBatch"]["CallerReference"] for c in client.calls}
    assert len(refs) == 1 and refs.pop().startswith("lpublish-x-")
    assert sleeps[:3] == sorted(sleeps[:3])  # growing delays


def test_gives_up_with_a_plain_error() -> None:
    client = _Busy(busy_times=100)
    with pytest.raises(ExternalError) as info:
        invalidate(client, "D1", ["/a"], caller_reference="r", attempts=3, sleep=lambda s: None)
    assert info.value.key == "deploy.cdn_failed"
