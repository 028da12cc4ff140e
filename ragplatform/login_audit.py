"""Admin logins in the log: each success, failure and lockout (django-axes) as an event with
the username and the client's address, never a password (Django's signal has it masked)."""

import structlog

log = structlog.get_logger(__name__)


def _address(request) -> str | None:
    if request is None:
        return None
    # django-axes' reading of the client address (X-Forwarded-For behind the balancer).
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def login_succeeded(sender, request=None, user=None, **kwargs) -> None:
    log.info("admin.login", username=getattr(user, "username", None), ip_address=_address(request))


def login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    log.warning(
        "admin.login_failed",
        username=(credentials or {}).get("username"),
        ip_address=_address(request),
    )


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log.warning(
        "admin.login_locked_out", username=username, ip_address=ip_address or _address(request)
    )


def connect() -> None:
    """Listen to Django's and django-axes' login signals (RagPlatformConfig.ready)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(login_succeeded, dispatch_uid="login_audit.succeeded")
    user_login_failed.connect(login_failed, dispatch_uid="login_audit.failed")
    user_locked_out.connect(locked_out, dispatch_uid="login_audit.locked_out")
