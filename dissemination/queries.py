from .models import Organisation


def organisation_list():
    return Organisation.objects.select_related("region")
