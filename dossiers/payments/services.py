"""Starting an online payment of a dossier's fee and taking the gateway's notifications.

A payment is marked paid only by a notification whose signature verifies under a trustworthy secret,
for a reference the portal issued, for exactly its amount, while it is still pending; anything else is
answered and changes nothing. Notifications are taken under a row lock, so a repeated or concurrent one
changes nothing twice. A verified notification is logged in full; one refused before that (malformed,
unsigned, or while the secret is a placeholder) is counted per day and reason, and only the day's first
few of each reason are kept, shortened: a flood of junk cannot fill the database."""

import logging
import unicodedata
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.sms import plain_sms
from procedures.money import dong

from ..constants import Status
from ..models import Dossier, Payment, PaymentNotification, PaymentNotificationCount
from . import vnpay

logger = logging.getLogger(__name__)
PAYABLE = {Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT, Status.DONE}
Reason = PaymentNotificationCount.Reason
# Refused notifications kept as samples, per day and reason, and how much of each is kept.
SAMPLES_PER_DAY = 10
SAMPLE_FIELDS = 20
SAMPLE_FIELD_LENGTH = 64


def payment_due(dossier: Dossier) -> int:
    """What the citizen still has to pay online (0 when nothing, or when online payment is not set up:
    no secret, or one that cannot be trusted)."""
    if vnpay.secret_problem() or dossier.fee_paid_at or dossier.fee_amount <= 0:
        return 0
    if dossier.status not in PAYABLE:
        return 0
    return dossier.fee_amount


@transaction.atomic
def payment_start(*, dossier: Dossier, by, client_ip: str, portal_url: str, now=None) -> tuple[Payment, str]:
    """A new payment of the dossier's fee by its applicant, and the gateway address to send them to."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.applicant_id != by.pk:
        raise PermissionDenied(_("Only the applicant pays for this dossier online."))
    amount = payment_due(dossier)
    if not amount:
        raise ValidationError(_("There is nothing to pay for this dossier now."))
    now = now or timezone.now()
    payment = Payment.objects.create(
        dossier=dossier, reference=f"HS{dossier.pk}X{uuid.uuid4().hex[:16]}", amount=amount
    )
    url = vnpay.payment_url(
        reference=payment.reference,
        amount=amount,
        description=plain_sms(_("Fee for dossier %(code)s") % {"code": dossier.code}, limit=255),
        client_ip=client_ip,
        return_url=portal_url.rstrip("/") + reverse("dossiers:payment_return"),
        now=now,
    )
    return payment, url


def payment_notified(*, params: dict, channel: str = "ipn") -> dict:
    """Take one notification from the gateway; returns the answer for it (``{"RspCode", "Message"}``).

    Malformed parameters are answered 99 before anything is looked up with them; while the secret is a
    placeholder every notification is answered 99 (VNPAY sends it again later) and logged as an error."""
    params = {str(key): str(value) for key, value in params.items()}
    junk = vnpay.malformed(params)
    if junk:
        return _refused(reason=Reason.MALFORMED, code=vnpay.OTHER, message=junk, params=params, channel=channel)
    untrusted = vnpay.secret_problem()
    if untrusted:
        logger.error("payment notification refused: %s, so no signature can be trusted", untrusted)
        return _refused(
            reason=Reason.UNTRUSTED_SECRET, code=vnpay.OTHER, message=untrusted, params=params, channel=channel
        )
    if not vnpay.verify(params):
        return _refused(
            reason=Reason.SIGNATURE,
            code=vnpay.INVALID_SIGNATURE,
            message="signature does not verify",
            params=params,
            channel=channel,
        )
    try:
        with transaction.atomic():
            code, message, payment = _judge(params)
            _log(payment=payment, channel=channel, params=params, code=code, message=message)
    except Exception as error:  # answered 99 and logged, so the gateway retries and staff can see it
        logger.exception("payment notification could not be taken")
        code, message = vnpay.OTHER, f"error: {error}"[:255]
        with transaction.atomic():
            _log(payment=None, channel=channel, params=params, code=code, message=message)
    if code != vnpay.CONFIRMED:
        logger.warning("payment notification refused (%s %s): %s", channel, code, message)
    return vnpay.answer(code)


def _log(*, payment, channel, params, code, message) -> None:
    """A verified notification, kept in full."""
    PaymentNotification.objects.create(
        payment=payment, channel=channel, params=params, signature_valid=True, answer=code, message=message
    )


def _refused(*, reason: str, code: str, message: str, params: dict, channel: str) -> dict:
    """Count a notification refused before its signature was trusted, keep it only as one of the day's
    first samples for ``reason`` (shortened), and answer ``code``. A database that cannot count it does
    not change the answer."""
    logger.warning("payment notification refused (%s %s): %s", channel, code, message)
    try:
        with transaction.atomic():
            tally, _created = PaymentNotificationCount.objects.select_for_update().get_or_create(
                day=timezone.localdate(), reason=reason
            )
            tally.count = F("count") + 1
            tally.save(update_fields=["count", "last_at"])
            tally.refresh_from_db(fields=["count"])
            if tally.count <= SAMPLES_PER_DAY:
                PaymentNotification.objects.create(
                    channel=channel,
                    params=_shortened(params),
                    signature_valid=False,
                    truncated=True,
                    answer=code,
                    message=message[:255],
                )
    except DatabaseError:
        logger.exception("a refused payment notification could not be counted")
    return vnpay.answer(code)


def _shortened(params: dict) -> dict:
    """The first fields of ``params``, each cut short, control characters written out (``\\x00``), so
    what is kept of a junk request is small and storable anywhere."""

    def clean(text: str) -> str:
        text = text[:SAMPLE_FIELD_LENGTH]
        return "".join(
            ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cs") else ch
            for ch in text
        )

    return {clean(key): clean(value) for key, value in list(params.items())[:SAMPLE_FIELDS]}


def _judge(params: dict) -> tuple[str, str, Payment | None]:
    """The answer to a verified notification, and the payment it settles (locked), if any."""
    from ..services.workflow import dossier_paid_online

    payment = Payment.objects.select_for_update().filter(reference=params.get("vnp_TxnRef", "")).first()
    if payment is None:
        return vnpay.NOT_FOUND, "no payment with this reference", None
    if params.get("vnp_Amount") != str(payment.amount * 100):
        return vnpay.INVALID_AMOUNT, f"amount {params.get('vnp_Amount')} is not {payment.amount * 100}", payment
    if payment.status != Payment.Status.PENDING:
        return vnpay.ALREADY_CONFIRMED, f"already {payment.status}: nothing changed", payment
    payment.provider_transaction = params.get("vnp_TransactionNo", "")[:40]
    payment.bank_code = params.get("vnp_BankCode", "")[:20]
    payment.response_code = params.get("vnp_ResponseCode", "")[:4]
    if not vnpay.succeeded(params):
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status", "provider_transaction", "bank_code", "response_code"])
        return vnpay.CONFIRMED, f"not paid (gateway code {payment.response_code})", payment
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.receipt_number = f"BL{payment.paid_at:%y}-{payment.pk:07d}"
    payment.save()
    note = _("Paid online: %(amount)s đồng, transaction %(txn)s, receipt %(receipt)s") % {
        "amount": dong(payment.amount),
        "txn": payment.provider_transaction,
        "receipt": payment.receipt_number,
    }
    # The dossier, locked: two payments confirmed at once settle the fee once; a payment that no
    # longer matches what the dossier owes (the fee changed, the dossier closed) is kept, to refund.
    dossier = Dossier.objects.select_for_update().get(pk=payment.dossier_id)
    refund = ""
    if dossier.fee_paid_at:
        refund = "the fee was already paid"
    elif dossier.status not in PAYABLE:
        refund = f"the dossier is {dossier.status}"
    elif payment.amount != dossier.fee_amount:
        refund = f"the dossier now owes {dossier.fee_amount}, not {payment.amount}"
    if refund:
        payment.note = f"refund: {refund}"[:255]
        payment.save(update_fields=["note"])
        return vnpay.CONFIRMED, f"paid, but {refund}: refund this payment", payment
    dossier_paid_online(dossier=dossier, payment=payment, note=note)
    return vnpay.CONFIRMED, "paid", payment
