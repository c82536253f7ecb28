"""django.contrib.admin whose site also asks for the staff second factor (comuni.access).

The middleware already keeps a staff session without a second factor out of the admin; the site checks
again from the database, for a role given to an account after its session's login.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OmnibusAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from .access import second_factor_passed

        return super().has_permission(request) and second_factor_passed(request)


class OmnibusAdminConfig(AdminConfig):
    default_site = "comuni.admin_site.OmnibusAdminSite"
