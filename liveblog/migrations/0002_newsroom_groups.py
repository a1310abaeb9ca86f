"""Create the Reporter and Editor groups with their permissions."""

from django.db import migrations

REPORTER_PERMISSIONS = [
    ("liveblog", "add_post"),
    ("liveblog", "change_post"),
    ("liveblog", "delete_post"),
    ("liveblog", "view_post"),
    ("liveblog", "view_liveblog"),
    ("liveblog", "view_contributor"),
]

EDITOR_PERMISSIONS = [
    *REPORTER_PERMISSIONS,
    ("liveblog", "edit_any_post"),
    ("liveblog", "pin_post"),
    ("liveblog", "flag_post"),
    ("liveblog", "add_liveblog"),
    ("liveblog", "change_liveblog"),
    ("liveblog", "delete_liveblog"),
    ("liveblog", "add_contributor"),
    ("liveblog", "change_contributor"),
    ("liveblog", "delete_contributor"),
    ("liveblog", "view_liveevent"),
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (("Reporter", REPORTER_PERMISSIONS), ("Editor", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporter", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("liveblog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
