"""Text checks for "lawful and necessary" data: domains and purpose relevance, personal
information, blocklist matching. Pure functions on strings; the detectors wrap them.

The record reader calls these per record text (or a detector's `detect_items`):

    classify_domains(text) -> DomainScores        provenance.text.domains
    parse_purpose(purpose, domains) -> Purpose    provenance.text.purpose
    judge(scores, purpose) -> Relevance           provenance.text.purpose
    find_pii(text) -> tuple[PiiHit, ...]          provenance.text.pii (masked values only)
    mask_pii(text) -> str                         provenance.text.pii
    Blocklist(entries).match(text) -> BlockMatch  provenance.text.blocklist
"""
