"""Widgets shared by several screens (thumbnails, findings list, image file picker)."""
