"""The simulated government web: scenarios, CMS-like templates, a Host-routed server, expected findings."""
