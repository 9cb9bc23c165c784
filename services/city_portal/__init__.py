"""city_portal: Hanoi's public-service portal (Cổng dịch vụ công Thành phố Hà Nội)."""

from services.city_portal.settings import CityPortalSettings

__all__ = ["CityPortalSettings"]
