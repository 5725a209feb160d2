import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ambassadors.evidence import clean_original_name, evidence_check_all
from ambassadors.models import Certification, CertificationEvidence, private_storage
from ambassadors.services.certification import certification_request
from ambassadors.storage import PrivateFileSystemStorage
from tests.factories import CertificationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format=fmt)
    return buffer.getvalue()


def pdf(name="bewijs.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def private_folder(monkeypatch, tmp_path):
    """Evidence goes to a temporary folder, never the real private one (same storage class)."""
    storage = PrivateFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", storage)
    return tmp_path


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def trainer(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    return user


def post_request(client, *files, level="trainer"):
    return client.post(reverse("ambassadors:certification_request"), {"level": level, "note": "", "files": list(files)})


# --- detecting the type from the content ---


def test_a_pdf_a_png_and_a_jpeg_are_accepted_by_their_content():
    checked = evidence_check_all(
        [
            pdf(),
            SimpleUploadedFile("foto.png", image_bytes("PNG"), "image/png"),
            SimpleUploadedFile("scan.jpeg", image_bytes("JPEG"), "image/jpeg"),
        ]
    )
    assert [(c.content_type, c.extension) for c in checked] == [
        ("application/pdf", ".pdf"),
        ("image/png", ".png"),
        ("image/jpeg", ".jpg"),
    ]


def test_a_text_file_renamed_to_pdf_is_refused_and_nothing_is_saved(client, trainer, private_folder):
    fake = pdf("certificaat.pdf", b"just some text, not a PDF at all\n")
    response = post_request(client, fake)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["files"]
    assert not Certification.objects.exists()
    assert not CertificationEvidence.objects.exists()
    assert stored_files(private_folder) == []


def test_a_broken_png_is_refused():
    broken = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n" + b"rubbish" * 20, "image/png")
    with pytest.raises(ValidationError) as caught:
        evidence_check_all([broken])
    assert list(caught.value.error_dict) == ["files"]


def test_a_png_named_pdf_is_stored_as_png(trainer, private_folder):
    upload = SimpleUploadedFile("verslag.pdf", image_bytes("PNG"), "application/pdf")
    certification = certification_request(holder=trainer, level="trainer", files=[upload])
    evidence = certification.evidence.get()
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png")


def test_a_too_large_file_is_refused_and_nothing_is_saved(client, trainer, settings, private_folder):
    settings.EVIDENCE_MAX_BYTES = 50
    response = post_request(client, pdf(content=PDF_BYTES + b" " * 100))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["files"]
    assert not Certification.objects.exists()
    assert stored_files(private_folder) == []


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        evidence_check_all([pdf(content=b"")])


def test_one_bad_file_among_good_ones_stores_nothing(trainer, private_folder):
    with pytest.raises(ValidationError) as caught:
        certification_request(holder=trainer, level="trainer", files=[pdf(), pdf("b.pdf", b"GIF89a not allowed")])
    assert len(caught.value.error_dict["files"]) == 1
    assert not Certification.objects.exists()
    assert stored_files(private_folder) == []


# --- names ---


def test_the_stored_name_has_nothing_of_the_uploaded_name(client, trainer, private_folder):
    response = post_request(client, pdf("Jansen geheim verslag.pdf"))
    assert response.status_code == 302
    evidence = CertificationEvidence.objects.get()
    assert re.fullmatch(r"evidence/[0-9a-f]{32}\.pdf", evidence.file.name)
    assert evidence.original_name == "Jansen geheim verslag.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF_BYTES)
    assert evidence.uploaded_by == trainer
    assert [path.name for path in stored_files(private_folder)] == [evidence.file.name.split("/")[1]]


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\an\\scan.png", "scan.png"),
        ("a\x00b\nc.pdf", "a_b_c.pdf"),
    ],
)
def test_the_original_name_is_cleaned_for_display(uploaded, shown):
    assert clean_original_name(uploaded, ".pdf") == shown


def test_an_empty_original_name_gets_a_name_with_the_detected_extension():
    name = clean_original_name("../", ".png")
    assert name.endswith(".png")
    assert len(name) > len(".png")


# --- download ---


@pytest.fixture
def evidence(trainer):
    certification = certification_request(holder=trainer, level="trainer", files=[pdf("mijn bewijs.pdf")])
    return certification.evidence.get()


def download(client, evidence):
    return client.get(reverse("ambassadors:evidence_download", kwargs={"pk": evidence.pk}))


def test_the_holder_downloads_their_evidence_as_an_attachment(client, evidence):
    response = download(client, evidence)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "mijn" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("role", ["master_trainer", "staff"])
def test_a_reviewer_downloads_the_evidence(client, evidence, role):
    client.force_login(UserFactory(roles=[role], two_factor=True))
    assert download(client, evidence).status_code == 200


@pytest.mark.parametrize("role", ["trainer", "ambassador"])
def test_anybody_else_gets_404(client, evidence, role):
    client.force_login(UserFactory(roles=[role]))
    assert download(client, evidence).status_code == 404


def test_anonymous_is_sent_to_log_in(client, evidence):
    client.logout()
    response = download(client, evidence)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_missing_file_answers_404(client, evidence):
    evidence.file.delete(save=False)
    assert download(client, evidence).status_code == 404


def test_the_other_trainers_own_certification_does_not_open_mine(client, evidence):
    other = CertificationFactory().holder
    client.force_login(other)
    assert download(client, evidence).status_code == 404


# --- private storage has no URL ---


def test_the_private_storage_makes_no_url():
    assert isinstance(storages["private"], PrivateFileSystemStorage)
    assert isinstance(private_storage(), PrivateFileSystemStorage)
    with pytest.raises(NotImplementedError):
        storages["private"].url("evidence/0123456789abcdef.pdf")


def test_evidence_has_no_url(evidence, private_folder):
    assert stored_files(private_folder)  # the file is there, only reachable through the view
    with pytest.raises(NotImplementedError):
        evidence.file.url  # noqa: B018
