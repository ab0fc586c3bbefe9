from django.views.generic import TemplateView


class CatalogueView(TemplateView):
    """The public list of administrative procedures."""

    template_name = "procedures/catalogue.html"
