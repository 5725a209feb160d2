"""dissemination 0011 gives every existing person a research key of their own (AddField alone would
give them all one value, and so one research pseudonym)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("dissemination", "0010_organisation_public_search")]
AFTER = [("dissemination", "0011_person_created_at_research_key")]


@pytest.mark.django_db(transaction=True)
def test_every_existing_person_gets_a_research_key_of_their_own():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Region = old_apps.get_model("dissemination", "Region")
    Person = old_apps.get_model("dissemination", "Person")
    region = Region.objects.get_or_create(name="Rivierenland")[0]
    Organisation = old_apps.get_model("dissemination", "Organisation")
    organisation = Organisation.objects.create(name="Bakkerij", target_group="employers", region=region)
    ids = [
        Person.objects.create(
            first_name=f"P{n}", last_name="Test", email=f"p{n}@example.org", organisation=organisation
        ).pk
        for n in range(3)
    ]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    keys = list(
        new_apps.get_model("dissemination", "Person").objects.filter(pk__in=ids).values_list("research_key", flat=True)
    )

    assert len(set(keys)) == 3
    assert all(len(key) == 32 for key in keys)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
