from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and checks"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .roles import roles_sync_after_migrate

        # Roles are created by a migration (0002_roles); this keeps them complete when a later
        # migration of another app adds models and so new permissions.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="audit-roles-sync")
