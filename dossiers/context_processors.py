from .selectors import notification_unread_count


def notifications(request):
    """The unread count for the header, counted only when a template shows it."""
    return {"unread_notifications": lambda: notification_unread_count(user=request.user)}
