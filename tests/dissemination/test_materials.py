import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dissemination.models import Material, MaterialDownload
from dissemination.queries.outreach_materials import download_months
from dissemination.services.materials import first_of_month, material_download_count, material_upload
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_bytes(main_part: str = "ppt/presentation.xml", content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if content_types:
            package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name="handboek.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def material_folder(monkeypatch, tmp_path):
    """Material files go to a temporary folder, never the real media folder."""
    monkeypatch.setattr(Material._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def staff(db):
    return UserFactory(roles=["staff"], two_factor=True)


def add(version="1.0", *, by, file=None, **kwargs):
    fields = {"kind": "handbook", "title": "Handboek Mentorwijs", "language": "nl", **kwargs}
    return material_upload(version=version, file=file or upload(), uploaded_by=by, **fields)


def last_month() -> date:
    return first_of_month() - timedelta(days=1)


# --- uploading versions ---


def test_an_upload_stores_the_file_its_type_and_size(staff, material_folder):
    material = add(by=staff, description="  Voor leidinggevenden  ")
    assert material.is_current
    assert (material.content_type, material.size, material.description) == (
        "application/pdf",
        len(PDF_BYTES),
        "Voor leidinggevenden",
    )
    assert material.file.name.endswith("/handboek.pdf")
    assert [path.read_bytes() for path in stored_files(material_folder)] == [PDF_BYTES]


def test_a_new_version_supersedes_the_current_one(staff):
    first = add("1.0", by=staff)
    second = add("2.0", by=staff, title="handboek  mentorwijs")  # the same material, typed differently
    first.refresh_from_db()
    assert first.superseded_at == second.uploaded_at
    assert second.is_current
    assert second.title == "Handboek Mentorwijs"
    assert Material.objects.filter(superseded_at__isnull=True).count() == 1


def test_titles_differing_only_in_case_are_one_material_in_the_database():
    MaterialFactory(title="Handboek", version="1.0", superseded_at=timezone.now())
    MaterialFactory(title="Handboek", version="2.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        MaterialFactory(title="handboek", version="1.0", superseded_at=timezone.now())  # that version exists
    with pytest.raises(IntegrityError), transaction.atomic():
        MaterialFactory(title="HANDBOEK", version="3.0")  # a second current version
    MaterialFactory(title="handboek", version="1.0", language="en")  # another language: another material
    assert Material.objects.filter(title__iexact="handboek", language="nl").count() == 2


def test_another_language_is_another_material(staff):
    dutch = add("1.0", by=staff)
    add("1.0", by=staff, language="en")
    dutch.refresh_from_db()
    assert dutch.is_current


def test_an_existing_version_is_refused_and_nothing_changes(staff, material_folder):
    first = add("1.0", by=staff)
    with pytest.raises(ValidationError) as refused:
        add("1.0", by=staff)
    assert list(refused.value.message_dict) == ["version"]
    first.refresh_from_db()
    assert first.is_current
    assert Material.objects.count() == 1
    assert len(stored_files(material_folder)) == 1


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_as"),
    [
        ("slides.pptx", office_bytes("ppt/presentation.xml"), "application/octet-stream", ".pptx"),
        ("brief.docx", office_bytes("word/document.xml"), "application/octet-stream", ".docx"),
        ("poster.png", png_bytes(), "image/png", ".png"),
        ("factsheet.png", PDF_BYTES, "image/png", ".pdf"),  # the content decides, not the name
    ],
)
def test_office_files_images_and_pdfs_are_recognised_by_their_content(staff, name, content, content_type, stored_as):
    material = add(by=staff, file=upload(name, content, content_type))
    assert material.file.name.endswith(stored_as)
    assert material.size == len(content)


@pytest.mark.parametrize(
    "content",
    [
        b"just some text, not a PDF at all\n",
        b"%PDF-1.4 cut off halfway",
        office_bytes("ppt/presentation.xml", content_types=False),
        office_bytes("docs/readme.txt"),
        b"",
    ],
)
def test_files_that_are_no_material_are_refused(staff, material_folder, content):
    with pytest.raises(ValidationError) as refused:
        add(by=staff, file=upload("handboek.pdf", content))
    assert list(refused.value.message_dict) == ["file"]
    assert not Material.objects.exists()
    assert stored_files(material_folder) == []


def test_a_file_above_the_limit_is_refused(staff, settings, material_folder):
    settings.MATERIAL_MAX_BYTES = len(PDF_BYTES) - 1
    with pytest.raises(ValidationError) as refused:
        add(by=staff)
    assert list(refused.value.message_dict) == ["file"]
    assert stored_files(material_folder) == []


def test_the_upload_page_stores_a_material(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("materials:upload"),
        {"kind": "factsheet", "title": "Factsheet", "language": "nl", "version": "1", "file": upload()},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("materials:manage")
    assert Material.objects.get().uploaded_by == staff


def test_the_upload_page_refuses_a_text_file_renamed_to_pdf_and_stores_nothing(client, staff, material_folder):
    client.force_login(staff)
    response = client.post(
        reverse("materials:upload"),
        {"kind": "handbook", "title": "Handboek", "language": "nl", "version": "1", "file": upload(content=b"tekst")},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert not Material.objects.exists()
    assert stored_files(material_folder) == []


def test_the_upload_page_puts_a_duplicate_version_next_to_the_version_field(client, staff):
    existing = add("1.0", by=staff)
    client.force_login(staff)
    data = {"kind": existing.kind, "title": existing.title, "language": "nl", "version": "1.0", "file": upload()}
    response = client.post(reverse("materials:upload"), data)
    assert list(response.context["form"].errors) == ["version"]
    assert Material.objects.count() == 1


def test_a_new_version_is_prefilled_from_the_current_one(client, staff):
    existing = add("1.0", by=staff, kind="powerpoint", language="en", description="Slides")
    client.force_login(staff)
    response = client.get(reverse("materials:upload"), {"from": existing.pk})
    initial = response.context["form"].initial
    assert (initial["kind"], initial["title"], initial["language"], initial["description"]) == (
        "powerpoint",
        "Handboek Mentorwijs",
        "en",
        "Slides",
    )
    assert response.context["previous"] == existing


def test_a_new_version_from_an_older_one_starts_from_the_current_one(client, staff):
    old = add("1.0", by=staff)
    current = add("2.0", by=staff)
    client.force_login(staff)
    response = client.get(reverse("materials:upload"), {"from": old.pk})
    assert response.context["previous"] == current


# --- downloads ---


def test_a_download_serves_the_file_as_an_attachment_and_counts_it(client, staff):
    material = add(by=staff)
    for _ in range(2):
        response = client.get(reverse("materials:download", args=[material.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="handboek.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert list(MaterialDownload.objects.values_list("month", "count")) == [(first_of_month(), 2)]


def test_a_head_request_answers_without_counting_a_download(client, staff):
    material = add(by=staff)
    response = client.head(reverse("materials:download", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="handboek.pdf"'
    assert not MaterialDownload.objects.exists()
    assert client.get(reverse("materials:download", args=[material.pk])).status_code == 200
    assert list(MaterialDownload.objects.values_list("count", flat=True)) == [1]


@pytest.mark.parametrize("name", ["public_list", "versions"])
def test_the_public_pages_answer_head(client, name):
    material = MaterialFactory()
    url = reverse(f"materials:{name}", args=[material.pk] if name == "versions" else [])
    assert client.head(url).status_code == 200


@pytest.mark.parametrize("name", ["public_list", "versions", "download"])
def test_the_public_pages_refuse_a_post(client, staff, name):
    material = add(by=staff)
    url = reverse(f"materials:{name}", args=[] if name == "public_list" else [material.pk])
    assert client.post(url).status_code == 405
    assert not MaterialDownload.objects.exists()


def test_a_superseded_version_still_downloads(client, staff):
    old = add("1.0", by=staff)
    add("2.0", by=staff)
    response = client.get(reverse("materials:download", args=[old.pk]))
    assert response.status_code == 200
    assert MaterialDownload.objects.get(material=old).count == 1


def test_a_download_of_a_missing_file_answers_404_and_counts_nothing(client):
    material = MaterialFactory()  # its file was never written
    assert client.get(reverse("materials:download", args=[material.pk])).status_code == 404
    assert not MaterialDownload.objects.exists()


def test_counting_adds_to_the_month_row(staff):
    material = MaterialFactory()
    MaterialDownload.objects.create(material=material, month=last_month().replace(day=1), count=7)
    material_download_count(material=material)
    material_download_count(material=material)
    assert dict(MaterialDownload.objects.values_list("month", "count")) == {
        last_month().replace(day=1): 7,
        first_of_month(): 2,
    }


def test_counting_retries_when_another_request_created_the_month_row_first(monkeypatch):
    """The update found no row, but the insert collides with one created meanwhile: update again."""
    material = MaterialFactory()
    MaterialDownload.objects.create(material=material, month=first_of_month(), count=5)
    real_update = QuerySet.update
    calls = []

    def update_missing_the_row_once(queryset, **kwargs):
        calls.append(queryset.model)
        if len(calls) == 1:
            return 0
        return real_update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_missing_the_row_once)
    material_download_count(material=material)
    assert MaterialDownload.objects.get(material=material).count == 6
    assert len(calls) == 2


def test_the_staff_list_shows_downloads_per_month(client, staff):
    material = add(by=staff)
    MaterialDownload.objects.create(material=material, month=last_month().replace(day=1), count=1)
    client.get(reverse("materials:download", args=[material.pk]))
    client.get(reverse("materials:download", args=[material.pk]))
    client.force_login(staff)
    response = client.get(reverse("materials:manage"))
    row = response.context["materials"][0]
    assert response.context["months"][-2:] == [last_month().replace(day=1), first_of_month()]
    assert row.per_month[-2:] == [1, 2]
    assert sum(row.per_month) == row.downloads_recent == row.downloads_total == 3


def test_the_staff_list_sums_the_downloads_of_all_versions_per_material(client, staff):
    old = MaterialFactory(title="Handboek", version="1.0", superseded_at=timezone.now())
    current = MaterialFactory(title="Handboek", version="2.0")
    single = MaterialFactory(kind="factsheet", title="Factsheet")
    months = download_months(timezone.localdate())
    long_ago = download_months(months[0], 2)[0]
    for material, month, count in [
        (old, months[-2], 4),
        (old, months[-1], 1),
        (current, months[-1], 2),
        (old, long_ago, 10),
        (single, months[-1], 3),
    ]:
        MaterialDownload.objects.create(material=material, month=month, count=count)
    client.force_login(staff)

    response = client.get(reverse("materials:manage"))

    handbook, factsheet = response.context["groups"]
    assert [material.pk for material in handbook["versions"]] == [current.pk, old.pk]
    assert handbook["totals"]["per_month"][-2:] == [4, 3]
    assert (handbook["totals"]["recent"], handbook["totals"]["total"]) == (7, 17)
    assert [material.pk for material in factsheet["versions"]] == [single.pk]
    assert (factsheet["totals"]["recent"], factsheet["totals"]["total"]) == (3, 3)
    # A subtotal row only where a material has more than one version.
    assert response.content.count(b'data-testid="material-subtotal"') == 1
    assert f'data-testid="subtotal-total-count">{17}<'.encode() in response.content


def test_a_material_never_downloaded_has_zero_subtotals(client, staff):
    MaterialFactory(title="Handboek", version="1.0", superseded_at=timezone.now())
    MaterialFactory(title="Handboek", version="2.0")
    client.force_login(staff)
    [group] = client.get(reverse("materials:manage")).context["groups"]
    assert (sum(group["totals"]["per_month"]), group["totals"]["recent"], group["totals"]["total"]) == (0, 0, 0)


def test_downloads_older_than_twelve_months_count_only_in_the_total(client, staff):
    material = MaterialFactory()
    months = download_months(timezone.localdate())
    MaterialDownload.objects.create(material=material, month=months[0], count=2)
    MaterialDownload.objects.create(material=material, month=download_months(months[0], 2)[0], count=5)
    client.force_login(staff)
    row = client.get(reverse("materials:manage")).context["materials"][0]
    assert (row.per_month[0], row.downloads_recent, row.downloads_total) == (2, 2, 7)


def test_download_months_run_back_across_the_year():
    assert download_months(date(2024, 2, 17), 3) == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]


# --- the public pages ---


def test_the_public_list_shows_current_versions_without_login(client, staff):
    add("1.0", by=staff)
    current = add("2.0", by=staff)
    english = add("1.0", by=staff, language="en", kind="factsheet", title="Factsheet")
    response = client.get(reverse("materials:public_list"))
    assert response.status_code == 200
    assert [m.pk for m in response.context["materials"]] == [current.pk, english.pk]  # handbook before factsheet
    assert [m.older_versions for m in response.context["materials"]] == [1, 0]
    assert response.content.count(b'data-testid="older-versions"') == 1


def test_the_public_list_filters_by_language(client):
    MaterialFactory(language="nl")
    english = MaterialFactory(language="en")
    response = client.get(reverse("materials:public_list"), {"language": "en"})
    assert list(response.context["materials"]) == [english]


def test_the_versions_page_marks_older_versions(client, staff):
    old = add("1.0", by=staff)
    current = add("2.0", by=staff)
    response = client.get(reverse("materials:versions", args=[old.pk]))
    assert response.status_code == 200
    assert response.context["versions"] == [current, old]
    assert response.content.count(b'data-testid="older-version"') == 1


# --- who may do what ---


@pytest.mark.parametrize("name", ["manage", "upload"])
def test_staff_pages_answer_403_to_an_ambassador(client, name):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(reverse(f"materials:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["manage", "upload"])
def test_staff_pages_send_anonymous_visitors_to_the_login(client, name):
    response = client.get(reverse(f"materials:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_ambassador_cannot_upload(client, material_folder):
    client.force_login(UserFactory(roles=["ambassador"]))
    data = {"kind": "handbook", "title": "Handboek", "language": "nl", "version": "1", "file": upload()}
    assert client.post(reverse("materials:upload"), data).status_code == 403
    assert not Material.objects.exists()
    assert stored_files(material_folder) == []


def test_the_admin_looks_material_up_but_never_deletes_a_version(superuser_client):
    material = MaterialFactory()
    assert superuser_client.get(reverse("admin:dissemination_material_changelist")).status_code == 200
    assert superuser_client.get(reverse("admin:dissemination_material_change", args=[material.pk])).status_code == 200
    delete_url = reverse("admin:dissemination_material_delete", args=[material.pk])
    assert superuser_client.get(delete_url).status_code == 403
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = superuser_client.post(
        reverse("admin:dissemination_material_changelist"),
        {"action": "delete_selected", "_selected_action": [material.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)  # the action is not offered; nothing happens
    assert Material.objects.filter(pk=material.pk).exists()


@pytest.mark.parametrize("name", ["manage", "upload"])
def test_staff_pages_open_for_staff(client, staff, name):
    client.force_login(staff)
    assert client.get(reverse(f"materials:{name}")).status_code == 200


# --- fixed query counts ---


def _library(count: int) -> None:
    for number in range(count):
        kind = ["handbook", "factsheet", "powerpoint"][number % 3]
        old = MaterialFactory(kind=kind, version="1", superseded_at=timezone.now())
        MaterialFactory(kind=kind, title=old.title, version="2")
        MaterialDownload.objects.create(material=old, month=first_of_month(), count=number + 1)


@pytest.mark.parametrize("count", [2, 30])
def test_the_public_list_runs_fixed_queries(client, django_assert_num_queries, count):
    _library(count)
    with django_assert_num_queries(1):
        response = client.get(reverse("materials:public_list"))
    assert len(response.context["materials"]) == count


@pytest.mark.parametrize("count", [2, 30])
def test_the_staff_list_runs_fixed_queries(client, staff, django_assert_num_queries, count):
    _library(count)
    client.force_login(staff)
    # the user with roles and two-factor state, versions, downloads per version and month, per material
    with django_assert_num_queries(4):
        response = client.get(reverse("materials:manage"))
    assert len(response.context["materials"]) == 2 * count
    assert sum(m.downloads_total for m in response.context["materials"]) == count * (count + 1) // 2
    assert len(response.context["groups"]) == count
    assert sum(group["totals"]["total"] for group in response.context["groups"]) == count * (count + 1) // 2
