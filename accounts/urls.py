from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("dang-ky/", views.RegisterView.as_view(), name="register"),
    path("xac-nhan-email/<str:token>/", views.VerifyEmailView.as_view(), name="verify_email"),
    path("tai-khoan/", views.ProfileView.as_view(), name="profile"),
    path("tai-khoan/so-dien-thoai/", views.PhoneConfirmView.as_view(), name="confirm_phone"),
    path("quen-mat-khau/", views.PasswordLinkView.as_view(), name="password_link"),
    path("dat-mat-khau/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_reset_confirm"),
]
