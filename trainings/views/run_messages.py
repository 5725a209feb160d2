"""A message to a run's participants (issue 17): staff, and the trainers of the run. A run the user may
not see answers 404, one whose participants they may not write to 403 (as the participant list)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from ..forms import add_service_errors
from ..forms.run_messages import RunMessageForm
from ..queries import enrolment as enrolment_queries
from ..queries import scheduling as queries
from ..services.messages import run_message_send


@permission_required("trainings.browse_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def run_message_view(request, pk):
    """Write a message to everyone who takes part in the run, about the whole run or one meeting; the
    page says how many will get it before it is sent."""
    training = get_object_or_404(queries.trainings_visible_to(request.user).prefetch_related("trainers"), pk=pk)
    training.trainer_ids = {trainer.pk for trainer in training.trainers.all()}
    if not request.user.has_perm("trainings.message_participants", training):
        raise PermissionDenied
    form = RunMessageForm(request.POST if request.method == "POST" else None, training=training)
    if request.method == "POST" and form.is_valid():
        try:
            sent = run_message_send(training=training, sent_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = sent.mails.count()
            messages.success(
                request,
                ngettext(
                    "Your message goes to %(count)s participant.", "Your message goes to %(count)s participants.", count
                )
                % {"count": count},
            )
            return redirect(reverse("trainings:training_detail", args=[training.pk]) + "#history")
    recipients = list(enrolment_queries.active_participants(training_id=training.pk))
    return render(request, "trainings/run_message.html", {"training": training, "form": form, "recipients": recipients})
