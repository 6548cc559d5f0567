"""Publication: staging and the published area, website bundles, the Satu Data sync."""
