"""Page-number pagination whose query parameters are checked, and described as checked:
`page` and `page_size` are whole numbers in range or a 400, never silently replaced by the
default (DRF's behaviour) nor a 404 for a malformed number. A page past the last is a 404."""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(request, name: str, *, minimum: int, maximum: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    bound = f"from {minimum} to {maximum}" if maximum else f"of at least {minimum}"
    # isascii: str.isdigit() also accepts "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not (minimum <= int(raw) <= (maximum or int(raw))):
        raise ValidationError({name: [f"Must be a whole number {bound}, not {raw[:40]!r}."]})
    return int(raw)


class ApiPagination(PageNumberPagination):
    """`?page=` (from 1) and `?page_size=` (1 to max_page_size); `{count, next, previous,
    results}`."""

    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def get_page_size(self, request):
        size = _whole_number(
            request, self.page_size_query_param, minimum=1, maximum=self.max_page_size
        )
        return size or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        number = _whole_number(request, self.page_query_param, minimum=1, maximum=None) or 1
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound(f"No page {number}: there are {paginator.num_pages} page(s).") from exc
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {
                "minimum": 1,
                "maximum": self.max_page_size,
                "default": self.page_size,
            },
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        body["required"] = ["count", "next", "previous", "results"]
        return body
