from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.v1 import api
from home import views as home
from servicelead import views
from servicelead.forms import SignInForm
from services.queries import is_org_admin

admin.site.site_header = "Servicelead administration"
admin.site.site_title = "Servicelead admin"
admin.site.index_title = "Organisation, services and data"
# The Django admin is the org admins': the same test as every page of the product.
admin.site.has_permission = lambda request: request.user.is_active and is_org_admin(request.user)

# 400.html, 403.html and 500.html are Django's own handlers' templates.
handler404 = views.page_not_found

urlpatterns = [
    path("", home.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("services.urls")),
    path("", include("decisions.urls")),
    path("", include("performance.urls")),
    path("open/", include("opendata.urls")),
    path("api/v1/", api.urls),
]
