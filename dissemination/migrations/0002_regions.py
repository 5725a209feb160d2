"""The 35 labour-market regions (arbeidsmarktregio's, the set since 2021) as data."""

from django.db import migrations

REGIONS = [
    "Groningen", "Friesland", "Drenthe", "Regio Zwolle", "Twente", "Stedendriehoek en Noordwest Veluwe",
    "Achterhoek", "Midden-Gelderland", "Rijk van Nijmegen", "Food Valley", "Rivierenland", "Flevoland",
    "Midden-Utrecht", "Amersfoort", "Noord-Holland Noord", "Zaanstreek/Waterland", "Groot Amsterdam",
    "Zuid-Kennemerland en IJmond", "Gooi en Vechtstreek", "Holland Rijnland", "Zuid-Holland Centraal",
    "Haaglanden", "Midden-Holland", "Rijnmond", "Drechtsteden", "Gorinchem", "Zeeland", "West-Brabant",
    "Midden-Brabant", "Noordoost-Brabant", "Zuidoost-Brabant", "Helmond-De Peel", "Noord-Limburg",
    "Midden-Limburg", "Zuid-Limburg",
]  # fmt: skip


def add_regions(apps, schema_editor):
    Region = apps.get_model("dissemination", "Region")
    for name in REGIONS:
        Region.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("dissemination", "0001_initial")]

    operations = [migrations.RunPython(add_regions, migrations.RunPython.noop)]
