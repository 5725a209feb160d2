import rules

from .navigation import links_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "two_factor_pending", False):
        return {"nav_links": [], "has_ambassador_profile": False}
    links = links_for(user)
    for link in links:
        link["active"] = request.path.startswith(link["url"])
    return {"nav_links": links, "has_ambassador_profile": rules.has_perm("ambassadors.edit_own_profile", user)}
