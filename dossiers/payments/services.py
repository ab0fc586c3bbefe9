"""Starting an online payment of a dossier's fee and taking the gateway's notifications.

A payment is marked paid only by a notification whose signature verifies, for a reference the portal
issued, for exactly its amount, while it is still pending; anything else is answered, logged with what
came, and changes nothing. Notifications are taken under a row lock, so a repeated or concurrent one
changes nothing twice."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.sms import plain_sms
from procedures.money import dong

from ..constants import Status
from ..models import Dossier, Payment, PaymentNotification
from . import vnpay

logger = logging.getLogger(__name__)
PAYABLE = {Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT, Status.DONE}


def payment_due(dossier: Dossier) -> int:
    """What the citizen still has to pay online (0 when nothing, or when online payment is not set up)."""
    if not settings.VNPAY_HASH_SECRET or dossier.fee_paid_at or dossier.fee_amount <= 0:
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
    """Take one notification from the gateway; returns the answer for it (``{"RspCode", "Message"}``)."""
    params = {key: str(value) for key, value in params.items()}
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
    PaymentNotification.objects.create(
        payment=payment,
        channel=channel,
        params=params,
        signature_valid=code != vnpay.INVALID_SIGNATURE,
        answer=code,
        message=message,
    )


def _judge(params: dict) -> tuple[str, str, Payment | None]:
    from ..services.workflow import dossier_paid_online

    if not vnpay.verify(params):
        return vnpay.INVALID_SIGNATURE, "signature does not verify", None
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
