from .navigation import bar_items, links_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "two_factor_pending", False):
        return {"nav_links": [], "nav_items": []}
    links = links_for(user)
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    for link in links:
        link["active"] = request.path.startswith(link["url"]) or view_name in link["also_active_on"]
    return {"nav_links": links, "nav_items": bar_items(links)}
