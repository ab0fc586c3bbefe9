"""Electronic results: a result PDF is signed by the agency that issues it (PAdES, with pyHanko) and
carries a QR code to the public verification page; a file brought back is checked against the record.

Keys and certificates are files in ``SIGNING_DIR``: ``<agency code>.key.pem`` and ``<agency
code>.cert.pem`` for each agency that signs, and ``ca.cert.pem``, the authority that issued them (the
trust root the verification page checks against). In production they come from the agency's
certificate provider; ``seed_demo`` makes a self-signed demo authority and a certificate for every demo
agency (``demo_pki_create``). ``sign_pdf`` never returns an unsigned file: it raises ``NoCredentials``
when the agency has no files and ``UnsignablePdf`` when the PDF cannot take a signature, and the caller
decides (a result delivered online is refused; one handed over on paper is recorded unsigned, said so).
"""

import functools
import hashlib
import io
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import Agency

logger = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a desk

# The visible stamp: bottom right of the last page, inside an A4 page (595 x 842 pt) with 20 pt to
# spare; beside the QR code, room for five lines of 8 pt text (the agency's name on up to three),
# STAMP_TEXT_WIDTH wide once the QR code and the margins are taken off.
STAMP_BOX = (305, 20, 575, 100)
STAMP_QR_SIZE = 64
STAMP_FONT_SIZE = 8
STAMP_LEADING = 10
STAMP_TEXT_MARGIN = 4
STAMP_INNER_SEPARATION = 3
STAMP_TEXT_WIDTH = STAMP_BOX[2] - STAMP_BOX[0] - STAMP_QR_SIZE - 2 * STAMP_INNER_SEPARATION - 2 * STAMP_TEXT_MARGIN
# An official document: the stamp reads in Vietnamese whatever the clerk's language.
STAMP_TEXT = "%(signed_by)s\nThời gian: %(signed_at)s\nXác thực: quét mã QR"
STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M:%S"


def _outside_event_loop(function):
    """Run ``function`` (pyHanko runs its own asyncio loop) in a thread of its own when this thread
    already runs an event loop (an ASGI server, a browser test driver); directly otherwise."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


class SigningError(Exception):
    """A result PDF could not be signed; ``str()`` says why, for the clerk."""


class NoCredentials(SigningError):
    def __init__(self, agency):
        self.agency = agency
        super().__init__(f"{agency.name} ({agency.code}) has no signing key and certificate in SIGNING_DIR")


class UnsignablePdf(SigningError):
    """The file is not a PDF a signature can be added to (damaged, encrypted, not a PDF at all)."""


def verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _folder() -> Path:
    return Path(settings.SIGNING_DIR)


def credentials(agency) -> tuple[Path, Path] | None:
    key, cert = _folder() / f"{agency.code}.key.pem", _folder() / f"{agency.code}.cert.pem"
    return (key, cert) if key.exists() and cert.exists() else None


def agencies_without_signing() -> list["Agency"]:
    """Active agencies offering a published level-4 procedure (results delivered online, which must
    be signed) that have no key and certificate in ``SIGNING_DIR``, by code: one query, then a look
    at the files. Raises ``DatabaseError`` when the database cannot be read."""
    from accounts.models import Agency
    from procedures.constants import ServiceLevel, VersionStatus

    offering = Agency.objects.filter(
        is_active=True,
        offered_procedures__status=VersionStatus.PUBLISHED,
        offered_procedures__service_level=ServiceLevel.FULL,
    )
    return [agency for agency in offering.distinct().order_by("code") if credentials(agency) is None]


def trust_root() -> Path | None:
    root = _folder() / "ca.cert.pem"
    return root if root.exists() else None


def sign_pdf(data: bytes, *, agency, url: str, reason: str) -> bytes:
    """``data`` signed by ``agency`` with a visible stamp carrying a QR code to ``url``. Raises
    ``NoCredentials`` when the agency has no signing files, ``UnsignablePdf`` when the PDF cannot be
    signed."""
    found = credentials(agency)
    if found is None:
        raise NoCredentials(agency)
    from pyhanko.sign import fields, signers

    key, cert = found
    root = trust_root()
    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(root),) if root else None)
    meta = signers.PdfSignatureMetadata(
        field_name="KetQua", subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=agency.name
    )
    font = stamp_font()
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=_stamp_style(font),
        new_field_spec=fields.SigFieldSpec("KetQua", on_page=-1, box=STAMP_BOX),
    )
    text = _stamp_text_params(agency=agency, url=url, at=timezone.now(), font=font)
    try:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, appearance_text_params=text))
    except Exception as error:  # a PDF too damaged to add a signature to: the caller decides
        logger.warning("a result PDF of %s could not be signed (%s)", agency.code, error)
        logger.debug("signing failure", exc_info=True)
        raise UnsignablePdf(str(error) or error.__class__.__name__) from error
    return out.getvalue()


def _stamp_text_params(*, agency, url: str, at: datetime, font: Path) -> dict[str, str]:
    """What the stamp says: the agency's full name from our record (the certificate's name is cut
    at 64 bytes), wrapped on word boundaries to the room beside the QR code, and the signing time in
    the portal's time zone (pyHanko's own ``ts`` is in the machine's zone, often UTC on a server)."""
    measure = functools.partial(_text_width, font=font, size=STAMP_FONT_SIZE)
    signed_by = _wrap(f"Ký bởi: {agency.name}", width=STAMP_TEXT_WIDTH, measure=measure)
    return {
        "url": url,
        "signed_by": "\n".join(signed_by),
        "signed_at": timezone.localtime(at, ZoneInfo(settings.TIME_ZONE)).strftime(STAMP_TIME_FORMAT),
    }


def _stamp_style(font: Path):
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import QRStampStyle

    return QRStampStyle(
        stamp_text=STAMP_TEXT,
        border_width=1,
        innsep=STAMP_INNER_SEPARATION,
        qr_inner_size=STAMP_QR_SIZE,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(font), font_size=STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_LEADING,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(STAMP_TEXT_MARGIN),
            ),
        ),
    )


def _wrap(text: str, *, width: float, measure) -> list[str]:
    """``text`` in lines no wider than ``width`` (as ``measure`` says), broken between words only; a
    single word wider than that keeps a line of its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _text_width(text: str, *, font: Path, size: float) -> float:
    """Width in points of ``text`` set in ``font`` at ``size``, shaped as pyHanko shapes it (HarfBuzz)."""
    import uharfbuzz as hb

    shaper, units_per_em = _shaper(str(font))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(shaper, buffer)
    return sum(position.x_advance for position in buffer.glyph_positions) * size / units_per_em


@functools.lru_cache(maxsize=4)
def _shaper(font: str):
    import uharfbuzz as hb

    face = hb.Face(Path(font).read_bytes())
    return hb.Font(face), face.upem


def stamp_font() -> Path:
    """The stamp's font (DejaVu Sans, which has every Vietnamese letter) at 1000 units per em.

    pyHanko writes a font's glyph widths (/W) and kerning adjustments in the font's own units, while
    a PDF reader takes them as thousandths of an em: DejaVu Sans has 2048 units per em, so its text
    comes out letter-spaced and runs out of the stamp. A copy rescaled to 1000 units per em makes
    the two agree. It takes a couple of seconds to make, so it is made once per version of the font
    (named by its hash) in a private folder of the temporary directory, and reused."""
    source = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = _font_cache_folder() / f"{source.stem}-1000upem-{digest}.ttf"
    if not target.exists():
        _font_rescale(source=source, target=target)
    return target


def _font_cache_folder() -> Path:
    """A folder of the temporary directory only this user can write to: a font found in it ends up
    in signed official documents, so one planted by another account must not be picked up."""
    folder = Path(tempfile.gettempdir()) / f"onestop-fonts-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.lstat()
    if folder.is_symlink() or status.st_uid != os.getuid() or status.st_mode & 0o022:
        return _font_private_folder()
    return folder


@functools.cache
def _font_private_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="onestop-fonts-"))


def _font_rescale(*, source: Path, target: Path) -> None:
    """Write ``source`` rescaled to 1000 units per em to ``target`` (atomically: several workers may
    make it at once). Hinting goes: its programs assume the old units, and PDF readers do without."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(source)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
        for table in ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"):
            if table in font:
                del font[table]
        for name in font.getGlyphOrder():
            font["glyf"][name].removeHinting()
    handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            font.save(stream)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@dataclass
class Check:
    """What the verification page says about a file brought to it."""

    is_pdf: bool = False
    hash_matches: bool = False
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str = ""

    @property
    def genuine(self) -> bool:
        return self.hash_matches and self.signed and self.intact and self.trusted


def check_pdf(data: bytes, *, expected_sha256: str) -> Check:
    """Compare ``data`` with the issued file's hash and validate its signature against the trust root."""
    result = Check(hash_matches=hashlib.sha256(data).hexdigest() == expected_sha256)
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        result.is_pdf = True
        signatures = reader.embedded_signatures
        if not signatures:
            return result
        result.signed = True
        root = trust_root()
        context = None
        if root:
            from asn1crypto import pem, x509

            raw = root.read_bytes()
            if pem.detect(raw):
                raw = pem.unarmor(raw)[2]
            context = ValidationContext(trust_roots=[x509.Certificate.load(raw)])
        status = _outside_event_loop(lambda: validate_pdf_signature(signatures[-1], signer_validation_context=context))
        result.intact = bool(status.intact and status.valid and status.coverage.name == "ENTIRE_FILE")
        result.trusted = bool(status.trusted)
        result.signer = status.signing_cert.subject.human_friendly
    except Exception:  # not a PDF, or a PDF too damaged to read: reported as such
        logger.info("a file brought for verification could not be read as a signed PDF", exc_info=True)
    return result


def demo_pki_create(*, agencies, folder: Path | None = None, now: datetime | None = None) -> int:
    """A self-signed demo authority and a certificate for each agency that has none; returns how many
    were made. For the demo and the tests only: production keys come from a certificate provider."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder or _folder())
    folder.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    ca_key_path, ca_cert_path = folder / "ca.key.pem", folder / "ca.cert.pem"
    if ca_cert_path.exists():
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cổng một cửa điện tử (trình diễn)"),
                x509.NameAttribute(NameOID.COMMON_NAME, "CA trình diễn của Cổng một cửa"),
            ]
        )
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        ca_key_path.write_bytes(
            ca_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    made = 0
    for agency in agencies:
        if credentials_in(folder, agency):
            continue
        key = ec.generate_private_key(ec.SECP256R1())  # ECDSA P-256: quick to make, accepted by PAdES
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _name_part(agency.name)),
                        x509.NameAttribute(NameOID.COMMON_NAME, _name_part(agency.name)),
                        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, agency.code),
                    ]
                )
            )
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (folder / f"{agency.code}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (folder / f"{agency.code}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        made += 1
    return made


def _name_part(name: str) -> str:
    """A certificate name field holds at most 64 bytes of UTF-8: cut on a character boundary."""
    return name.encode("utf-8")[:64].decode("utf-8", errors="ignore")


def credentials_in(folder: Path, agency) -> bool:
    return (folder / f"{agency.code}.key.pem").exists() and (folder / f"{agency.code}.cert.pem").exists()
