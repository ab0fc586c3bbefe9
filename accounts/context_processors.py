from functools import cache

from .constants import Role
from .selectors import roles_active

DOSSIER_ROLES = {Role.CLERK, Role.SPECIALIST, Role.LEADER}


def roles(request):
    """Role flags for the navigation, evaluated only when a template asks (no query otherwise), all
    from one query of the user's roles."""
    user = getattr(request, "user", None)  # absent when a request is refused before authentication

    @cache
    def held() -> set[str]:
        return roles_active(user=user)

    return {
        "is_desk_clerk": lambda: Role.CLERK in held(),
        "is_staff_member": lambda: bool(held()),
        # Holds a role on dossiers (not only feedback handling): the work queue is theirs.
        "works_on_dossiers": lambda: bool(held() & DOSSIER_ROLES),
        "is_leader": lambda: bool(
            user is not None and user.is_authenticated and (user.is_superuser or Role.LEADER in held())
        ),
    }
