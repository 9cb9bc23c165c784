"""The National Public Service Portal (Cổng Dịch vụ công quốc gia), its ministry portal
adapters and the orchestration of the linked procedure groups 15 and 16."""

from services.national_portal.settings import NationalPortalSettings

__all__ = ["NationalPortalSettings"]
