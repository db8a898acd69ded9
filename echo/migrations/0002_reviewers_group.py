"""The "Reviewers" group: exactly the permissions staff need to review registration requests.

Reviewers read and decide requests (view + change registration request; decisions go through
the services), read series and their seat counts (view series), read the email log and resend
a message (view + change email; the admin never lets anyone edit an email's content). Nothing
else: no delete, no add, no users or groups, no library.
"""

from django.db import migrations

GROUP = "Reviewers"
PERMISSIONS = [
    ("echo", "view_registrationrequest"),
    ("echo", "change_registrationrequest"),
    ("echo", "view_series"),
    ("echo", "view_outgoingemail"),
    ("echo", "change_outgoingemail"),
]


def create_reviewers_group(apps, schema_editor):
    # On a fresh database the permissions are normally created after all migrations ran
    # (post_migrate); create them now so that the group can be given them.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    permissions = [
        Permission.objects.using(schema_editor.connection.alias).get(
            content_type__app_label=app_label, codename=codename
        )
        for app_label, codename in PERMISSIONS
    ]
    group.permissions.set(permissions)


def remove_reviewers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("echo", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_reviewers_group, remove_reviewers_group),
    ]
