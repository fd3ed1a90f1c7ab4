"""Page-fact extraction: encodings, dates, lists, footers, links, unreadable pages."""
