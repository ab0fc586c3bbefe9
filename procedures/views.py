from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from onestop.files import file_response
from onestop.page_cache import public_page

from .forms import CatalogueFilterForm
from .selectors import procedure_get_current, procedure_search

PAGE_SIZE = 20


class CatalogueView(View):
    """The public list of procedures in force, with search and filters."""

    @public_page(params=("q", "field", "level", "service_level", "page"))
    def get(self, request):
        form = CatalogueFilterForm(request.GET or None)
        filters = {}
        if form.is_bound:
            form.is_valid()
            # cleaned_data keeps the fields that passed: a stale filter (an old bookmark) is dropped
            # on its own and the search and the other filters still apply.
            filters = form.cleaned_data
        versions = procedure_search(
            query=filters.get("q") or "",
            field=filters.get("field"),
            agency_level=filters.get("level") or None,
            service_level=filters.get("service_level"),
        ).prefetch_related("fees")
        page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
        query_without_page = request.GET.copy()
        query_without_page.pop("page", None)
        filtered = any(filters.get(name) for name in ("field", "level", "service_level"))
        return render(
            request,
            "procedures/catalogue.html",
            {
                "form": form,
                "page": page,
                "filters_query": query_without_page.urlencode(),
                "query": filters.get("q") or "",
                "filtered": filtered,
            },
        )


class ProcedureDetailView(View):
    @public_page()
    def get(self, request, code):
        version = procedure_get_current(code=code)
        if version is None:
            raise Http404
        return render(request, "procedures/detail.html", {"version": version})


class DocumentTemplateView(View):
    """Download the blank template of a required document of a procedure in force."""

    def get(self, request, code, pk):
        version = procedure_get_current(code=code)
        document = next((d for d in version.documents.all() if d.pk == pk), None) if version else None
        if document is None or not document.template:
            raise Http404
        filename = document.template.name.rsplit("/", 1)[-1]
        return file_response(document.template, filename=filename, private=False)
