"""Electronic results: a result PDF is signed by the agency that issues it (PAdES, with pyHanko) and
carries a QR code to the public verification page; a file brought back is checked against the record.

Keys and certificates are files in ``SIGNING_DIR``: ``<agency code>.key.pem`` and ``<agency
code>.cert.pem`` for each agency that signs, and ``ca.cert.pem``, the authority that issued them (the
trust root the verification page checks against). In production they come from the agency's
certificate provider; ``seed_demo`` makes a self-signed demo authority and a certificate for every demo
agency (``demo_pki_create``). An agency without its files issues unsigned results (recorded as such).
"""

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a desk


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


def verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _folder() -> Path:
    return Path(settings.SIGNING_DIR)


def credentials(agency) -> tuple[Path, Path] | None:
    key, cert = _folder() / f"{agency.code}.key.pem", _folder() / f"{agency.code}.cert.pem"
    return (key, cert) if key.exists() and cert.exists() else None


def trust_root() -> Path | None:
    root = _folder() / "ca.cert.pem"
    return root if root.exists() else None


def sign_pdf(data: bytes, *, agency, url: str, reason: str) -> bytes | None:
    """``data`` signed by ``agency`` with a visible stamp carrying a QR code to ``url``; None when the
    agency has no signing files."""
    found = credentials(agency)
    if found is None:
        return None
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import QRStampStyle

    key, cert = found
    root = trust_root()
    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(root),) if root else None)
    font = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"
    style = QRStampStyle(
        stamp_text="Ký bởi: %(signer)s\nThời gian: %(ts)s\nXác thực: quét mã QR",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=7)),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="KetQua", subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=agency.name
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec("KetQua", on_page=-1, box=(330, 20, 580, 110)),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, appearance_text_params={"url": url}))
    except Exception as error:  # a PDF too damaged to add a signature to: issued unsigned, and said so
        logger.warning("a result PDF of %s could not be signed (%s); issued unsigned", agency.code, error)
        logger.debug("signing failure", exc_info=True)
        return None
    return out.getvalue()


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
