"""Domain exceptions raised by services; ragplatform.errors renders them as JSON."""


class DomainError(Exception):
    """A business-rule failure a client can act on; services raise subclasses."""

    code = "invalid_request"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    status_code = 404


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
