"""Progress: /stats, the charts, /week of earlier weeks, /edit and the weekly digest."""
