import re

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    """Page numbers as the schema declares them, whole numbers: an empty ``?page=``, ``?page=last`` or
    ``?page=+1`` is not found (404), where DRF's own pagination reads them as a page."""

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        page = request.query_params.get(self.page_query_param)
        if page is None:
            return 1
        if not re.fullmatch(r"[0-9]+", page):
            raise NotFound(self.invalid_page_message)
        return page
