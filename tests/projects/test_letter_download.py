"""Downloading a guidance letter: a letter is issued as the HTML of everything it prints and laid out as PDF on its
first download, so what a person downloads must be what was issued, however late they download it, and the same
file every time; letters issued as PDF before are served as they were stored."""

import subprocess
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.files import service as file_service
from core.projects.models import GuidanceLetter
from tests.projects.conftest import Filing, new_project


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_draft_downloaded_after_the_final_letter_still_shows_the_draft(client: TestClient, filing: Filing) -> None:
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    reviews = client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen).json()
    codes = {d.id: code for code, d in filing.departments.items()}
    for review in reviews:
        officer = filing.token_of(f"officer_{codes[review['department_id']].lower()}")
        done = client.post(f"/api/v1/project-reviews/{review['id']}/confirm", json={"opinion": "同意"}, headers=officer)
        assert done.status_code == 200, done.text
    final, draft = client.get(f"/api/v1/projects/{project['id']}/letters", headers=citizen).json()
    assert final["is_final"] and draft["superseded"]

    # the draft, never downloaded while it was current, shows the reviews as they were when it was issued
    draft_text = pdf_text(client.get(draft["pdf_url"]).content)
    assert f"{project['code']}-V1" in draft_text and draft["verification_code"] in draft_text
    assert "待确认" in draft_text
    final_text = pdf_text(client.get(final["pdf_url"]).content)
    assert f"{project['code']}-V2" in final_text and "待确认" not in final_text


def test_every_download_of_a_letter_is_the_same_pdf_file(client: TestClient, filing: Filing) -> None:
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    (letter,) = client.get(f"/api/v1/projects/{project['id']}/letters", headers=citizen).json()

    first, second = client.get(letter["pdf_url"]), client.get(letter["pdf_url"])
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert second.content == first.content
    disposition = unquote(first.headers["content-disposition"])
    assert disposition.endswith(f"指导意见书-{project['code']}-V1.pdf")


def test_a_letter_issued_as_pdf_before_is_served_as_it_was_stored(
    client: TestClient, filing: Filing, db: Session
) -> None:
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    assert client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    letter = db.scalars(select(GuidanceLetter)).one()
    issued = b"%PDF-1.7\n% the letter as it was issued\n%%EOF\n"
    name = f"指导意见书-{project['code']}-V1.pdf"
    stored = file_service.store(db, filename=name, content=issued, uploaded_by_id=None)
    db.flush()
    letter.file_id = stored.id
    db.commit()

    response = client.get(f"/api/v1/letters/{letter.verification_code}/pdf")
    assert response.status_code == 200 and response.content == issued
    assert unquote(response.headers["content-disposition"]).endswith(name)
