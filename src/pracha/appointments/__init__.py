"""Appointments instead of queues: offices with opening hours and capacity per slot, bookings for the
services with an in-person step, reminders, a QR the counter scans, and no-shows released."""
