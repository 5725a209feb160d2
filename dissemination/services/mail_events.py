"""Sending a failed service mail again from the staff page of mail events. The row belongs to the
app that sent it; that app's service (registered in queries_mail_events.SERVICE_MAIL_SOURCES) puts it
back in its outbox, due now, so its own periodic task (or the task queued on commit) sends it once."""

from django.core.exceptions import ObjectDoesNotExist

from ..queries.newsletters_mail_events import SERVICE_MAIL_SOURCES


def service_mail_send_again(*, source: str, pk: int) -> bool:
    """Queue the failed row `pk` of `source` again. True when it was queued; False when it was no
    longer failed (sent again already, cancelled): a second click sends nothing. Raises
    ObjectDoesNotExist for an unknown source or row."""
    mail_source = SERVICE_MAIL_SOURCES.get(source)
    if mail_source is None:
        raise ObjectDoesNotExist(f"No service mail source {source!r}.")
    return mail_source.retry(pk=pk)
