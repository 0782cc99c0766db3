"""The business-system links (业务申报指导): each points at a real official site, a page of this platform, or — for
an internal system on the office network — nowhere; never at a made-up example domain."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge.schemas import LinkIn

OFFICIAL_ELSEWHERE = {"https://beian.china-eia.com/"}
"""Official systems outside .gov.cn (the environment ministry's 登记表 filing system)."""
LINKS = json.loads((Path(__file__).resolve().parents[2] / "knowledge/seed/links.json").read_text(encoding="utf-8"))


def test_no_seed_link_points_at_an_example_domain() -> None:
    assert len(LINKS) == 20
    for link in LINKS:
        url = link["url"]
        assert "example" not in url, link["name"]
        if link["public"]:
            assert url.startswith("https://") and (".gov.cn/" in url or url in OFFICIAL_ELSEWHERE), link["name"]
        else:
            assert url == "" or url.startswith("/admin"), link["name"]
        LinkIn.model_validate({k: v for k, v in link.items() if k in LinkIn.model_fields})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"public": True, "url": ""}, "公开的业务系统须填写网址"),
        ({"public": False, "url": "//evil.test/"}, "链接应以 http:// 或 https:// 开头"),
        ({"public": False, "url": "javascript:alert(1)"}, "链接应以 http:// 或 https:// 开头"),
    ],
)
def test_a_link_without_a_usable_address_is_refused_in_chinese(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        LinkIn.model_validate({"name": "某系统", "system_type": "审批系统", **data})


def test_an_internal_system_may_have_no_address_or_a_page_of_this_platform() -> None:
    assert LinkIn.model_validate({"name": "某系统", "system_type": "内部系统", "public": False}).url == ""
    assert LinkIn.model_validate({"name": "某系统", "system_type": "内部系统", "public": False, "url": "/admin"}).url
