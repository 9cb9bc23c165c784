"""city_portal: Hanoi's public-service portal (Cổng dịch vụ công Thành phố Hà Nội)."""
