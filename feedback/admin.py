from django.contrib import admin

from onestop.choose import ChoosePromptAdmin

from .models import AnswerTime


@admin.register(AnswerTime)
class AnswerTimeAdmin(ChoosePromptAdmin, admin.ModelAdmin):
    """The answer time of each subject and its legal basis, as the province's rules set them."""

    list_display = ["subject", "working_days", "legal_basis"]
