"""A sender joins up to 5 files to their feedback, checked like a dossier's (type by content, size per
file); a refused file keeps the text and names the files to choose again; the files are downloaded by
the sender and the staff who handle the feedback, and nobody else."""

from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from feedback.constants import Subject
from feedback.models import Feedback, FeedbackAttachment
from feedback.uploads import feedback_send_with_files, file_name_clean
from tests.dossiers.conftest import PDF, png_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Cán bộ một cửa xã yêu cầu nộp thêm tiền ngoài lệ phí, tôi gửi kèm ảnh biên lai"


def _post(client, network, *files, **extra):
    data = {"subject": Subject.CONDUCT, "text": TEXT, "agency": network["commune"].pk, "files": list(files), **extra}
    return client.post(reverse("feedback:send"), data)


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "feedback"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_file_that_is_not_what_its_name_says_is_refused_and_the_text_is_kept(client, citizen, network, settings):
    client.force_login(citizen)
    fake = SimpleUploadedFile("bien-lai.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    good = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    response = _post(client, network, fake, good)
    page = response.content.decode()
    assert response.status_code == 400
    assert "“bien-lai.pdf” không phải tệp PDF, JPEG, PNG, dù tên tệp ghi như vậy." in page
    assert TEXT in page  # the text stays
    assert f'value="{network["commune"].pk}" selected' in page  # and the unit chosen
    again = page.split('data-testid="files-again"')[1].split("</div>")[0]
    assert "anh.png" in again and "bien-lai.pdf" not in again  # the good one must be chosen again
    assert not Feedback.objects.exists() and not FeedbackAttachment.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_over_the_size_limit_and_a_sixth_file_are_refused(client, citizen, network, settings):
    settings.DOSSIER_MAX_FILE_BYTES = 1024
    client.force_login(citizen)
    big = SimpleUploadedFile("quet.pdf", PDF + b"0" * 2000, content_type="application/pdf")
    page = _post(client, network, big).content.decode()
    assert "“quet.pdf” có dung lượng" in page and "mỗi tệp tối đa 1,0\xa0KB" in page
    six = [SimpleUploadedFile(f"anh-{n}.png", png_bytes(), content_type="image/png") for n in range(6)]
    response = _post(client, network, *six)
    assert response.status_code == 400
    assert "Chỉ được gửi kèm tối đa 5 tệp; bạn đã chọn 6." in response.content.decode()
    assert not Feedback.objects.exists()


def test_files_are_stored_with_the_feedback_under_random_names(client, citizen, network, settings):
    client.force_login(citizen)
    response = _post(
        client,
        network,
        SimpleUploadedFile("biên lai.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("ảnh chụp.png", png_bytes(), content_type="image/png"),
    )
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    rows = list(feedback.attachments.order_by("name").values_list("name", "content_type", "size"))
    assert rows == [("biên lai.pdf", "application/pdf", len(PDF)), ("ảnh chụp.png", "image/png", len(png_bytes()))]
    for attachment in feedback.attachments.all():
        assert "bi" not in Path(attachment.file.name).name and "anh" not in Path(attachment.file.name).name
        assert attachment.uploaded_at == feedback.received_at
    assert len(_stored_files(settings)) == 2


def test_a_failure_while_storing_the_files_keeps_neither_the_feedback_nor_a_file(citizen, network, settings):
    original, calls = FeedbackAttachment.save, []

    def second_save_fails(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    files = [SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf") for n in ("a", "b")]
    with mock.patch.object(FeedbackAttachment, "save", second_save_fails), pytest.raises(OSError):
        feedback_send_with_files(
            sender=citizen, subject=Subject.CONDUCT, text=TEXT, agency=network["commune"], files=files
        )
    assert calls == ["a.pdf", "b.pdf"]
    assert not Feedback.objects.exists() and not FeedbackAttachment.objects.exists()
    assert _stored_files(settings) == []


def test_the_file_name_shown_is_cleaned():
    assert file_name_clean("C:\\Users\\hoa\\biên lai\u200b.pdf") == "biên lai.pdf"
    assert file_name_clean("../../etc/passwd") == "passwd"
    assert file_name_clean("\x00\x07") == "tệp không tên"
    long = file_name_clean("a" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_the_sender_and_the_handling_staff_download_a_file_and_others_get_404(client, citizen, network, handlers):
    client.force_login(citizen)
    _post(client, network, SimpleUploadedFile("biên lai.pdf", PDF, content_type="application/pdf"))
    attachment = FeedbackAttachment.objects.get()
    url = reverse("feedback:attachment", args=[attachment.pk])
    assert url == f"/phan-anh/tep/{attachment.pk}/"

    for person in (citizen, handlers["commune"]):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content) == PDF
        assert (
            "attachment" in response["Content-Disposition"] and "bi%C3%AAn%20lai.pdf" in response["Content-Disposition"]
        )
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"

    # The district's officer does not hold it, a commune clerk does not handle feedback, another
    # citizen is another citizen: the same 404 as for a file that does not exist.
    for person in (handlers["district"], handlers["leader"], handlers["clerk"], UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 404
    assert client.get(reverse("feedback:attachment", args=[attachment.pk + 100])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_behind_nginx_the_file_is_sent_by_nginx_after_the_check(client, citizen, network, settings):
    settings.MEDIA_ACCEL_PREFIX = "/_protected/"
    client.force_login(citizen)
    _post(client, network, SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png"))
    attachment = FeedbackAttachment.objects.get()
    response = client.get(reverse("feedback:attachment", args=[attachment.pk]))
    assert response["X-Accel-Redirect"] == f"/_protected/{attachment.file.name}"
    client.force_login(UserFactory())
    assert "X-Accel-Redirect" not in client.get(reverse("feedback:attachment", args=[attachment.pk]))


def test_the_same_form_with_its_files_sent_twice_stores_the_files_once(client, citizen, network, settings):
    import uuid

    client.force_login(citizen)
    key = str(uuid.uuid4())
    for _click in range(2):
        response = _post(
            client, network, SimpleUploadedFile("biên lai.pdf", PDF, content_type="application/pdf"), submission_key=key
        )
        assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert list(feedback.attachments.values_list("name", flat=True)) == ["biên lai.pdf"]
    assert len(_stored_files(settings)) == 1
    # Another sender with the same key gets a refusal, and nothing of theirs is written.
    with pytest.raises(ValidationError):
        feedback_send_with_files(
            sender=UserFactory(),
            subject=Subject.CONDUCT,
            text=TEXT,
            agency=network["commune"],
            files=[SimpleUploadedFile("khac.pdf", PDF, content_type="application/pdf")],
            submission_key=key,
        )
    assert Feedback.objects.count() == 1 and len(_stored_files(settings)) == 1


def test_two_requests_with_the_same_key_at_the_same_moment_make_one_feedback(citizen, network, settings):
    """Both requests look for the key before either has written it; the second one's insert then meets
    the first one's row (the unique key): it returns that feedback, with its files, and writes none."""
    import uuid

    key = uuid.uuid4()

    def send():
        return feedback_send_with_files(
            sender=citizen,
            subject=Subject.CONDUCT,
            text=TEXT,
            agency=network["commune"],
            files=[SimpleUploadedFile("biên lai.pdf", PDF, content_type="application/pdf")],
            submission_key=key,
        )

    first = send()
    manager, lookups = Feedback.objects, []
    real_filter = manager.filter

    def not_yet_written(*args, **kwargs):  # the second request's two looks, made before the first wrote
        if "submission_key" in kwargs:
            lookups.append(kwargs["submission_key"])
            if len(lookups) <= 2:
                return manager.none()
        return real_filter(*args, **kwargs)

    with mock.patch.object(manager, "filter", not_yet_written):
        second = send()
    assert len(lookups) > 2  # it looked again after the insert was refused
    assert second == first and Feedback.objects.count() == 1
    assert FeedbackAttachment.objects.count() == 1 and len(_stored_files(settings)) == 1
