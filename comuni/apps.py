from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, **kwargs) -> None:
    # post_migrate is sent once per app, and an app's permissions exist only after its own signal:
    # syncing every time (a few queries) leaves the groups complete after the last one.
    from .services import role_groups_sync

    role_groups_sync()


class ComuniConfig(AppConfig):
    name = "comuni"
    verbose_name = "Comuni"

    def ready(self) -> None:
        # Permissions are created by post_migrate too; run after the last app has migrated.
        post_migrate.connect(_sync_role_groups, dispatch_uid="comuni.role_groups")
        from . import signals  # noqa: F401  (audit log receivers)
