"""Scrapy extensions of the monitor: what a person sees of a crawl (progress, the per-site summary)."""
