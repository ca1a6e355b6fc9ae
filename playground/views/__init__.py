"""Task-specific views: one module per task page (what the shared frame cannot know)."""
