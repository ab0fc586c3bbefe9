from ..models import Dossier


def fee_attach_usual(dossier: Dossier) -> None:
    """The procedure's usual fee (the first the catalogue lists, as for the usual case) becomes the
    amount to pay, at reception; the caller saves. A free procedure leaves nothing to pay, and the
    agency can ask for another amount (the financial obligation, national code 6)."""
    fees = sorted(dossier.procedure_version.fees.all(), key=lambda fee: (fee.order, fee.pk))  # read once, if read
    fee = fees[0] if fees else None
    if fee is not None and fee.amount > 0 and not dossier.fee_paid_at:
        dossier.fee_label, dossier.fee_amount = fee.label, fee.amount
