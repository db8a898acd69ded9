"""Migrations of django.contrib.flatpages, kept here (MIGRATION_MODULES) because the pages'
titles and content are translated (deflection_portal/translation.py), which adds columns to
Django's own table. 0001 is Django's, unchanged, so databases that applied it carry on."""
