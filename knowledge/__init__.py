"""Knowledge base: FAQs, laws, policies, glossary (政务百科), bundles (一件事), business-system links; search."""
