"""Review samples for the filing's spot checks: draw a reproducible stratified sample from a
saved scan, write it as a spreadsheet-safe CSV, and import the reviewers' verdicts."""
