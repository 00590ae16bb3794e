"""Django admin for tenant data: operators see every tenant, a tenant's staff only theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets

from ..declarations import Kind, is_tenant_scoped, tenancy_of, tenant_model
from ..scope import TenantScopeError
from .middleware import admin_scope
from .scoping import scope_queryset

if TYPE_CHECKING:
    pass


class PlatformAdminSite(admin.AdminSite):
    site_header = "NBNE Business Platform"
    site_title = "NBNE admin"

    def admin_view(self, view, cacheable: bool = False):
        return super().admin_view(admin_scope(view), cacheable)


class TenantAdminMixin:
    """ModelAdmin mixin: rows, choices and new objects stay in the user's tenant."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.tenant_id is not None:
            queryset = scope_queryset(queryset, request.user.tenant)
        return queryset

    def _operator_picks_tenant(self, request, obj) -> bool:
        """An operator adding a root row chooses its tenant (the model field is not editable)."""
        return (
            obj is None and self._operator_sees_tenants(request) and not self.model._meta.get_field("tenant").editable
        )

    def _scope_choices(self, request, formfield):
        if formfield is not None and request.user.tenant_id is not None:
            queryset = getattr(formfield, "queryset", None)
            if queryset is not None and is_tenant_scoped(queryset.model):
                formfield.queryset = scope_queryset(queryset, request.user.tenant)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs: Any):
        return self._scope_choices(request, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs: Any):
        return self._scope_choices(request, super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_form(self, request, obj=None, change: bool = False, **kwargs: Any):
        picks_tenant = self._operator_picks_tenant(request, obj)
        if picks_tenant:
            # ``tenant`` is not editable on the model; the form below adds it as a choice.
            fields = kwargs["fields"] if "fields" in kwargs else flatten_fieldsets(self.get_fieldsets(request, obj))
            if fields:
                kwargs["fields"] = [name for name in fields if name != "tenant"]
        form = super().get_form(request, obj, change=change, **kwargs)

        class TenantForm(form):
            if picks_tenant:
                tenant = forms.ModelChoiceField(queryset=tenant_model().objects.all())

            def _post_clean(self) -> None:
                if picks_tenant and self.cleaned_data.get("tenant"):
                    self.instance.tenant = self.cleaned_data["tenant"]
                elif request.user.tenant_id is not None and tenancy_of(self._meta.model).kind is Kind.ROOT:
                    self.instance.tenant_id = request.user.tenant_id
                super()._post_clean()
                try:
                    self.instance.check_tenant_ownership()
                except TenantScopeError as exc:
                    self.add_error(None, str(exc))

        return TenantForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._operator_picks_tenant(request, obj):
            fieldsets = [(None, {"fields": ["tenant"]}), *fieldsets]
        return fieldsets

    def _operator_sees_tenants(self, request) -> bool:
        """Operators list every tenant's rows, so the tenant is a column and a filter."""
        return request.user.tenant_id is None and tenancy_of(self.model).kind is Kind.ROOT

    def get_list_display(self, request):
        display = super().get_list_display(request)
        return ("tenant", *display) if self._operator_sees_tenants(request) else display

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return ("tenant", *filters) if self._operator_sees_tenants(request) else filters
