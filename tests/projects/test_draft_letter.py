"""Issue 16: the 初稿 letter says it is a draft on every page and claims no department's confirmation."""

import dataclasses
from pathlib import Path

import pytest

from core.projects.letter_pdf import render_letter_pdf
from core.rules.engine import DerivedFlow, derive
from tests.projects.test_letter import ANSWERS, DEPARTMENTS, DOCUMENT, letter, page_count, pdf_text

CLAIM = "审核确认，现将"
"""What only a confirmed letter may say: "经流程推演和相关部门审核确认，现将…"."""


@pytest.fixture(scope="module")
def draft_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flow: DerivedFlow = derive(ANSWERS, DOCUMENT, version=3, department_names=DEPARTMENTS)  # nobody confirmed yet
    content = dataclasses.replace(letter(flow), confirmations=[], is_final=False)
    path = tmp_path_factory.mktemp("draft") / "draft.pdf"
    path.write_bytes(render_letter_pdf(content))
    return path


def test_every_page_of_a_draft_says_draft(draft_pdf: Path) -> None:
    pages = page_count(draft_pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert "初稿" in pdf_text(draft_pdf, page), f"page {page}"
    assert "指导意见书（初稿）" in pdf_text(draft_pdf, 1)


def test_a_draft_claims_no_confirmation(draft_pdf: Path) -> None:
    text = pdf_text(draft_pdf)
    assert CLAIM not in text
    assert "经部门审核确认，仅作办理指引" not in text
    assert "尚待相关部门审核确认" in text and "尚未经部门审核确认" in text


def test_a_final_letter_is_not_marked_draft(tmp_path: Path) -> None:
    flow = derive(ANSWERS, DOCUMENT, version=3, department_names=DEPARTMENTS)
    path = tmp_path / "final.pdf"
    path.write_bytes(render_letter_pdf(letter(flow)))
    text = pdf_text(path)
    assert "初稿" not in text and CLAIM in text
