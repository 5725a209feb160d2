"""What every view of the project shares about requests and redirects."""

import secrets

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url: str | None, fallback: str = "") -> str:
    """`url` when it points to a page of this site, else `fallback`.

    A "next" the client sent (a query parameter, a hidden field) may only lead back into the site: a
    relative path or this host. Another host, `//host`, `javascript:` and, on an HTTPS request, a plain
    `http://` address are refused, and the fallback is used."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def form_data(request) -> dict:
    """A form's data and files, as a FormView gives them: bound on a POST (even an empty one),
    unbound otherwise. Use as `Form(**form_data(request), ...)`."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


class CountInPagePaginator(Paginator):
    """A Paginator that reads the number of rows from the page's own query (a window count on every
    row) instead of a COUNT query first: one query for a page. Only a page past the end, or "last",
    counts on its own."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list.annotate(rows_in_list=Window(Count("pk"))), per_page, **kwargs)

    def page(self, number):
        if "count" not in self.__dict__ and isinstance(number, int) and number >= 1:
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list[bottom : bottom + self.per_page])
            if rows or number == 1:
                self.count = rows[0].rows_in_list if rows else 0  # fills the cached property
                return self._get_page(rows, number, self)
        return super().page(number)


def list_page(request, object_list, per_page: int, *, name: str | None = None, count_in_page: bool = False) -> dict:
    """One page of `object_list` with the context a ListView gives its template (paginator,
    page_obj, is_paginated, object_list and, with `name`, the list under that name too). As in a
    ListView, a page number that is not a number (but "last") or out of range answers 404.
    `count_in_page`: count the rows in the page's query (CountInPagePaginator), one query less."""
    paginator = (CountInPagePaginator if count_in_page else Paginator)(object_list, per_page)
    asked = request.GET.get("page") or 1
    try:
        number = int(asked)
    except ValueError:
        if asked != "last":
            raise Http404 from None
        number = paginator.num_pages
    try:
        page = paginator.page(number)
    except InvalidPage:
        raise Http404 from None
    context = {"paginator": paginator, "page_obj": page, "is_paginated": page.has_other_pages()}
    context["object_list"] = page.object_list
    if name:
        context[name] = page.object_list
    return context


def filter_page(request, filterset, per_page: int, *, name: str | None = None, count_in_page: bool = False) -> dict:
    """list_page() of what a django-filter FilterSet finds, with the FilterSet as `filter`, as FilterView
    (strict) gives them to a template: a filter that does not validate finds nothing."""
    found = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    return {"filter": filterset, **list_page(request, found, per_page, name=name, count_in_page=count_in_page)}


def upload_stage(request, session_key: str, *, name: str, rows) -> str:
    """Keep the rows of a checked upload in the session until the user confirms them (the preview
    page posts the returned key back): nothing is saved before that."""
    key = secrets.token_urlsafe(16)
    request.session[session_key] = {"key": key, "name": name, "rows": rows}
    return key


def upload_take(request, session_key: str) -> dict | None:
    """The staged upload whose key the confirming POST carries, taken out of the session; None when
    there is none (confirmed already, or another preview replaced it)."""
    stored = request.session.get(session_key)
    if not stored or not secrets.compare_digest(stored["key"], request.POST.get("key", "")):
        return None
    return request.session.pop(session_key)
