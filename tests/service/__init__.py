"""Pacer as a service: several processes, roles, failover, health and metrics."""
