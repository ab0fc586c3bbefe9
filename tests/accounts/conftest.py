import re


def main_of(response) -> str:
    """The page's <main>, without the per-response CSRF token: what a person reads."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def sms_texts(settings) -> list[dict]:
    """Every SMS the file backend wrote in this test, oldest first."""
    import json

    lines = []
    for log in sorted(settings.SMS_FILE_PATH.glob("*.log")):
        lines += [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    return lines


def last_code(settings, phone: str) -> str:
    """The code in the last SMS sent to ``phone``."""
    texts = [m["text"] for m in sms_texts(settings) if m["to"] == phone]
    assert texts, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)
