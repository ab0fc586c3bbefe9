from django.urls import path

from . import views
from .views.citizen import ResultReceiveView

app_name = "dossiers"

urlpatterns = [
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.DossierStartView.as_view(), name="start"),
    path("ho-so/<uuid:reference>/nguoi-nop/", views.ApplicantStepView.as_view(), name="step_applicant"),
    path("ho-so/<uuid:reference>/to-khai/", views.FormStepView.as_view(), name="step_form"),
    path("ho-so/<uuid:reference>/giay-to/", views.DocumentsStepView.as_view(), name="step_documents"),
    path("ho-so/<uuid:reference>/nhan-ket-qua/", views.DeliveryStepView.as_view(), name="step_delivery"),
    path("ho-so/<uuid:reference>/xem-lai/", views.ReviewStepView.as_view(), name="step_review"),
    path("ho-so/<uuid:reference>/da-nop/", views.DossierSubmittedView.as_view(), name="submitted"),
    path("ho-so/<uuid:reference>/", views.DossierDetailView.as_view(), name="detail"),
    path("ho-so/tep/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("ho-so/tep/<int:pk>/nhan/", ResultReceiveView.as_view(), name="result_receive"),
    path("ho-so-cua-toi/", views.MyDossiersView.as_view(), name="mine"),
    path("thong-bao/", views.NotificationListView.as_view(), name="notifications"),
    path("ho-so/<uuid:reference>/phieu-tiep-nhan.pdf", views.ReceiptView.as_view(), name="receipt"),
    path("ho-so/<uuid:reference>/phieu/<int:pk>.pdf", views.SlipView.as_view(), name="slip"),
    path("tra-cuu/", views.LookupView.as_view(), name="lookup"),
    path("ho-so/<uuid:reference>/thanh-toan/", views.PaymentStartView.as_view(), name="pay"),
    path("ho-so/<uuid:reference>/bien-lai/<int:pk>.pdf", views.FeeReceiptView.as_view(), name="fee_receipt"),
    path("thanh-toan/vnpay/ipn/", views.VnpayIpnView.as_view(), name="payment_ipn"),
    path("thanh-toan/vnpay/ket-qua/", views.VnpayReturnView.as_view(), name="payment_return"),
    path("mo-phong/vnpay/", views.GatewaySimulatorView.as_view(), name="payment_simulator"),
    path("ho-so/<uuid:reference>/danh-gia/", views.RateView.as_view(), name="rate"),
    path("mot-cua/danh-gia/<uuid:reference>/", views.DeskRateView.as_view(), name="rate_desk"),
    path("xac-thuc/", views.VerifyStartView.as_view(), name="verify_start"),
    path("xac-thuc/<str:code>/", views.VerifyView.as_view(), name="verify"),
    path("mot-cua/ho-so/<uuid:reference>/phieu-kiem-soat.pdf", views.ControlSheetView.as_view(), name="control_sheet"),
    path("mot-cua/ho-so/", views.QueueView.as_view(), name="queue"),
    path("mot-cua/tin-nhan-loi/", views.UndeliveredNotificationsView.as_view(), name="undelivered"),
    path("mot-cua/so-theo-doi/", views.RegisterView.as_view(), name="register"),
    path("mot-cua/so-theo-doi/tep.<str:fmt>", views.RegisterView.as_view(), name="register_file"),
    path("mot-cua/ho-so/<uuid:reference>/<slug:action>/", views.DossierActionView.as_view(), name="action"),
    path("mot-cua/tiep-nhan/", views.DeskCitizenView.as_view(), name="desk_citizen"),
    path("mot-cua/tiep-nhan/<int:citizen_id>/", views.DeskIntakeView.as_view(), name="desk_intake"),
]
