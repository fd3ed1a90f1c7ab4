"""Quarterly results: rates per region and quarter, the notice's attachment lists, charts and a draft notice."""
