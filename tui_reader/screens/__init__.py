"""Screens and dialogs. Import them from their modules: dialogs load lazily."""
