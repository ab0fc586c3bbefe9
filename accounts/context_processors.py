from .constants import Role
from .permissions import has_role, is_staff_member, works_on_dossiers


def roles(request):
    """Role flags for the navigation, evaluated only when a template asks (no query otherwise)."""
    user = getattr(request, "user", None)  # absent when a request is refused before authentication
    return {
        "is_desk_clerk": lambda: has_role(user=user, role=Role.CLERK),
        "is_staff_member": lambda: is_staff_member(user=user),
        "works_on_dossiers": lambda: works_on_dossiers(user=user),
        "is_leader": lambda: bool(
            user is not None and user.is_authenticated and (user.is_superuser or has_role(user=user, role=Role.LEADER))
        ),
    }
