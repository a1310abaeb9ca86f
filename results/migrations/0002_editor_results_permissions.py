"""Give the newsroom's Editor group the results permissions (group made by liveblog 0002)."""

from django.db import migrations

EDITOR_PERMISSIONS = [
    ("results", "declare_result"),
    ("results", "add_constituencyresult"),
    ("results", "change_constituencyresult"),
    ("results", "view_constituencyresult"),
    ("results", "add_candidacy"),
    ("results", "change_candidacy"),
    ("results", "delete_candidacy"),
    ("results", "view_candidacy"),
    ("results", "add_constituency"),
    ("results", "change_constituency"),
    ("results", "view_constituency"),
    ("results", "add_election"),
    ("results", "change_election"),
    ("results", "view_election"),
    ("results", "add_party"),
    ("results", "change_party"),
    ("results", "view_party"),
    ("results", "add_partyalias"),
    ("results", "change_partyalias"),
    ("results", "delete_partyalias"),
    ("results", "view_partyalias"),
    ("results", "view_resultrevision"),
    ("results", "add_postresultcard"),
    ("results", "change_postresultcard"),
    ("results", "delete_postresultcard"),
    ("results", "view_postresultcard"),
]


def add_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editor")
    for app_label, codename in EDITOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Editor").first()
    if group is None:
        return
    group.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="results",
            codename__in=[codename for _, codename in EDITOR_PERMISSIONS],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_initial"),
        ("liveblog", "0002_newsroom_groups"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
