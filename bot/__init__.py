"""Pacer: a training-habit coach for runners. The platform-free core lives here."""
