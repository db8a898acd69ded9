"""Oregon's 36 counties (with their Census FIPS codes) and nine federally recognized tribes,
each with no program recorded yet; staff set the status in the admin."""

from django.db import migrations

COUNTIES = [
    "Baker", "Benton", "Clackamas", "Clatsop", "Columbia", "Coos", "Crook", "Curry",
    "Deschutes", "Douglas", "Gilliam", "Grant", "Harney", "Hood River", "Jackson", "Jefferson",
    "Josephine", "Klamath", "Lake", "Lane", "Lincoln", "Linn", "Malheur", "Marion", "Morrow",
    "Multnomah", "Polk", "Sherman", "Tillamook", "Umatilla", "Union", "Wallowa", "Wasco",
    "Washington", "Wheeler", "Yamhill",
]  # fmt: skip

TRIBES = [
    ("tribe-burns-paiute", "Burns Paiute Tribe"),
    ("tribe-coos", "Confederated Tribes of Coos, Lower Umpqua and Siuslaw Indians"),
    ("tribe-grand-ronde", "Confederated Tribes of Grand Ronde"),
    ("tribe-siletz", "Confederated Tribes of Siletz Indians"),
    ("tribe-umatilla", "Confederated Tribes of the Umatilla Indian Reservation"),
    ("tribe-warm-springs", "Confederated Tribes of Warm Springs"),
    ("tribe-coquille", "Coquille Indian Tribe"),
    ("tribe-cow-creek", "Cow Creek Band of Umpqua Tribe of Indians"),
    ("tribe-klamath", "The Klamath Tribes"),
]


def seed(apps, schema_editor):
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    for index, name in enumerate(COUNTIES):
        # Oregon's county FIPS codes are the odd numbers 001-071, in alphabetical order.
        Jurisdiction.objects.get_or_create(
            slug=name.lower().replace(" ", "-") + "-county",
            defaults={"kind": "county", "name": f"{name} County", "fips": f"41{2 * index + 1:03d}"},
        )
    for slug, name in TRIBES:
        Jurisdiction.objects.get_or_create(slug=slug, defaults={"kind": "tribe", "name": name})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
