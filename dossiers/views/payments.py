"""Paying a dossier's fee online: start (to the gateway), the gateway's server-to-server notification,
the citizen's return, the fee receipt, and the gateway simulator of the embedded default."""

import logging
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from onestop.client_ip import client_ip

from ..models import Payment
from ..payments import vnpay
from ..payments.services import payment_notified, payment_start
from ..selectors import dossier_get_detail_or_404
from ..slips import fee_receipt_pdf

logger = logging.getLogger(__name__)


class PaymentStartView(LoginRequiredMixin, View):
    def post(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        try:
            _payment, url = payment_start(
                dossier=dossier, by=request.user, client_ip=client_ip(request), portal_url=settings.PORTAL_URL
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(dossier.get_absolute_url())
        return redirect(url)


class VnpayIpnView(View):
    """VNPAY's server-to-server notification: verified, logged, answered as VNPAY expects. Whatever
    comes (junk, a broken database), the answer is VNPAY's JSON: 99 makes VNPAY send it again."""

    def get(self, request):
        try:
            answer = payment_notified(params=request.GET.dict(), channel="ipn")
        except Exception:
            logger.exception("payment notification could not be answered")
            answer = vnpay.answer(vnpay.OTHER)
        return JsonResponse(answer)


class VnpayReturnView(LoginRequiredMixin, View):
    """Where the citizen's browser comes back: says what happened; never changes anything itself (the
    notification does), so a forged return URL changes nothing."""

    def get(self, request):
        params = request.GET.dict()
        if vnpay.malformed(params):  # nothing VNPAY sends: not looked up
            raise Http404
        payment = Payment.objects.select_related("dossier").filter(reference=params.get("vnp_TxnRef", "")).first()
        if payment is None or payment.dossier.applicant_id != request.user.pk:
            raise Http404
        genuine = vnpay.verify(params)
        payment.refresh_from_db()
        context = {
            "payment": payment,
            "dossier": payment.dossier,
            "genuine": genuine,
            "succeeded": vnpay.succeeded(params),
        }
        return render(request, "dossiers/payment_return.html", context)


class FeeReceiptView(LoginRequiredMixin, View):
    def get(self, request, reference, pk):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        payment = dossier.payments.filter(pk=pk, status=Payment.Status.PAID).first()
        if payment is None:
            raise Http404
        response = HttpResponse(fee_receipt_pdf(payment), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="bien-lai-{payment.receipt_number}.pdf"'
        return response


class GatewaySimulatorView(View):
    """The embedded default's stand-in for VNPAY's payment page (VNPAY_SIMULATOR): checks the
    portal's signature as VNPAY would, lets the citizen pay or cancel, notifies the portal as VNPAY's
    server would (signed with the same secret), then sends the browser back. Never in production."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.VNPAY_SIMULATOR:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        params = request.GET.dict()
        if not vnpay.verify(params) or params.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
            return render(request, "dossiers/payment_simulator.html", {"invalid": True}, status=400)
        amount = int(params.get("vnp_Amount", "0")) // 100
        return render(request, "dossiers/payment_simulator.html", {"params": params, "amount": amount})

    def post(self, request):
        params = {k: v for k, v in request.POST.items() if k.startswith("vnp_")}
        if not vnpay.verify(params):
            return render(request, "dossiers/payment_simulator.html", {"invalid": True}, status=400)
        paid = request.POST.get("choice") == "pay"
        result = {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{uuid.uuid4().int % 10**8:08d}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": timezone.localtime().strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": f"{uuid.uuid4().int % 10**8:08d}",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": params["vnp_TxnRef"],
        }
        result["vnp_SecureHash"] = vnpay.sign(result)
        payment_notified(params=result, channel="ipn")  # what VNPAY's server does before the browser returns
        return redirect(params["vnp_ReturnUrl"] + "?" + urlencode(result))
