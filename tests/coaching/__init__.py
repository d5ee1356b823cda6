"""Coaching as the coaches describe it: the 7-hour floor, the strength ladder, fuel, race weeks."""
