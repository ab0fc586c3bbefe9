"""Smoke test of a running portal, through nginx, as people use it (deploy/plain/up.sh --smoke runs it).

    python deploy/plain/smoke.py --url https://localhost:18443 --health http://127.0.0.1:18080/healthz \\
        --cafile tls.crt --smtp-port 18025 [--web http://127.0.0.1:18000]

It listens as the mail server (SMTP on --smtp-port) for the portal's mail, waits until ``/healthz`` says
"ok" (the sweep ran, a worker answers), reads the public pages in Vietnamese with static files served by
nginx, logs in as the demo citizen, submits an online dossier through the API with two PDF files, and
waits for the mail about that dossier: the web wrote it, the broker carried it, the worker sent it.
Prints one line per check and exits non-zero at the first failure.
"""

import argparse
import http.client
import http.cookiejar
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from onestop.smtp_sink import MailSink

CITIZEN = ("congdan@demo.vn", "motcua-demo-2026")
PROCEDURE, AGENCY = "2.000815", "000.12.22.H56"  # certified copy, at a commune desk of the demo district
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def listening_addresses(port: int) -> list[str]:
    """The IPv4 and IPv6 addresses something listens on at ``port`` on this machine (from /proc/net)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if width == 8:
                    found.append(".".join(str(b) for b in reversed(raw)))
                else:
                    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                    found.append("::1" if b"".join(words) == bytes(15) + b"\x01" else b"".join(words).hex())
    return found


def check(label: str, condition: bool, detail: str = "") -> None:
    print(f"{'ok  ' if condition else 'FAIL'} {label}" + (f": {detail}" if detail and not condition else ""))
    if not condition:
        sys.exit(1)


class Browser:
    def __init__(self, base: str, cafile: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def open(self, path: str, data: bytes | None = None, headers: dict | None = None):
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - https only
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
            request.add_header("Referer", self.base + "/")
        try:
            response = self.opener.open(request, timeout=30)
            return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str, payload: dict):
        status, _headers, body = self.open(
            path, json.dumps(payload).encode(), {"Content-Type": "application/json", "Accept": "application/json"}
        )
        return status, json.loads(body or b"{}")

    def upload(self, path: str, fields: dict, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _headers, body = self.open(
            path,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"},
        )
        return status, json.loads(body or b"{}")


def answers(procedure: dict) -> dict:
    """Plausible answers to the procedure's online form, from the form schema the API publishes."""
    filled = {}
    for field in procedure.get("form_schema") or []:
        kind = field.get("type")
        if kind == "number":
            filled[field["name"]] = field.get("min", 1)
        elif kind == "date":
            filled[field["name"]] = "2020-01-15"
        elif kind == "choice":
            filled[field["name"]] = field["choices"][0]
        else:
            filled[field["name"]] = "Giấy khai sinh" if kind == "text" else "Thôn 1, xã Xuân Du, huyện Như Thanh"
    return filled


def wait_healthy(url: str, host: str, seconds: int) -> dict:
    deadline, last = time.monotonic() + seconds, {}
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - our own address
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                last = json.loads(response.read())
        except (urllib.error.URLError, ValueError, OSError) as error:
            last = {"error": str(error)}
        if last.get("status") == "ok":
            return last
        time.sleep(2)
    return last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the portal's public HTTPS address (nginx)")
    parser.add_argument("--health", required=True, help="/healthz over plain HTTP (the load balancer's view)")
    parser.add_argument("--cafile", required=True, help="the certificate nginx presents")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--web", help="gunicorn's own address, to show it is not the way in from outside")
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.url).hostname

    smtp = MailSink(port=args.smtp_port).start()

    health = wait_healthy(args.health, host, 150)
    check("/healthz says ok (the sweep ran, a worker answers)", health.get("status") == "ok", json.dumps(health))

    plain = urllib.parse.urlsplit(args.health)
    connection = http.client.HTTPConnection(plain.hostname, plain.port, timeout=10)
    connection.request("GET", "/tra-cuu/", headers={"Host": host})
    redirect = connection.getresponse()
    check(
        "plain HTTP is sent to HTTPS",
        redirect.status == 301 and redirect.getheader("Location", "").startswith(args.url + "/tra-cuu/"),
        f"{redirect.status} {redirect.getheader('Location')}",
    )
    if args.web:
        port = urllib.parse.urlsplit(args.web).port
        bound = listening_addresses(port)
        loopback = bool(bound) and all(a.startswith("127.") or a == "::1" for a in bound)
        check("gunicorn listens on the loopback only", loopback, str(bound))

    browser = Browser(args.url, args.cafile)
    for path, words in (
        ("/", "Thủ tục"),
        ("/thu-tuc/", "Chứng thực"),
        (f"/thu-tuc/{PROCEDURE}/", "Bản chính"),
        ("/tra-cuu/", "Tra cứu"),
    ):
        status, headers, body = browser.open(path)
        page = body.decode("utf-8", "replace")
        check(f"GET {path} answers in Vietnamese", status == 200 and words in page, f"{status}")
    check("HSTS on every page", "max-age=" in headers.get("Strict-Transport-Security", ""))
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    check("the page links its stylesheet from /static/", stylesheet is not None)
    status, headers, _body = browser.open(stylesheet.group(1))
    check(
        "static files come from nginx, hashed and cached for a year",
        status == 200
        and "immutable" in headers.get("Cache-Control", "")
        and headers.get("Server", "").startswith("nginx"),
        f"{status} {headers.get('Cache-Control')} {headers.get('Server')}",
    )

    status, _headers, body = browser.open("/dang-nhap/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())
    check("the login page has its form", status == 200 and token is not None)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": CITIZEN[0], "password": CITIZEN[1]}
    )
    status, _headers, body = browser.open(
        "/dang-nhap/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    check("the demo citizen logs in", status == 200 and "dang-xuat" in body.decode(), f"{status}")

    procedure = json.loads(browser.open(f"/api/v1/procedures/{PROCEDURE}/")[2])
    draft = {"procedure": PROCEDURE, "agency": AGENCY, "result_delivery": "desk", "form_data": answers(procedure)}
    status, dossier = browser.json("/api/v1/dossiers/", draft)
    check("a draft is started through the API with the form filled", status == 201, f"{status} {dossier}")
    mandatory = [document["id"] for document in procedure["documents"] if document["mandatory"]]
    uploaded = []
    for document in mandatory:
        status, attachment = browser.upload(
            f"/api/v1/dossiers/{dossier['reference']}/attachments/", {"document": document}, "giấy tờ.pdf", PDF
        )
        check(f"file for document {document} accepted", status == 201, f"{status} {attachment}")
        uploaded.append(attachment["id"])
    status, headers, body = browser.open(f"/api/v1/attachments/{uploaded[0]}/file/")
    check(
        "the citizen downloads their file, sent by nginx after the portal's check",
        status == 200
        and body == PDF
        and "gi%E1%BA%A5y" in headers.get("Content-Disposition", "")
        and "X-Accel-Redirect" not in headers,
        f"{status} {len(body)} bytes {headers}",
    )
    stranger = Browser(args.url, args.cafile)
    status, _headers, _body = stranger.open(f"/api/v1/attachments/{uploaded[0]}/file/")
    check("someone not logged in does not get it", status in (401, 403), f"{status}")
    status, _headers, _body = stranger.open("/_protected/")
    check("nginx's file location answers internal redirects only", status == 404, f"{status}")
    status, submitted = browser.json(
        f"/api/v1/dossiers/{dossier['reference']}/submit/", {"submission_key": str(uuid.uuid4())}
    )
    check(
        "the dossier is submitted and gets its code",
        status in (200, 201) and submitted.get("code"),
        f"{status} {submitted}",
    )
    code = submitted["code"]

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(code in text for text in smtp.texts()):
        time.sleep(1)
    mailed = any(code in text for text in smtp.texts())
    check(f"the worker mailed the citizen about {code}", mailed, f"{len(smtp.messages)} mails")
    smtp.stop()
    print("smoke test passed")


if __name__ == "__main__":
    main()
