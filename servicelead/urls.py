from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from servicelead.forms import SignInForm

admin.site.site_header = "Servicelead administration"
admin.site.site_title = "Servicelead admin"
admin.site.index_title = "Organisation, services and data"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="services:catalogue"), name="home"),
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("images/favicon.svg"))),
        name="favicon",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("services.urls")),
]
