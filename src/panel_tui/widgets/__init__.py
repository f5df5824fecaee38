"""Small reusable widgets: paged queue view, clock badge, stage ladder, evidence checklist."""
