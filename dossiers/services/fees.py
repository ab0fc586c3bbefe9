from ..models import Dossier


def fee_attach_usual(dossier: Dossier) -> None:
    """The procedure's usual fee (the first the catalogue lists, as for the usual case) becomes the
    amount to pay, at reception; the caller saves. A free procedure leaves nothing to pay, and the
    agency can ask for another amount (the financial obligation, national code 6)."""
    fee = dossier.procedure_version.fees.order_by("order", "pk").first()
    if fee is not None and fee.amount > 0 and not dossier.fee_paid_at:
        dossier.fee_label, dossier.fee_amount = fee.label, fee.amount
