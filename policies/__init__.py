"""Meridian's CrossGuard policy pack (`pulumi preview --policy-pack policies`)."""
