"""Each request's row-level security scope: set by the API's authentication (a tenant's key:
that tenant; the platform admin key: all tenants), here for the Django admin (staff: all
tenants, audited), and always left when the response is ready, so the next request on the
same persistent connection starts with no tenant at all."""

from django.urls import reverse

from tenants import row_security


class RowSecurityMiddleware:
    """Put after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        depth = row_security.enter_request(request)
        try:
            if self._is_admin(request.path) and _is_operator(request):
                row_security.all_tenants_audit(
                    actor=f"admin:{request.user.get_username()}",
                    reason=f"{request.method} {request.path}",
                )
                row_security.enter_for_request(request, row_security.Scope(all_tenants=True))
            return self.get_response(request)
        finally:
            row_security.leave_request(request, depth)

    def _is_admin(self, path: str) -> bool:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        return path.startswith(self._admin_prefix)


def _is_operator(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)
